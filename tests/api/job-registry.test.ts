import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JobRegistry } from '../../src/api/job-registry.ts';
import type { Job } from '../../src/shared/api-types.ts';

async function readEvents(stream: ReadableStream<Uint8Array>): Promise<Job[]> {
  const text = await new Response(stream).text();
  return text
    .split('\n\n')
    .filter(Boolean)
    .map((chunk) => JSON.parse(chunk.replace(/^data: /, '')) as Job);
}

test('a job streams its progress and ends done', async () => {
  const jobs = new JobRegistry();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const job = jobs.start('import', 'importing', async ({ progress }) => {
    await gate;
    progress(1, 3);
    progress(2, 3, 'two of three');
    progress(3, 3);
    return 'imported 3 files';
  });
  const events = readEvents(jobs.events(job.id)!);
  release();
  const seen = await events;
  assert.equal(seen[0].state, 'running');
  assert.deepEqual(
    seen.map((e) => e.done),
    [0, 1, 2, 3, 3],
  );
  assert.equal(seen.at(-1)?.state, 'done');
  assert.equal(seen.at(-1)?.message, 'imported 3 files');
  assert.equal(jobs.get(job.id)?.state, 'done');
});

test('a failing job reports its error; a cancelled one says cancelled', async () => {
  const jobs = new JobRegistry();
  const failing = jobs.start('model', 'running', async () => {
    throw new Error('model X: sha256 mismatch');
  });
  const failed = await readEvents(jobs.events(failing.id)!);
  assert.equal(failed.at(-1)?.state, 'failed');
  assert.match(failed.at(-1)?.message ?? '', /sha256 mismatch/);

  const long = jobs.start(
    'model',
    'running',
    ({ signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
  );
  const stream = readEvents(jobs.events(long.id)!);
  assert.equal(jobs.cancel(long.id), true);
  const cancelled = await stream;
  assert.equal(cancelled.at(-1)?.state, 'cancelled');
  assert.equal(jobs.cancel(long.id), false, 'cannot cancel twice');
  assert.equal(jobs.events('nope'), undefined);
});
