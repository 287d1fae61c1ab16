// Owns which threshold a model run uses: the one saved in calibration for that model, else the manifest's
// default. Run launchers (the API's run-model job, `overread triage --db`) ask here so a saved choice is
// used by every later run.
import type { DatasetStore } from '../dataset/dataset-types.ts';

export function effectiveThreshold(
  store: Pick<DatasetStore, 'threshold'>,
  model: { id: string; manifest: { defaultThreshold: number } },
): { threshold: number; source: 'saved' | 'model default' } {
  const saved = store.threshold(model.id);
  return saved
    ? { threshold: saved.threshold, source: 'saved' }
    : { threshold: model.manifest.defaultThreshold, source: 'model default' };
}
