// The metrics endpoints through the real API over a reviewed store whose figures are counted by hand
// (tests/metrics/reviewed-store.ts): report, threshold preview and choice, saving then applying a threshold
// to the unreviewed series from its kept probability map.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FindingInfo, Job } from '../../src/shared/api-types.ts';
import type { MetricsReport, ThresholdChoice, ThresholdPreview } from '../../src/shared/metrics-types.ts';
import { installTestModel } from '../inference/test-models.ts';
import { reviewedStore } from '../metrics/reviewed-store.ts';
import { openTestApi, type TestApi } from './api-test-kit.ts';

let work: string;
let t: TestApi;
let uids: string[];

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'overread-metrics-api-'));
  const db = join(work, 'dataset.sqlite');
  const built = await reviewedStore(db);
  uids = built.uids;
  built.store.close();
  const models = join(work, 'models');
  mkdirSync(models);
  installTestModel(models, { kind: 'fast', a: 10, b: -5, channels: 1 }, { id: 'lung-nodule-unet' });
  t = await openTestApi({ db, autoTriage: false, bundledModels: models });
});
after(async () => {
  await t?.close();
  rmSync(work, { recursive: true, force: true });
});

test('GET /api/metrics gives the hand-counted figures with intervals and counts', async () => {
  const report = await t.json<MetricsReport>('GET', '/api/metrics?resamples=100&seed=3');
  assert.deepEqual(report.bootstrap, { resamples: 100, seed: 3 });
  const [model] = report.models;
  assert.equal(model.sensitivity.value, 0.75);
  assert.equal(model.sensitivity.count, 4);
  assert.equal(model.precision.value, 0.6);
  assert.equal(model.fpPerScan.value, 2 / 3);
  assert.ok(model.sensitivity.low !== null && model.sensitivity.high !== null);
  assert.equal(model.froc.length, 5);
  assert.equal(model.weekly.length, 1);
});

test('preview and calibrate answer on the reviewed data; bad queries are problems', async () => {
  const preview = await t.json<ThresholdPreview>('GET', '/api/metrics/preview?threshold=0.65');
  assert.equal(preview.modelId, 'lung-nodule-unet', 'the installed model is the default');
  assert.equal(preview.proposed.truePositives, 2);
  assert.equal(preview.proposed.falsePositives, 1);
  assert.deepEqual(preview.lost, { truePositives: 1, falsePositives: 1 });
  const choice = await t.json<ThresholdChoice>('GET', '/api/metrics/calibrate?sensitivity=0.75');
  // 0.75 needs the 150/255 cube (0.588…): rounded down to 0.588, the same operating point.
  assert.equal(choice.threshold, 0.588);
  assert.equal(choice.preview?.proposed.sensitivity, 0.75);
  const bad = await t.call('GET', '/api/metrics/preview?threshold=2');
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { detail: string }).detail, /threshold/);
  const both = await t.call('GET', '/api/metrics/calibrate?sensitivity=0.5&fpPerScan=1');
  assert.equal(both.status, 400);
  assert.match(((await both.json()) as { detail: string }).detail, /give one target/);
});

test('a saved threshold is applied to the unreviewed series from its kept map, as a job', async () => {
  const early = await t.call('POST', '/api/models/lung-nodule-unet/threshold/apply');
  assert.equal(early.status, 409);
  assert.match(((await early.json()) as { detail: string }).detail, /no threshold is saved/);
  await t.json('PUT', '/api/models/lung-nodule-unet/threshold', { threshold: 0.7 });
  const job = await t.json<Job>('POST', '/api/models/lung-nodule-unet/threshold/apply');
  const last = await t.finish(job);
  assert.equal(last.state, 'done', last.message);
  assert.match(last.message, /1 unreviewed series re-derived from their kept maps \(3 → 2 findings\)/);
  const findings = await t.json<FindingInfo[]>('GET', `/api/series/${uids[3]}/findings`);
  assert.deepEqual(
    findings.map((f) => Math.round(f.score! * 255)),
    [230, 200],
  );
  const unknown = await t.call('POST', '/api/models/no-such-model/threshold/apply');
  assert.equal(unknown.status, 404);
});

test('the endpoints are in the OpenAPI document', async () => {
  const doc = await t.json<{ paths: Record<string, unknown> }>('GET', '/api/openapi.json');
  for (const path of [
    '/api/metrics',
    '/api/metrics/preview',
    '/api/metrics/calibrate',
    '/api/models/{id}/threshold/apply',
  ]) {
    assert.ok(doc.paths[path], `${path} documented`);
  }
});
