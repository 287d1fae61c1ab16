// The first-start sample through the API: an empty dataset offers it; POST /api/sample generates two
// synthetic studies (in a worker thread) into the data folder and imports them as a job.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Job, SessionInfo, WorklistPage } from '../../src/shared/api-types.ts';
import { openTestApi } from './api-test-kit.ts';

test(
  'an empty dataset offers the sample; importing it adds two studies and withdraws the offer',
  { timeout: 120_000 },
  async (t) => {
    const api = await openTestApi({ autoTriage: false });
    t.after(() => api.close());
    assert.equal((await api.json<SessionInfo>('GET', '/api/session')).sampleAvailable, true);

    const job = await api.json<Job>('POST', '/api/sample');
    assert.equal(job.kind, 'import');
    assert.equal(
      (await api.json<SessionInfo>('GET', '/api/session')).sampleAvailable,
      false,
      'not while running',
    );
    const last = await api.finish(job);

    assert.equal(last.state, 'done', last.message);
    assert.match(last.message, /2 series in 2 studies imported/);
    const page = await api.json<WorklistPage>('GET', '/api/worklist');
    assert.equal(page.total, 2);
    const folder = join(api.dir, 'sample-studies');
    assert.equal(
      readdirSync(folder).filter((name) => existsSync(join(folder, name, 'truth.json'))).length,
      2,
    );
    assert.equal(api.api.isInsideRoots(join(folder, 'study-001')), true);
    assert.equal((await api.json<SessionInfo>('GET', '/api/session')).sampleAvailable, false);

    // A second request re-imports the studies already generated: nothing new, nothing doubled.
    const again = await api.finish(await api.json<Job>('POST', '/api/sample'));
    assert.equal(again.state, 'done', again.message);
    assert.equal((await api.json<WorklistPage>('GET', '/api/worklist')).total, 2);
  },
);
