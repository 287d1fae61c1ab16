// DecodePool: frames decoded in worker threads equal the in-process decode, a bad file among good ones fails
// alone, and aborting a request rejects it without stopping the pool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { DecodePool } from '../../../src/dicom/decode/decode-pool.ts';
import { decodeFrame } from '../../../src/dicom/decode/decode-frame.ts';
import { DicomError } from '../../../src/dicom/dicom-error.ts';
import { decodeFixtures } from './decode-fixtures.ts';

const fixtures = decodeFixtures();

test('a bad file among good ones fails alone and the pool keeps decoding', async () => {
  const work = mkdtempSync(join(os.tmpdir(), 'overread-pool-'));
  const bad = join(work, 'truncated.dcm');
  const good = readFileSync(join(fixtures.dir, 'mr16.dcm'));
  writeFileSync(bad, good.subarray(0, good.length - 2000));
  const pool = new DecodePool({ size: 2 });
  try {
    const files = ['ct12.dcm', 'jpegls-mr16.dcm', 'rle-rgb-planar1.dcm', 'j2k-multiframe.dcm'].map((f) =>
      join(fixtures.dir, f),
    );
    const results = await Promise.allSettled([
      pool.decode(files[0]),
      pool.decode(bad),
      pool.decode(join(work, 'missing.dcm')),
      pool.decode(files[1]),
      pool.decode(files[2]),
      pool.decode(files[3], 2),
    ]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled'],
    );
    const badError = (results[1] as PromiseRejectedResult).reason;
    assert.ok(badError instanceof DicomError);
    assert.equal(badError.path, bad);
    assert.match(
      (results[2] as PromiseRejectedResult).reason.message,
      /missing\.dcm: cannot read the file \(ENOENT\)/,
    );
    for (const [n, index] of [
      [0, 0],
      [3, 0],
      [4, 0],
      [5, 2],
    ] as const) {
      const path = files[[0, 1, 2, 3][[0, 3, 4, 5].indexOf(n)]];
      const expected = await decodeFrame(path, readFileSync(path), index);
      const frame = (results[n] as PromiseFulfilledResult<Awaited<ReturnType<DecodePool['decode']>>>).value;
      assert.ok(frame.data instanceof Float32Array);
      assert.deepEqual(frame.data, expected.data, path);
      assert.equal(frame.photometric, expected.photometric);
    }
    // Still working after the failures.
    assert.equal((await pool.decode(files[0])).rows, 64);
  } finally {
    await pool.close();
  }
});

test('an aborted request rejects with AbortError, queued or already asked', async () => {
  const pool = new DecodePool({ size: 1 });
  try {
    const path = join(fixtures.dir, 'mr16.dcm');
    const first = new AbortController();
    const second = new AbortController();
    const running = pool.decode(path, 0, first.signal);
    const queued = pool.decode(path, 0, second.signal);
    second.abort();
    first.abort();
    await assert.rejects(queued, { name: 'AbortError' });
    await assert.rejects(running, { name: 'AbortError' });
    await assert.rejects(pool.decode(path, 0, AbortSignal.abort()), { name: 'AbortError' });
    assert.equal((await pool.decode(path)).columns, 64);
  } finally {
    await pool.close();
  }
});

test('the default size is min(2, CPUs)', async () => {
  const pool = new DecodePool();
  assert.equal(pool.size, Math.min(2, os.availableParallelism()));
  await pool.close();
});

test('a worker that dies fails only the request it was decoding; the one posted behind it goes to its replacement', async () => {
  const pool = new DecodePool({ size: 1 });
  try {
    const path = join(fixtures.dir, 'ct12.dcm');
    // Both are posted to the one worker at once (two in flight per worker); it is still starting, so neither is done.
    const first = pool.decode(path);
    const second = pool.decode(path, 0);
    const { worker } = (pool as unknown as { slots: Array<{ worker: import('node:worker_threads').Worker }> })
      .slots[0];
    await worker.terminate();
    await assert.rejects(first, (error: unknown) => {
      assert.ok(error instanceof DicomError);
      assert.match(error.message, /ct12\.dcm: the decoder crashed on frame 0 \(decode worker exited/);
      return true;
    });
    const frame = await second;
    assert.deepEqual(frame.data, (await decodeFrame(path, readFileSync(path))).data);
  } finally {
    await pool.close();
  }
});
