import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatasetStore } from '../../src/dataset/dataset-types.ts';
import { applyThreshold } from '../../src/metrics/apply-threshold.ts';
import { collectDecisions } from '../../src/metrics/collect-decisions.ts';
import { metricsFigures } from '../../src/metrics/metrics-figures.ts';
import { reviewedStore } from './reviewed-store.ts';

let dir: string;
let store: DatasetStore;
let uids: string[];

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'overread-metrics-store-'));
  ({ store, uids } = await reviewedStore(join(dir, 'dataset.sqlite')));
});
after(() => {
  store?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('done series become the decision set: kinds, reasons, Dice on the stored masks, added peak from the map', () => {
  const series = collectDecisions(store);
  assert.deepEqual(series.map((s) => s.seriesUid).sort(), uids.slice(0, 3).sort(), 'S4 is not reviewed');
  const s1 = series.find((s) => s.seriesUid === uids[0])!;
  assert.equal(s1.reader, 'ana');
  assert.equal(s1.runThreshold, 0.5);
  assert.equal(s1.modelId, 'lung-nodule-unet');
  assert.equal(s1.score, 230 / 255);
  const byScore = (score: number) => s1.findings.find((f) => f.score === score / 255)!;
  assert.equal(byScore(230).kind, 'confirmed');
  assert.deepEqual([byScore(200).kind, byScore(200).reason], ['rejected', 'vessel']);
  assert.equal(byScore(150).kind, 'corrected');
  // 27 proposed voxels, slice 5 widened to 12: final 30, shared 27 → 2·27 / 57.
  assert.ok(Math.abs(byScore(150).dice! - 54 / 57) < 1e-12, `Dice ${byScore(150).dice}`);
  const addedFinding = s1.findings.find((f) => f.source === 'reader')!;
  assert.equal(addedFinding.kind, 'added');
  assert.equal(addedFinding.peakProbability, 90 / 255);
  assert.equal(series.find((s) => s.seriesUid === uids[1])!.reader, 'bo');
});

test('the figures of the stored review match the hand count', () => {
  const figures = metricsFigures(collectDecisions(store), { resamples: 200 });
  assert.equal(figures.counts.truePositives, 3);
  assert.equal(figures.counts.falsePositives, 2);
  assert.equal(figures.counts.falseNegatives, 1);
  assert.deepEqual(figures.counts.rejectedBy, { vessel: 1, scar: 0, artefact: 1, benign: 0, other: 0 });
  assert.equal(figures.sensitivity.value, 3 / 4);
  assert.equal(figures.precision.value, 3 / 5);
  assert.equal(figures.fpPerScan.value, 2 / 3);
  assert.equal(figures.auc.value, 1);
  assert.deepEqual(
    figures.froc.map((p) => [Math.round(p.threshold * 255), p.sensitivity, p.fpPerScan]),
    [
      [240, 0.25, 0],
      [230, 0.5, 0],
      [200, 0.5, 1 / 3],
      [160, 0.5, 2 / 3],
      [150, 0.75, 2 / 3],
    ],
  );
});

test('a saved threshold re-derives the untouched series’ proposals from the kept map, without the model', () => {
  const before = store.findings(uids[3]);
  assert.equal(before.length, 3, 'at 0.5: the 230, 200 and 150 cubes');
  const reviewedRun = store.series(uids[0])!.latestRunId;
  const outcome = applyThreshold(store, { modelId: 'lung-nodule-unet', threshold: 0.7 });
  assert.deepEqual(outcome, {
    modelId: 'lung-nodule-unet',
    threshold: 0.7,
    updated: 1,
    skipped: [],
    findingsBefore: 3,
    findingsAfter: 2,
  });
  const after = store.findings(uids[3]);
  assert.deepEqual(
    after.map((f) => Math.round(f.score! * 255)),
    [230, 200],
  );
  const latest = store.run(store.series(uids[3])!.latestRunId!)!;
  assert.equal(latest.threshold, 0.7);
  assert.equal(latest.params.derivedFromRun, before[0].runId);
  assert.equal(store.series(uids[3])!.status, 'flagged');
  assert.equal(store.series(uids[0])!.latestRunId, reviewedRun, 'a reviewed series keeps its run');
  // Another model's threshold touches nothing.
  assert.equal(applyThreshold(store, { modelId: 'other-model', threshold: 0.7 }).updated, 0);
});
