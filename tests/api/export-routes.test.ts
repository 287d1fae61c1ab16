// POST /api/export through the real API over a reviewed dataset (tests/export/helpers/reviewed-dataset.ts):
// the job's SSE stream ends "done" with the files written; bad requests are problems before any job starts;
// a cancelled export leaves no folder behind. Also listed in the OpenAPI document.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exportRoutes } from '../../src/api/routes/export-routes.ts';
import { JobRegistry } from '../../src/api/job-registry.ts';
import { openDataset } from '../../src/dataset/open-dataset.ts';
import { runExport } from '../../src/export/export-orchestrator.ts';
import type { Job } from '../../src/shared/api-types.ts';
import { reviewedDataset, type ReviewedDataset } from '../export/helpers/reviewed-dataset.ts';
import { openTestApi, type TestApi } from './api-test-kit.ts';

let data: ReviewedDataset;
let t: TestApi;
let work: string;

before(async () => {
  data = await reviewedDataset();
  data.store.close();
  t = await openTestApi({ db: data.db, autoTriage: false });
  work = mkdtempSync(path.join(os.tmpdir(), 'overread-export-api-'));
});

after(async () => {
  await t.close();
  rmSync(work, { recursive: true, force: true });
  rmSync(path.dirname(data.db), { recursive: true, force: true });
});

test('POST /api/export runs a job followed over SSE; the files are there when it says done', async () => {
  const outDir = path.join(work, 'nnunet');
  const job = await t.json<Job>('POST', '/api/export', { format: 'nnunet', outDir });
  assert.equal(job.kind, 'export');
  assert.equal(job.state, 'running');
  const last = await t.finish(job);
  assert.equal(last.state, 'done', last.message);
  assert.match(last.message, /1 series, 4 findings written to/);
  assert.equal(last.done, last.total);
  assert.deepEqual(readdirSync(path.join(outDir, 'labelsTr')), ['case_0001.nii.gz']);
  const rows = readFileSync(path.join(outDir, 'findings.csv'), 'utf8').trimEnd().split('\r\n');
  assert.equal(rows.length, 5, 'header + 4 findings');
});

test('bad requests are problems, and no job starts', async () => {
  const relative = await t.call('POST', '/api/export', { format: 'csv', outDir: 'relative/out' });
  assert.equal(relative.status, 400);
  assert.match(((await relative.json()) as { detail: string }).detail, /outDir must be an absolute path/);
  const format = await t.call('POST', '/api/export', { format: 'png', outDir: path.join(work, 'png') });
  assert.equal(format.status, 400);
  const taken = path.join(work, 'taken');
  mkdirSync(taken);
  writeFileSync(path.join(taken, 'something'), 'x');
  const busy = await t.call('POST', '/api/export', { format: 'csv', outDir: taken });
  assert.equal(busy.status, 409);
  assert.match(((await busy.json()) as { detail: string }).detail, /already exists and is not empty/);
  const none = await t.call('POST', '/api/export', {
    format: 'csv',
    outDir: path.join(work, 'none'),
    status: 'outside-scope',
  });
  assert.equal(none.status, 409);
  assert.equal(existsSync(path.join(work, 'none')), false);
  const doc = await t.json<{ paths: Record<string, unknown> }>('GET', '/api/openapi.json');
  assert.ok(doc.paths['/api/export'], 'the export route is in the OpenAPI document');
});

test('a cancelled export leaves no folder and ends "cancelled"', async () => {
  const store = openDataset(data.db);
  try {
    const jobs = new JobRegistry();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const app = exportRoutes(store, jobs, {
      run: async (series, options) => {
        await gate; // cancelled before the first file is written
        return runExport(series, options);
      },
    });
    const outDir = path.join(work, 'cancelled');
    const response = await app.request('/api/export', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ format: 'dicom-seg', outDir }),
    });
    assert.equal(response.status, 202);
    const job = (await response.json()) as Job;
    assert.ok(jobs.cancel(job.id));
    release();
    const events = await new Response(jobs.events(job.id)).text();
    const last = JSON.parse(events.trim().split('\n\n').at(-1)!.slice(6)) as Job;
    assert.equal(last.state, 'cancelled');
    assert.equal(existsSync(outDir), false);
    assert.deepEqual(
      readdirSync(work).filter((name) => name.startsWith('cancelled')),
      [],
      'no .partial- folder either',
    );
  } finally {
    store.close();
  }
});
