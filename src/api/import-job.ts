// Owns importing files and folders into the dataset for the API: the header index of the given paths (never
// the pixels), each study upserted into the store with its series geometry, then the active model queued for
// every series that has no completed run yet — so an import ends with a triaged worklist.
import { indexDicom, seriesGeometry, type IndexedSeries } from '../dicom/index/index.ts';
import type { VolumeGeometry } from '../dicom/volume.ts';
import type { DatasetStore } from '../dataset/dataset-types.ts';
import type { JobContext } from './job-registry.ts';
import type { ModelRunner } from './model-runner.ts';

export interface ImportOutcome {
  seriesUids: string[];
  summary: string;
}

function geometryOrNull(series: IndexedSeries): VolumeGeometry | null {
  try {
    return seriesGeometry(series);
  } catch {
    return null; // the series is still listed and viewable; the model will say why it cannot run
  }
}

export async function importIntoStore(
  paths: string[],
  store: DatasetStore,
  /** Queues the model for new series; undefined imports without triage. */
  models: ModelRunner | undefined,
  context: JobContext,
): Promise<ImportOutcome> {
  context.progress(0, 0, 'looking for DICOM files');
  const index = await indexDicom(paths, {
    signal: context.signal,
    onProgress: (done, total) => context.progress(done, total, `reading headers: ${done} of ${total} files`),
  });
  context.signal.throwIfAborted();
  const seriesUids: string[] = [];
  for (const study of index.studies) {
    const geometry = new Map(study.series.map((s) => [s.seriesInstanceUid, geometryOrNull(s)]));
    seriesUids.push(...store.importStudy(study, geometry));
  }
  let queued = 0;
  if (models?.active()) {
    for (const uid of seriesUids) {
      const series = store.series(uid);
      if (series && series.latestRunId === null && !models.pending(uid)) {
        models.start(uid);
        queued++;
      }
    }
  }
  const parts = [
    `${seriesUids.length} series in ${index.studies.length} stud${index.studies.length === 1 ? 'y' : 'ies'} imported`,
  ];
  if (queued > 0) parts.push(`the model is reading ${queued}`);
  else if (models && !models.active() && seriesUids.length > 0)
    parts.push('no model is installed, so none was triaged');
  if (index.errors.length > 0) {
    const first = index.errors[0]!;
    parts.push(`${index.errors.length} file(s) unreadable, e.g. ${first.path}: ${first.reason}`);
  }
  if (seriesUids.length === 0 && index.errors.length === 0) {
    parts.push(`no DICOM images were found in ${paths.join(', ')}`);
  }
  return { seriesUids, summary: parts.join('; ') };
}
