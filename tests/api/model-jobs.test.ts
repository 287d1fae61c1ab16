// Model jobs through the API: a series the model cannot read is skipped with the reason and shown outside
// its scope; a run cancelled midway ends 'cancelled' and leaves the series as it was, not stuck 'running'.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Job, WorklistPage } from '../../src/shared/api-types.ts';
import { sampleStudy } from '../helpers/sample-study.ts';
import { installTestModel, type TestNetwork } from '../inference/test-models.ts';
import { importThrough, openTestApi, type TestApi } from './api-test-kit.ts';

async function apiWithModel(network: TestNetwork, autoTriage: boolean): Promise<TestApi> {
  const probe = await openTestApi({ autoTriage: false });
  const models = join(probe.dir, 'models');
  await probe.close();
  installTestModel(models, network, { id: `model-${network.kind}` });
  return openTestApi({ userModels: models, autoTriage });
}

const statusOf = async (t: TestApi, uid: string) =>
  (await t.json<WorklistPage>('GET', '/api/worklist?limit=1000')).items.find((i) => i.seriesUid === uid);

test(
  'a single image is skipped with the reason and listed outside the model scope',
  { timeout: 60_000 },
  async (t) => {
    const api = await apiWithModel({ kind: 'fast', a: -12, b: 6, channels: 3 }, true);
    t.after(() => api.close());
    const study = sampleStudy({ seed: 'api-single', size: 64, slices: 4 });
    const folder = join(api.dir, 'single');
    mkdirSync(folder);
    copyFileSync(study.files[0]!, join(folder, 'one.dcm'));
    await importThrough(api, [folder]);

    const job = await api.finish(
      await api.json<Job>('POST', `/api/series/${study.truth.seriesInstanceUid}/run-model`),
    );

    assert.equal(job.state, 'done', job.message);
    assert.match(job.message, /skipped: a single image/);
    const item = await statusOf(api, study.truth.seriesInstanceUid);
    assert.equal(item?.status, 'outside-scope');
    assert.ok(
      item?.scopeWarnings.some((w) => /single image/.test(w)),
      JSON.stringify(item?.scopeWarnings),
    );
  },
);

test(
  'a model run cancelled midway ends cancelled and leaves the series unread',
  { timeout: 120_000 },
  async (t) => {
    const api = await apiWithModel({ kind: 'slow', channels: 3 }, false);
    t.after(() => api.close());
    const study = sampleStudy({ seed: 'api-cancel', size: 64, slices: 12 });
    const uid = study.truth.seriesInstanceUid;
    await importThrough(api, [study.dir]);
    const job = await api.json<Job>('POST', `/api/series/${uid}/run-model`);
    assert.equal((await statusOf(api, uid))?.status, 'model-running');

    // Follow the events until the network is running, then cancel.
    const events = await api.call('GET', `/api/jobs/${job.id}/events`);
    const reader = events.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    let cancelled = false;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
      if (!cancelled && /model: slice/.test(text)) {
        cancelled = true;
        assert.equal((await api.call('POST', `/api/jobs/${job.id}/cancel`)).status, 200);
      }
    }
    const last = JSON.parse(text.trim().split('\n\n').at(-1)!.slice(6)) as Job;

    assert.equal(cancelled, true, `the run never reached the network: ${text}`);
    assert.equal(last.state, 'cancelled', last.message);
    assert.equal((await statusOf(api, uid))?.status, 'unread');
    const findings = await api.json<unknown[]>('GET', `/api/series/${uid}/findings`);
    assert.deepEqual(findings, [], 'no half run is shown');
  },
);
