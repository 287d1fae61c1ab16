import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assembleVolume } from '../../src/inference/load-series-volume.ts';
import { geometry } from './volume-fixtures.ts';

const frames = [0, 1, 2, 3].map((k) => ({ path: `/data/${k}.dcm`, frameIndex: 0, k }));

test('decoded frames land at their slice, whatever order the decoder finishes in', async () => {
  const g = geometry([3, 2, 4], [1, 1, 1]);
  const volume = await assembleVolume(frames, g, async (frame) => {
    await new Promise((resolve) => setTimeout(resolve, (4 - frame.k) * 5)); // later slices finish first
    return new Float32Array(6).fill(frame.k * 100);
  });
  assert.deepEqual(
    [0, 6, 12, 18].map((n) => volume.voxels[n]),
    [0, 100, 200, 300],
  );
  assert.equal(volume.geometry, g);
});

test('a frame of the wrong size names the file', async () => {
  const g = geometry([3, 2, 4], [1, 1, 1]);
  await assert.rejects(
    assembleVolume(frames, g, async (frame) => new Float32Array(frame.k === 2 ? 5 : 6)),
    /\/data\/2\.dcm: frame 0 has 5 pixels, the series 3 × 2/,
  );
});

test('a frame count that disagrees with the geometry is refused', async () => {
  await assert.rejects(
    assembleVolume(frames, geometry([3, 2, 5], [1, 1, 1]), async () => new Float32Array(6)),
    /4 frames but its geometry 5 slices/,
  );
});

test('an aborted load stops', async () => {
  await assert.rejects(
    assembleVolume(frames, geometry([3, 2, 4], [1, 1, 1]), async () => new Float32Array(6), {
      signal: AbortSignal.abort(),
    }),
    { name: 'AbortError' },
  );
});

test('int16 frames make an int16 volume; the first other frame turns it float32 with every value kept', async () => {
  const g = geometry([3, 2, 4], [1, 1, 1]);
  const ints = await assembleVolume(frames, g, async (frame) => new Int16Array(6).fill(-1000 + frame.k));
  assert.ok(ints.voxels instanceof Int16Array);
  assert.deepEqual(Array.from(ints.voxels.filter((_, n) => n % 6 === 0)), [-1000, -999, -998, -997]);

  // Slices 0 and 1 arrive as int16 first, then a float slice (a fraction, and a value beyond int16).
  const mixed = await assembleVolume(frames, g, async (frame) => {
    await new Promise((resolve) => setTimeout(resolve, frame.k * 5));
    return frame.k === 2
      ? new Float32Array([0.5, 40000, 0, 0, 0, 0])
      : new Int16Array(6).fill(-1000 + frame.k);
  });
  assert.ok(mixed.voxels instanceof Float32Array);
  assert.deepEqual(Array.from(mixed.voxels.subarray(0, 14)), [
    ...Array(6).fill(-1000),
    ...Array(6).fill(-999),
    0.5,
    40000,
  ]);
  assert.equal(mixed.voxels[18], -997);
});
