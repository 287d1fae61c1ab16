// The API closed and opened again on the same dataset, as after a restart: decisions are still there, and a
// series left queued for the model (status 'model-running', no run in progress) or cut off mid-run is queued again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openApi, type OpenApiOptions } from '../../src/api/open-api.ts';
import { openDataset } from '../../src/dataset/open-dataset.ts';
import type { FindingInfo, Job, WorklistPage } from '../../src/shared/api-types.ts';
import { sampleStudy } from '../helpers/sample-study.ts';
import { installTestModel } from '../inference/test-models.ts';

test(
  'after a restart decisions are kept and an interrupted queue is resumed',
  { timeout: 120_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'overread-reopen-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    mkdirSync(join(dir, 'none'));
    installTestModel(
      join(dir, 'models'),
      { kind: 'fast', a: -12, b: 6, channels: 3 },
      { id: 'reopen-model' },
    );
    const options: OpenApiOptions = {
      db: join(dir, 'overread.db'),
      dataDir: dir,
      bundledModels: join(dir, 'none'),
      userModels: join(dir, 'models'),
      reader: 'reader-a',
      rendererDir: false,
      decodeWorkers: 1,
    };
    const study = sampleStudy({ seed: 'api-reopen', size: 64, slices: 12 });
    const uid = study.truth.seriesInstanceUid;
    const call = async <T>(
      api: Awaited<ReturnType<typeof openApi>>,
      method: string,
      path: string,
      body?: unknown,
    ) => {
      const response = await api.fetch(
        new Request(`http://x${path}`, {
          method,
          ...(body === undefined
            ? {}
            : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
        }),
      );
      assert.ok(response.ok, `${method} ${path}: ${response.status} ${await response.clone().text()}`);
      return (path.endsWith('/events') ? await response.text() : await response.json()) as T;
    };
    const lastEvent = (text: string) => JSON.parse(text.trim().split('\n\n').at(-1)!.slice(6)) as Job;

    // First session: import and triage, decide one finding.
    let api = await openApi(options);
    const imported = await call<Job>(api, 'POST', '/api/import', { paths: [study.dir] });
    assert.equal(lastEvent(await call<string>(api, 'GET', `/api/jobs/${imported.id}/events`)).state, 'done');
    const run = await call<Job>(api, 'POST', `/api/series/${uid}/run-model`);
    assert.equal(lastEvent(await call<string>(api, 'GET', `/api/jobs/${run.id}/events`)).state, 'done');
    const [finding] = await call<FindingInfo[]>(api, 'GET', `/api/series/${uid}/findings`);
    await call(api, 'POST', `/api/findings/${finding!.id}/decision`, {
      kind: 'rejected',
      reason: 'artefact',
    });
    await api.close();

    // As if the last session ended with the series still queued.
    const store = openDataset(options.db!);
    store.setStatus(uid, 'model-running', null);
    store.close();

    // Without triage the stale status is cleared rather than left spinning for ever.
    api = await openApi({ ...options, autoTriage: false });
    const decided = await call<FindingInfo[]>(api, 'GET', `/api/series/${uid}/findings`);
    assert.equal(decided.find((f) => f.id === finding!.id)?.decision?.reason, 'artefact');
    assert.equal((await call<WorklistPage>(api, 'GET', '/api/worklist')).items[0]!.status, 'unread');
    assert.equal(api.isInsideRoots(study.files[0]!), true, 'the imported roots were kept');
    await api.close();

    // With triage the series is queued again by itself: nobody asks for the run.
    const again = openDataset(options.db!);
    again.setStatus(uid, 'model-running', null);
    again.close();
    api = await openApi(options);
    t.after(() => api.close());
    const deadline = Date.now() + 60_000;
    let status = '';
    while (Date.now() < deadline) {
      status = (await call<WorklistPage>(api, 'GET', '/api/worklist')).items[0]!.status;
      if (status !== 'model-running') break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(status, 'flagged');
    await api.close();

    // As if the app was killed during a run: a run left 'running' by a process that no longer exists. The
    // store marks it failed ("interrupted") when it opens, and the runner queues the series again.
    const interruptRun = () => {
      const store = openDataset(options.db!);
      store.setStatus(uid, 'model-running', null); // as the runner shows a series it runs
      const runId = store.startRun(
        uid,
        { id: 'reopen-model', version: '1', sha256: 'a'.repeat(64) },
        0.5,
        {},
      );
      store.close();
      const db = new Database(options.db!);
      db.prepare('UPDATE model_runs SET owner_pid = ? WHERE id = ?').run(2 ** 22 + 12345, runId); // no such pid
      db.close();
    };
    const statusAfterReopen = async () => {
      api = await openApi(options);
      const first = (await call<WorklistPage>(api, 'GET', '/api/worklist')).items[0]!.status;
      const jobs = (await call<Job[]>(api, 'GET', '/api/jobs')).filter((j) => j.kind === 'model');
      for (const job of jobs) await call<string>(api, 'GET', `/api/jobs/${job.id}/events`);
      await api.close();
      return { first, queued: jobs.length };
    };
    interruptRun();
    assert.deepEqual(await statusAfterReopen(), { first: 'model-running', queued: 1 });

    // Interrupted twice in a row: not queued a third time (the series may be what stops the app).
    interruptRun();
    interruptRun();
    assert.deepEqual(await statusAfterReopen(), { first: 'unread', queued: 0 });
    const runs = openDataset(options.db!);
    assert.deepEqual(
      runs.runs(uid).map((r) => r.state),
      ['complete', 'complete', 'failed', 'complete', 'failed', 'failed'],
    );
    runs.close();
    api = await openApi(options);
  },
);
