// Owns applying a saved threshold to proposals already made, without running the model: for each series
// whose latest run used the model and that no reader has touched, the findings are re-derived from the run's
// kept probability map at the new threshold and recorded as a new run (params.derivedFromRun names the
// source), so the old proposals stay on record. Reviewed series keep what their readers decided.
import type { DatasetStore, StoredSeries } from '../dataset/dataset-types.ts';
import { findingsAtThreshold, seriesScore, type MinFindingSize } from '../inference/findings-at-threshold.ts';
import type { ThresholdApplication } from '../shared/metrics-types.ts';
import { seriesWithStatus } from './collect-decisions.ts';

/** Statuses whose proposals nobody has reviewed yet. */
const UNREVIEWED: readonly StoredSeries['status'][] = ['flagged', 'no-findings', 'outside-scope'];

export interface ApplyThresholdOptions {
  modelId: string;
  threshold: number;
  /** The model's minimum finding size (its manifest's minFinding), as a fresh run would apply it. */
  minFinding?: MinFindingSize;
}

/** The volume's kept probability map, or undefined when any slice was not kept. */
function keptMap(store: DatasetStore, runId: number, plane: number, slices: number): Uint8Array | undefined {
  const values = new Uint8Array(plane * slices);
  for (let k = 0; k < slices; k++) {
    const slice = store.probabilitySlice(runId, k);
    if (!slice || slice.length !== plane) return undefined;
    values.set(slice, k * plane);
  }
  return values;
}

export function applyThreshold(store: DatasetStore, options: ApplyThresholdOptions): ThresholdApplication {
  const { modelId, threshold } = options;
  const skipped = new Map<string, number>();
  const skip = (reason: string) => skipped.set(reason, (skipped.get(reason) ?? 0) + 1);
  const result: ThresholdApplication = {
    modelId,
    threshold,
    updated: 0,
    skipped: [],
    findingsBefore: 0,
    findingsAfter: 0,
  };
  for (const status of UNREVIEWED) {
    for (const s of seriesWithStatus(store, status)) {
      const run = s.latestRunId === null ? undefined : store.run(s.latestRunId);
      if (!run || run.state !== 'complete' || run.model.id !== modelId) continue;
      const findings = store.findings(s.seriesUid);
      if (findings.some((f) => f.decision !== null || f.source === 'reader')) {
        skip('a reader has started on it');
        continue;
      }
      if (!s.geometry) {
        skip('no volume geometry');
        continue;
      }
      const [columns, rows, slices] = s.geometry.size;
      const values = keptMap(store, run.id, columns * rows, slices);
      if (!values) {
        skip('no kept probability map (run the model again)');
        continue;
      }
      const derived = findingsAtThreshold(values, s.geometry, threshold, options.minFinding);
      const runId = store.startRun(s.seriesUid, run.model, threshold, {
        ...run.params,
        derivedFromRun: run.id,
        thresholdSource: 'saved',
      });
      store.finishRun(runId, {
        findings: derived,
        // The peak does not depend on the threshold: the run's own (full-precision) score carries over.
        score: run.score ?? seriesScore(values, derived),
        probability: values,
        warnings: [],
        seconds: 0,
      });
      result.updated++;
      result.findingsBefore += findings.length;
      result.findingsAfter += derived.length;
    }
  }
  result.skipped = [...skipped].map(([reason, count]) => ({ reason, count }));
  return result;
}
