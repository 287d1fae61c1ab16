// The worklist marks series outside the model's declared scope: a series the model runs on but whose slice
// thickness lies outside the manifest's training range, and on which it finds nothing, is listed as
// "outside-scope" with the reason, not silently as "no findings". The same series under a model whose range
// covers it is an ordinary "no findings". (Issue 7: verified through the real API and a real model process.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Job, WorklistPage } from '../../src/shared/api-types.ts';
import { sampleStudy } from '../helpers/sample-study.ts';
import { installTestModel } from '../inference/test-models.ts';
import type { ModelHost } from '../../src/inference/model-host.ts';
import { importThrough, openTestApi } from './api-test-kit.ts';

async function triageWith(sliceThicknessMm: [number, number], createModelHost?: () => ModelHost) {
  const study = sampleStudy({ seed: 'scope-marking', size: 64, slices: 12, nodules: 0 });
  const probe = await openTestApi({ autoTriage: false });
  const modelsDir = join(probe.dir, 'models');
  await probe.close();
  // probability = sigmoid(−10) ≈ 0 everywhere: the model finds nothing, so only scope can mark the series.
  installTestModel(
    modelsDir,
    { kind: 'fast', a: 0, b: -10, channels: 1 },
    { id: 'scope-test-model', trainingRanges: { sliceThicknessMm } },
  );
  const t = await openTestApi({ userModels: modelsDir, autoTriage: false, createModelHost });
  try {
    await importThrough(t, [study.dir]);
    const uid = study.truth.seriesInstanceUid;
    const job = await t.finish(await t.json<Job>('POST', `/api/series/${uid}/run-model`));
    assert.equal(job.state, 'done', job.message);
    const page = await t.json<WorklistPage>('GET', '/api/worklist?limit=10');
    return page.items.find((item) => item.seriesUid === uid)!;
  } finally {
    await t.close();
  }
}

test('a series thinner than the model was trained on, with no findings, is marked outside-scope', async () => {
  const item = await triageWith([5, 10]);
  assert.equal(item.status, 'outside-scope');
  assert.equal(item.findingCount, 0);
  assert.ok(
    item.scopeWarnings.some((w) => /thickness/i.test(w)),
    `scope warnings: ${JSON.stringify(item.scopeWarnings)}`,
  );
});

test('the same series inside the model’s range is an ordinary "no findings"', async () => {
  const item = await triageWith([0.1, 10]);
  assert.equal(item.status, 'no-findings');
  assert.deepEqual(item.scopeWarnings, []);
});

test('a note from the model process (its int8 kernels replaced) is shown with the series but does not mark it outside-scope', async () => {
  const note =
    "model scope-test-model: onnxruntime's int8 kernels on this CPU do not compute what the model's graph says";
  // The model process as int8-kernel-check.ts leaves it after catching a model: nothing found, one note.
  const host: ModelHost = {
    async run({ volume }) {
      const [, rows, slices] = volume.geometry.size;
      const timings = { preprocessMs: 0, batchWaitMs: 0, waitMs: 0, postprocessMs: 0, totalMs: 0 };
      return {
        values: new Uint8Array(volume.voxels.length),
        rowMax: new Uint8Array(rows * slices),
        peak: 0,
        timings: { ...timings, loadMs: 0, sessionMs: 0, int8CheckMs: 1 },
        warnings: [note],
      };
    },
    async close() {},
  };
  const item = await triageWith([0.1, 10], () => host);
  assert.equal(item.status, 'no-findings');
  assert.deepEqual(item.scopeWarnings, [note]);
});
