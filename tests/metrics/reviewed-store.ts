// A real dataset (SQLite store over sample CT series written as DICOM) with model runs and review decisions
// whose metrics are known by hand — used by the collector, CLI, API and Model page tests.
//
// Probability maps are painted, not inferred: 3×3×3 cubes of one value, so each finding's score is that value
// / 255 and its proposal mask is the 27 voxels. Run threshold 0.5 (level 128).
//   S1 (done, ana): A 230 confirmed · B 200 rejected (vessel) · C 150 corrected (slice 5 widened by one
//                   column: final 30 voxels, 27 shared → Dice 54/57) · D 90 (below threshold) added by ana
//   S2 (done, bo):  A' 240 confirmed · B' 160 rejected (artefact)
//   S3 (done, ana): empty map, no findings (series score 0)
//   S4 (flagged, untouched): the same map as S1 — for applying a saved threshold
// Over S1–S3: TP 3, FP 2, FN 1 → sensitivity 3/4, precision 3/5, FP/scan 2/3; AUC 1 (S1, S2 positive
// above S3). FROC: 240 → (1/4, 0), 230 → (2/4, 0), 200 → (2/4, 1/3), 160 → (2/4, 2/3), 150 → (3/4, 2/3).
import { indexDicom, seriesGeometry } from '../../src/dicom/index/index.ts';
import type { VolumeGeometry } from '../../src/dicom/volume.ts';
import type { DatasetStore, ModelRef } from '../../src/dataset/dataset-types.ts';
import { openDataset } from '../../src/dataset/open-dataset.ts';
import { findingsAtThreshold, seriesScore } from '../../src/inference/findings-at-threshold.ts';
import { sampleStudy } from '../helpers/sample-study.ts';

export const TEST_MODEL: ModelRef = { id: 'lung-nodule-unet', version: '1.0.0', sha256: 'a'.repeat(64) };
const SIZE = 64;
const SLICES = 12;
const PLANE = SIZE * SIZE;

type Cube = [i: number, j: number, k: number, value: number];

function paint(cubes: Cube[]): Uint8Array {
  const map = new Uint8Array(PLANE * SLICES);
  for (const [ci, cj, ck, value] of cubes)
    for (let k = ck - 1; k <= ck + 1; k++)
      for (let j = cj - 1; j <= cj + 1; j++)
        for (let i = ci - 1; i <= ci + 1; i++) map[i + j * SIZE + k * PLANE] = value;
  return map;
}

function square(i0: number, i1: number, j0: number, j1: number): Uint8Array {
  const mask = new Uint8Array(PLANE);
  for (let j = j0; j <= j1; j++) for (let i = i0; i <= i1; i++) mask[i + j * SIZE] = 1;
  return mask;
}

async function importSample(
  store: DatasetStore,
  seed: string,
): Promise<{ uid: string; geometry: VolumeGeometry }> {
  const study = sampleStudy({ seed, size: SIZE, slices: SLICES, nodules: 0 });
  const index = await indexDicom([study.dir]);
  const series = index.studies[0].series[0];
  const geometry = seriesGeometry(series);
  store.importStudy(index.studies[0], new Map([[series.seriesInstanceUid, geometry]]));
  return { uid: series.seriesInstanceUid, geometry };
}

function run(store: DatasetStore, uid: string, geometry: VolumeGeometry, map: Uint8Array) {
  const runId = store.startRun(uid, TEST_MODEL, 0.5, {});
  const findings = findingsAtThreshold(map, geometry, 0.5);
  return store.finishRun(runId, {
    findings,
    score: seriesScore(map, findings),
    probability: map,
    warnings: [],
    seconds: 1,
  });
}

/** Finding ids by score (painted value), so the decisions below name cubes, not ranks. */
const byValue = (findings: { id: number; score: number | null }[], value: number) => {
  const found = findings.find((f) => f.score !== null && Math.round(f.score * 255) === value);
  if (!found) throw new Error(`reviewed-store: no finding scoring ${value}/255`);
  return found.id;
};

export const S1_MAP: Cube[] = [
  [16, 16, 5, 230],
  [40, 16, 5, 200],
  [16, 40, 5, 150],
  [40, 40, 5, 90],
];

export async function reviewedStore(file: string, now = () => new Date('2026-11-04T09:00:00Z')) {
  const store = openDataset(file, { now });
  store.addReader('ana');
  store.addReader('bo');

  const s1 = await importSample(store, 'metrics-s1');
  const f1 = run(store, s1.uid, s1.geometry, paint(S1_MAP));
  store.decide(byValue(f1, 230), 'ana', { kind: 'confirmed' });
  store.decide(byValue(f1, 200), 'ana', { kind: 'rejected', reason: 'vessel' });
  store.correctMaskSlice(byValue(f1, 150), 'ana', 5, square(15, 18, 39, 41));
  store.addFinding(s1.uid, 'ana', 5, square(39, 41, 39, 41));
  store.setStatus(s1.uid, 'done', 'ana');

  const s2 = await importSample(store, 'metrics-s2');
  const f2 = run(
    store,
    s2.uid,
    s2.geometry,
    paint([
      [20, 20, 6, 240],
      [44, 44, 6, 160],
    ]),
  );
  store.decide(byValue(f2, 240), 'bo', { kind: 'confirmed' });
  store.decide(byValue(f2, 160), 'bo', { kind: 'rejected', reason: 'artefact' });
  store.setStatus(s2.uid, 'done', 'bo');

  const s3 = await importSample(store, 'metrics-s3');
  run(store, s3.uid, s3.geometry, paint([]));
  store.setStatus(s3.uid, 'done', 'ana');

  const s4 = await importSample(store, 'metrics-s4');
  run(store, s4.uid, s4.geometry, paint(S1_MAP));

  return { store, uids: [s1.uid, s2.uid, s3.uid, s4.uid] };
}
