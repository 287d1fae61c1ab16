import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MetricsReport, ThresholdPreview } from '../../src/shared/metrics-types.ts';
import { reviewedStore } from '../metrics/reviewed-store.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
let dir: string;
let db: string;

const metrics = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/overread.js', 'metrics', ...args], { cwd: repo, encoding: 'utf8' });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'overread-metrics-cli-'));
  db = join(dir, 'dataset.sqlite');
  (await reviewedStore(db)).store.close();
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('--json prints the report with the hand-counted figures (see tests/metrics/reviewed-store.ts)', () => {
  const result = metrics('--db', db, '--json', '--resamples', '200');
  assert.equal(result.status, 0, result.stderr);
  const report = JSON.parse(result.stdout) as MetricsReport;
  assert.equal(report.models.length, 1);
  const [model] = report.models;
  assert.equal(model.modelId, 'lung-nodule-unet');
  assert.equal(model.counts.series, 3);
  assert.equal(model.sensitivity.value, 0.75);
  assert.equal(model.sensitivity.count, 4);
  assert.equal(model.precision.value, 0.6);
  assert.equal(model.fpPerScan.value, 2 / 3);
  assert.equal(model.auc.value, 1);
  assert.equal(report.bootstrap.resamples, 200);
  assert.deepEqual(
    model.byReader.map((g) => g.label),
    ['reader: ana', 'reader: bo', 'reader: no decisions'],
  );
});

test('the text report names each figure with its interval and count, and a preview shows what changes', () => {
  const result = metrics('--db', db, '--preview', '0.65');
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /sensitivity\s+0\.750\s+\[\d\.\d{3}–\d\.\d{3}\]\s+n=4 lesions/);
  assert.match(result.stdout, /FP per scan\s+0\.667 .* n=3 series/);
  // At 0.65 the 150 (TP) and 160 (FP) cubes drop out: TP 2, FP 1.
  assert.match(result.stdout, /at 0\.650: +TP 2, FP 1, FN 2; sensitivity 0\.500/);
  const json = metrics('--db', db, '--json', '--resamples', '0', '--target-fp', '0');
  const calibration = (
    JSON.parse(json.stdout) as { calibration: { fpTarget: { threshold: number; preview: ThresholdPreview } } }
  ).calibration;
  // FP/scan 0 allows only the 240 and 230 cubes: the lowest such threshold is 230/255 → 0.901.
  assert.equal(calibration.fpTarget.threshold, 0.901);
  assert.equal(calibration.fpTarget.preview.proposed.truePositives, 2);
});

test('a missing dataset or a bad threshold is refused with what to do', () => {
  const missing = metrics('--db', join(dir, 'nope.sqlite'));
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no dataset at .*nope\.sqlite — pass --db FILE/);
  const bad = metrics('--db', db, '--preview', '2');
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /--preview 2 is not a number in \(0, 1\]/);
  const none = metrics('--db', db, '--model', 'other-model');
  assert.equal(none.status, 0);
  assert.match(none.stdout, /no reviewed series for model other-model/);
});
