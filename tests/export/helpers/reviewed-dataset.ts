// Test helper: a real dataset store holding two imported `overread sample` studies. The first is reviewed and
// done: the model (findings built from the truth mask of nodules 1–3) proposed three, the reader confirmed
// nodule 1, rejected nodule 2 as a vessel, erased part of one slice of nodule 3 and then confirmed it, and
// painted nodule 4 (which the model missed) on its centre slice. The second was run by the model and never
// reviewed. Returns the label the export must hold, computed from the truth mask alone (not from the store).
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { openDataset } from '../../../src/dataset/open-dataset.ts';
import type { DatasetStore, ModelRef, StoredFinding } from '../../../src/dataset/dataset-types.ts';
import { indexDicom, seriesGeometry } from '../../../src/dicom/index/index.ts';
import type { VolumeGeometry } from '../../../src/dicom/volume.ts';
import { findingsAtThreshold } from '../../../src/inference/findings-at-threshold.ts';
import { sampleStudy, type CachedSampleStudy } from '../../helpers/sample-study.ts';

export const READER = 'Reader^Alice';
export const MODEL: ModelRef = { id: 'truth-nodule-model', version: '1.0.0', sha256: 'ab'.repeat(32) };

export interface ReviewedDataset {
  db: string;
  store: DatasetStore;
  reviewed: CachedSampleStudy;
  unreviewed: CachedSampleStudy;
  patient: { name: string; id: string };
  /** The patient of the unreviewed study. */
  otherPatient: { name: string; id: string };
  /** Finding ids of the reviewed series by what happened to them. */
  ids: { confirmed: number; rejected: number; corrected: number; added: number };
  /** The final label of the reviewed series (uint8, i-fastest on its geometry). */
  expectedLabel: Uint8Array;
  /** Slice k of nodule 3 the reader corrected. */
  correctedSlice: number;
  /** Voxels of nodule 3 left after the correction. */
  correctedVoxels: number;
}

function truthMask(study: CachedSampleStudy): Uint8Array {
  return new Uint8Array(gunzipSync(readFileSync(path.join(study.dir, study.truth.mask.file))));
}

/** Imports a study and records a model run whose probability map is the truth mask of `labels`. */
async function importWithRun(
  store: DatasetStore,
  study: CachedSampleStudy,
  labels: number[],
): Promise<{
  uid: string;
  geometry: VolumeGeometry;
  findings: StoredFinding[];
  patient: { name: string; id: string };
}> {
  store.addRoot(study.dir);
  const index = await indexDicom([path.join(study.dir, 'dicom')]);
  const [indexed] = index.studies;
  if (!indexed || index.studies.length !== 1) throw new Error(`expected one study in ${study.dir}`);
  const geometries = new Map(indexed.series.map((s) => [s.seriesInstanceUid, seriesGeometry(s)] as const));
  const [uid] = store.importStudy(indexed, geometries);
  const geometry = geometries.get(uid)!;
  const mask = truthMask(study);
  // Different probabilities per nodule so the scores differ: 1.0, 0.78, 0.59 …
  const probability = Uint8Array.from(mask, (label) =>
    labels.includes(label) ? 255 - 55 * labels.indexOf(label) : 0,
  );
  const findings = findingsAtThreshold(probability, geometry, 0.5);
  const runId = store.startRun(uid, MODEL, 0.5, { source: 'truth mask' });
  const stored = store.finishRun(runId, {
    findings,
    score: Math.max(0, ...findings.map((f) => f.score)),
    probability,
    warnings: [],
    seconds: 0.1,
  });
  return { uid, geometry, findings: stored, patient: { name: indexed.patientName, id: indexed.patientId } };
}

/** Which truth nodule a stored finding is: the label most of its proposal voxels carry. */
function noduleOf(store: DatasetStore, finding: StoredFinding, mask: Uint8Array): number {
  const counts = new Map<number, number>();
  for (const index of store.maskVoxels(finding.id, 'proposal')) {
    counts.set(mask[index], (counts.get(mask[index]) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0;
}

export async function reviewedDataset(): Promise<ReviewedDataset> {
  const reviewed = sampleStudy({ seed: 'dataset-export-1', size: 128, slices: 40, nodules: 4 });
  const unreviewed = sampleStudy({ seed: 'dataset-export-4', size: 96, slices: 32, nodules: 1 });
  // The generator places fewer nodules than asked where they do not fit; these seeds place them all.
  if (reviewed.truth.nodules.length !== 4 || unreviewed.truth.nodules.length !== 1) {
    throw new Error('the sample generator changed: pick seeds that place 4 and 1 nodules');
  }
  const db = path.join(mkdtempSync(path.join(os.tmpdir(), 'overread-export-db-')), 'dataset.sqlite');
  const store = openDataset(db);
  store.addReader(READER);

  const { uid, geometry, findings, patient } = await importWithRun(store, reviewed, [1, 2, 3]);
  const { patient: otherPatient } = await importWithRun(store, unreviewed, [1]);
  const mask = truthMask(reviewed);
  const byNodule = new Map(findings.map((f) => [noduleOf(store, f, mask), f]));
  const [one, two, three] = [1, 2, 3].map((label) => {
    const finding = byNodule.get(label);
    if (!finding) throw new Error(`the model run has no finding for nodule ${label}`);
    return finding;
  });
  const [cols, rows] = geometry.size;
  const plane = cols * rows;

  store.decide(one.id, READER, { kind: 'confirmed' });
  store.decide(two.id, READER, { kind: 'rejected', reason: 'vessel' });

  // Nodule 3: the reader erases the left half (i below the centre) of its centre slice.
  const centre3 = reviewed.truth.nodules[2].centreVoxel;
  const correctedSlice = Math.round(centre3[2]);
  const edited = store.maskSlice(three.id, correctedSlice, 'final', READER).slice();
  for (let j = 0; j < rows; j++) for (let i = 0; i < Math.round(centre3[0]); i++) edited[i + j * cols] = 0;
  store.correctMaskSlice(three.id, READER, correctedSlice, edited);
  // …then presses Confirm: the latest decision is "confirmed", yet the outline is the reader's (MANUAL).
  store.decide(three.id, READER, { kind: 'confirmed' });

  // Nodule 4, missed by the model: painted on its centre slice.
  const k4 = Math.round(reviewed.truth.nodules[3].centreVoxel[2]);
  const painted = mask.subarray(k4 * plane, (k4 + 1) * plane).map((label) => (label === 4 ? 1 : 0));
  const added = store.addFinding(uid, READER, k4, painted);
  store.setStatus(uid, 'done', READER);

  // The label from the truth alone: nodule 1, nodule 3 less the erased half-slice, nodule 4's painted slice.
  const expectedLabel = new Uint8Array(mask.length);
  let correctedVoxels = 0;
  for (let n = 0; n < mask.length; n++) {
    const k = Math.floor(n / plane);
    const i = n % cols;
    if (mask[n] === 1) expectedLabel[n] = 1;
    if (mask[n] === 3 && !(k === correctedSlice && i < Math.round(centre3[0]))) {
      expectedLabel[n] = 1;
      correctedVoxels++;
    }
    if (mask[n] === 4 && k === k4) expectedLabel[n] = 1;
  }
  return {
    db,
    store,
    reviewed,
    unreviewed,
    patient,
    otherPatient,
    ids: { confirmed: one.id, rejected: two.id, corrected: three.id, added: added.id },
    expectedLabel,
    correctedSlice,
    correctedVoxels,
  };
}
