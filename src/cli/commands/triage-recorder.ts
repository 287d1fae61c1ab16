// Owns what `overread triage --db FILE` writes to the dataset: the indexed studies, one model run per series
// (skipped ones with the reason) and each run's findings as proposals, so a night's batch waits in the
// worklist in the morning. Each run is recorded as the store promises: 'running' until its findings commit.
import path from 'node:path';
import type { DatasetStore } from '../../dataset/dataset-types.ts';
import type { IndexedStudy } from '../../dicom/index/index-types.ts';
import { seriesGeometry } from '../../dicom/index/index.ts';
import type { VolumeGeometry } from '../../dicom/volume.ts';
import type { InstalledModel, VolumeAnalysis } from '../../inference/index.ts';

export interface TriageRecorder {
  /** The threshold saved in calibration for this model, if any. */
  savedThreshold: number | undefined;
  skipped(seriesUid: string, threshold: number, reason: string): void;
  start(seriesUid: string, threshold: number): number;
  finish(runId: number, analysis: VolumeAnalysis, seconds: number): void;
  fail(runId: number, message: string): void;
  close(): void;
}

export async function openTriageRecorder(
  file: string,
  model: InstalledModel,
  roots: string[],
  studies: IndexedStudy[],
): Promise<TriageRecorder> {
  // Loaded here so `overread triage` without --db never starts SQLite.
  const { openDataset } = await import('../../dataset/open-dataset.ts');
  const store: DatasetStore = openDataset(file);
  const ref = { id: model.manifest.id, version: model.manifest.version, sha256: model.manifest.sha256 };
  try {
    for (const root of roots) store.addRoot(path.resolve(root));
    for (const study of studies) {
      const geometry = new Map<string, VolumeGeometry | null>();
      for (const series of study.series) {
        try {
          geometry.set(series.seriesInstanceUid, seriesGeometry(series));
        } catch {
          geometry.set(series.seriesInstanceUid, null); // no 3-D geometry: stored without, shown as is
        }
      }
      store.importStudy(study, geometry);
    }
  } catch (error) {
    store.close();
    throw error;
  }
  return {
    savedThreshold: store.threshold(ref.id)?.threshold,
    skipped(seriesUid, threshold, reason) {
      store.failRun(store.startRun(seriesUid, ref, threshold, { by: 'overread triage' }), 'skipped', reason);
    },
    start: (seriesUid, threshold) => store.startRun(seriesUid, ref, threshold, { by: 'overread triage' }),
    finish(runId, analysis, seconds) {
      store.finishRun(runId, {
        findings: analysis.findings,
        score: analysis.score,
        probability: analysis.probability,
        warnings: analysis.warnings,
        scopeWarnings: analysis.scopeWarnings,
        seconds,
      });
    },
    fail: (runId, message) => store.failRun(runId, 'failed', message),
    close: () => store.close(),
  };
}
