// SIGKILL during a model run, through the real app process: `overread serve --models DIR` imports a study,
// its automatic triage starts the (deliberately slow) test network, and the server is killed while the
// network is on its slices. Restarted on the same dataset, the database passes integrity_check, the series is
// not shown flagged nor carries findings from the half run, the killed run is recorded failed (never
// complete), and the re-queued run then completes normally.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDataset } from '../../src/dataset/open-dataset.ts';
import type { Job, WorklistPage } from '../../src/shared/api-types.ts';
import { sampleStudy } from '../helpers/sample-study.ts';
import { installTestModel } from '../inference/test-models.ts';
import { integrityCheck, serve, type Served } from './crash-serve.ts';

const statusOf = async (server: Served, uid: string) =>
  (await server.json<WorklistPage>('GET', '/api/worklist?limit=1000')).items.find((i) => i.seriesUid === uid)
    ?.status;

async function modelJob(server: Served): Promise<Job> {
  for (let tries = 0; tries < 600; tries++) {
    const jobs = await server.json<Job[]>('GET', '/api/jobs');
    const job = jobs.find((j) => j.kind === 'model');
    if (job) return job;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the import started no model run');
}

test(
  'a model run killed midway is never shown complete; restarted, the series is queued and runs again',
  { timeout: 240_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'overread-crash-model-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const db = join(dir, 'overread.db');
    const models = join(dir, 'models');
    installTestModel(models, { kind: 'slow', channels: 3 }, { id: 'slow-model' });
    const study = sampleStudy({ seed: 'crash-model', size: 128, slices: 16 });
    const uid = study.truth.seriesInstanceUid;
    const args = ['--models', models, '--reader', 'crash-reader'];

    const first = await serve(db, args);
    t.after(() => first.kill());
    const imported = await first.json<Job>('POST', '/api/import', { paths: [study.dir] });
    assert.equal((await first.follow(imported.id)).state, 'done');
    const run = await modelJob(first);
    const during = await first.follow(
      run.id,
      (job) => /model: slice/.test(job.message) || job.state !== 'running',
    );
    assert.equal(during.state, 'running', `the run ended before the kill: ${during.message}`);
    assert.equal(await statusOf(first, uid), 'model-running');
    assert.equal(await first.kill(), 'SIGKILL');

    assert.equal(integrityCheck(db), 'ok');
    const second = await serve(db, args);
    t.after(() => second.kill());
    // The restart queues the interrupted series again by itself (the reader does not have to notice it).
    const after = await statusOf(second, uid);
    assert.equal(after, 'model-running', `restarted as ${after}`);
    const requeued = ((await second.json('GET', '/api/jobs')) as Job[]).filter((j) => j.kind === 'model');
    assert.equal(requeued.length, 1, 'the restart queued one model run');
    assert.deepEqual(
      await second.json('GET', `/api/series/${uid}/findings`),
      [],
      'no finding of the half run',
    );
    // Asking for a run now gets the job the restart queued, which completes in this process.
    const rerun = await second.json<Job>('POST', `/api/series/${uid}/run-model`);
    assert.equal(rerun.id, requeued[0]!.id);
    const finished = await second.follow(rerun.id);
    assert.equal(finished.state, 'done', finished.message);
    assert.ok(['flagged', 'no-findings'].includes((await statusOf(second, uid)) ?? ''));
    await second.stop();

    assert.equal(integrityCheck(db), 'ok');
    const store = openDataset(db);
    try {
      const runs = store.runs(uid);
      assert.equal(runs.length, 2, JSON.stringify(runs));
      assert.equal(runs[0]!.state, 'failed', 'the killed run is recorded failed');
      assert.match(runs[0]!.message ?? '', /interrupted/);
      assert.equal(runs[1]!.state, 'complete');
      for (const finding of store.findings(uid)) {
        assert.notEqual(finding.runId, runs[0]!.id, 'no finding belongs to the killed run');
      }
    } finally {
      store.close();
    }
  },
);
