import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maxProjection, slabRange } from '../../../renderer/viewport/slab-projection.ts';

test('a slab covers the slices within half its thickness of the centre, in either stacking direction', () => {
  const ascending = Array.from({ length: 20 }, (_, k) => -100 + 2.5 * k);
  assert.deepEqual(slabRange(ascending, 10, 10), [8, 12]); // ±5 mm at 2.5 mm: two each side
  assert.deepEqual(slabRange(ascending, 10, 5), [9, 11]);
  assert.deepEqual(slabRange(ascending, 0, 10), [0, 2]); // clipped at the ends
  assert.deepEqual(slabRange(ascending, 19, 10), [17, 19]);
  const descending = [...ascending].reverse();
  assert.deepEqual(slabRange(descending, 10, 10), [8, 12]);
  // Positions a few µm off their nominal spacing (parsed from text) still count.
  assert.deepEqual(slabRange([0, 2.0004, 3.9996, 6], 1, 4), [0, 2]);
});

test('a slab thinner than the spacing, no slab, or unknown positions show the slice alone', () => {
  const positions = [0, 5, 10, 15];
  assert.deepEqual(slabRange(positions, 2, 4), [2, 2]);
  assert.deepEqual(slabRange(positions, 2, 0), [2, 2]);
  assert.deepEqual(slabRange([], 7, 10), [7, 7]);
});

test('a gap in the stack ends the slab at the gap', () => {
  // Slices 0–2 1 mm apart, then a 20 mm gap: a 10 mm slab on slice 3 stays on its side.
  const positions = [0, 1, 2, 22, 23, 24];
  assert.deepEqual(slabRange(positions, 3, 10), [3, 5]);
  assert.deepEqual(slabRange(positions, 1, 10), [0, 2]);
});

test('the projection is the voxel-wise maximum; exact int16 stays int16', () => {
  const out = maxProjection([
    { data: Int16Array.from([-1000, 40, 300]), slope: 1, intercept: 0 },
    { data: Int16Array.from([-600, -800, 310]), slope: 1, intercept: 0 },
    { data: Int16Array.from([-900, 50, -5]), slope: 1, intercept: 0 },
  ]);
  assert.ok(out instanceof Int16Array);
  assert.deepEqual(Array.from(out), [-600, 50, 310]);
});

test('slices stored with a slope and intercept are compared in modality values, giving float32', () => {
  // Stored 0…65535 quantised over different ranges: 100 stored in the first is 100 × 0.5 − 1000 = −950,
  // 10 in the second is 10 × 2 − 1024 = −1004.
  const out = maxProjection([
    { data: Uint16Array.from([100, 4000]), slope: 0.5, intercept: -1000 },
    { data: Uint16Array.from([10, 600]), slope: 2, intercept: -1024 },
  ]);
  assert.ok(out instanceof Float32Array);
  assert.deepEqual(Array.from(out), [-950, 1000]);
});

test('slices of different sizes, or none, are refused with what is wrong', () => {
  assert.throws(
    () =>
      maxProjection([
        { data: new Int16Array(4), slope: 1, intercept: 0 },
        { data: new Int16Array(6), slope: 1, intercept: 0 },
      ]),
    /6 and 4 pixels/,
  );
  assert.throws(() => maxProjection([]), /at least one slice/);
});
