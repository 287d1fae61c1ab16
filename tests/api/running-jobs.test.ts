import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JobRegistry } from '../../src/api/job-registry.ts';

test('running() lists the jobs still running, oldest first, and drops them when they end', async () => {
  const jobs = new JobRegistry();
  let finishImport!: () => void;
  const importGate = new Promise<void>((resolve) => (finishImport = resolve));
  const imported = jobs.start('import', 'importing', () => importGate);
  const model = jobs.start('model', 'reading series', () => new Promise<void>(() => {}));
  assert.deepEqual(
    jobs.running().map((job) => [job.id, job.kind]),
    [
      [imported.id, 'import'],
      [model.id, 'model'],
    ],
  );
  finishImport();
  await importGate;
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(
    jobs.running().map((job) => job.id),
    [model.id],
  );
  jobs.cancelAll();
});
