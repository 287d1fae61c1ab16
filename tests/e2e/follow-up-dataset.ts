// Test helper: a dataset holding a synthetic follow-up pair (`overread sample --follow-up`, seed
// 'follow-up-api:5': one nodule grown, one gone, two stable, one new), each series with a model run whose
// probability map is its truth mask, so the model proposes exactly the true nodules of each scan.
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { openDataset } from '../../src/dataset/open-dataset.ts';
import { indexDicom, seriesGeometry } from '../../src/dicom/index/index.ts';
import { findingsAtThreshold } from '../../src/inference/findings-at-threshold.ts';
import { generateStudy, writeStudy, type SampleTruth } from '../../src/sample/index.ts';

export interface FollowUpDataset {
  db: string;
  baseline: SampleTruth;
  follow: SampleTruth;
}

export async function followUpDataset(): Promise<FollowUpDataset> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'overread-follow-up-e2e-'));
  const db = path.join(root, 'overread.db');
  const store = openDataset(db);
  const truths: SampleTruth[] = [];
  for (const followUp of [undefined, {}]) {
    const dir = path.join(root, followUp ? 'follow-up' : 'baseline');
    writeStudy(generateStudy({ seed: 'follow-up-api:5', size: 160, slices: 70, nodules: 4, followUp }), dir);
    const truth = JSON.parse(readFileSync(path.join(dir, 'truth.json'), 'utf8')) as SampleTruth;
    truths.push(truth);
    store.addRoot(dir);
    const [indexed] = (await indexDicom([path.join(dir, 'dicom')])).studies;
    const geometries = new Map(indexed!.series.map((s) => [s.seriesInstanceUid, seriesGeometry(s)] as const));
    const [uid] = store.importStudy(indexed!, geometries);
    const mask = gunzipSync(readFileSync(path.join(dir, truth.mask.file)));
    const probability = Uint8Array.from(mask, (label) => (label ? 230 : 0));
    const findings = findingsAtThreshold(probability, geometries.get(uid!)!, 0.5);
    const run = store.startRun(
      uid!,
      { id: 'truth-model', version: '1.0.0', sha256: 'cd'.repeat(32) },
      0.5,
      {},
    );
    store.finishRun(run, { findings, score: 0.9, probability, warnings: [], seconds: 0.1 });
  }
  store.close();
  return { db, baseline: truths[0]!, follow: truths[1]! };
}
