// The model process's pre-processing thread builds exactly what SliceBatcher builds on the calling thread,
// reuses spent buffers, and a probability map crosses the process boundary as its live rows only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SliceBatcher } from '../../src/inference/slice-batcher.ts';
import { WorkerBatches } from '../../src/inference/worker-batches.ts';
import { packProbabilityRows, unpackProbabilityRows } from '../../src/inference/model-host.ts';
import { geometry } from './volume-fixtures.ts';
import { manifest } from './manifest-fixtures.ts';

function sharedVolume() {
  const g = geometry([40, 30, 9], [0.8, 0.8, 1.25]);
  const voxels = new Int16Array(new SharedArrayBuffer(40 * 30 * 9 * 2));
  for (let n = 0; n < voxels.length; n++) voxels[n] = ((n * 7919) % 2400) - 1200;
  return { geometry: g, voxels };
}

test('batches built on the worker thread equal SliceBatcher’s, spent buffers reused', async () => {
  const volume = sharedVolume();
  const input = manifest({
    input: {
      name: 'image',
      channels: 5,
      pixelSpacingMm: 1.5,
      sizeMultiple: 8,
      sliceSpacingMm: 1.5,
      normalization: { kind: 'window', window: [-1000, 400] },
    },
  }).input;
  const local = new SliceBatcher(volume, input);
  const batches = new WorkerBatches();
  try {
    batches.open(1, volume, input);
    const first = await batches.batch(0, 4);
    assert.deepEqual(first.dims, local.batch(0, 4).dims);
    assert.deepEqual([...first.data], [...local.batch(0, 4).data]);
    const firstBuffer = first.data.buffer;
    const second = await batches.batch(4, 4);
    assert.deepEqual([...second.data], [...local.batch(4, 4).data]);
    // The last, shorter batch is built into the first batch's buffer, which then leaves this thread.
    const last = await batches.batch(8, 1, first.data);
    assert.equal(firstBuffer.byteLength, 0, 'the spent buffer was handed over, not copied');
    assert.deepEqual(last.dims, [1, 5, local.grid.rows, local.grid.cols]);
    assert.deepEqual([...last.data], [...local.batch(8, 1).data]);
    assert.ok(batches.buildMs > 0);
    // A volume outside shared memory is refused instead of silently copied.
    assert.throws(
      () =>
        batches.open(2, { geometry: volume.geometry, voxels: new Int16Array(volume.voxels.length) }, input),
      /SharedArrayBuffer/,
    );
  } finally {
    await batches.close();
  }
});

test('a failing batch names the pre-processing step; the next run still works', async () => {
  const volume = sharedVolume();
  const input = manifest().input;
  const batches = new WorkerBatches();
  try {
    batches.open(1, volume, input);
    // Slices past the end clamp to the last one; a negative count cannot make an array.
    await assert.rejects(batches.batch(0, -1), /pre-processing failed/);
    batches.open(2, volume, input);
    const ok = await batches.batch(0, 2);
    assert.deepEqual([...ok.data], [...new SliceBatcher(volume, input).batch(0, 2).data]);
  } finally {
    await batches.close();
  }
});

test('a worker that cannot read its byte channel fails the run and reports the channel lost', async () => {
  const volume = sharedVolume();
  let lost = 0;
  const batches = new WorkerBatches({ bulkFd: 987654 }, () => lost++); // no such descriptor
  try {
    batches.expect(1, volume.voxels);
    batches.open(1, volume, manifest().input);
    await assert.rejects(batches.batch(0, 2), /pre-processing thread stopped/);
    assert.equal(lost, 1);
  } finally {
    await batches.close();
  }
});

test('only live rows cross: packed and unpacked, the map is unchanged; a short or long pack is refused', () => {
  const cols = 6;
  const values = new Uint8Array(cols * 5);
  const rowMax = new Uint8Array(5);
  values.set([0, 3, 9, 0, 0, 1], 1 * cols);
  values.set([255, 0, 0, 0, 0, 0], 3 * cols);
  for (let r = 0; r < 5; r++) rowMax[r] = Math.max(...values.subarray(r * cols, (r + 1) * cols));
  const packed = packProbabilityRows(values, rowMax, 1, 5, cols);
  assert.equal(packed.length, 2 * cols);
  const out = new Uint8Array(values.length);
  unpackProbabilityRows(packed, rowMax.subarray(1, 5), 1, out, cols);
  assert.deepEqual([...out], [...values]);
  assert.throws(
    () => unpackProbabilityRows(packed.subarray(cols), rowMax.subarray(1, 5), 1, out, cols),
    /fewer/,
  );
  assert.throws(() => unpackProbabilityRows(packed, rowMax.subarray(2, 5), 2, out, cols), /more/);
});
