import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slabMaximum, slabRange, type SlabMaximum } from '../../../renderer/viewport/slab-projection.ts';
import type { SlicePixels } from '../../../src/shared/finding-profile.ts';

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

/** A deterministic pseudo-random stack (mulberry32), so a failure can be replayed. */
function randomStack(count: number, length: number, seed: number, stored: 'int16' | 'scaled'): SlicePixels[] {
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: count }, (_, k) => {
    // Few distinct values, so ties between slices are common.
    if (stored === 'int16')
      return {
        data: Int16Array.from({ length }, () => Math.round(next() * 8) * 100 - 1000),
        slope: 1,
        intercept: 0,
      };
    return {
      data: Uint16Array.from({ length }, () => Math.round(next() * 8) * 50),
      slope: 0.5 + (k % 3),
      intercept: -1024,
    };
  });
}

for (const stored of ['int16', 'scaled'] as const) {
  test(`a slab built from the previous one is the slab computed afresh (${stored})`, () => {
    const stack = randomStack(40, 257, stored === 'int16' ? 7 : 11, stored);
    // Scrolling one slice at a time both ways, jumps that overlap a little or not at all, thicker and thinner.
    const slabs: [number, number][] = [
      [0, 10],
      [1, 11],
      [2, 12],
      [3, 13],
      [2, 12],
      [1, 11],
      [9, 19],
      [20, 30],
      [29, 39],
      [25, 27],
      [20, 35],
      [22, 24],
      [23, 23],
      [0, 39],
      [5, 6],
    ];
    let previous = null as SlabMaximum | null;
    for (const [first, last] of slabs) {
      const slices = stack.slice(first, last + 1);
      const before: Pick<SlabMaximum, 'values' | 'from'> | null = previous && {
        values: previous.values.slice(),
        from: previous.from.slice(),
      };
      const built = slabMaximum(first, slices, previous);
      const fresh = slabMaximum(first, slices);
      assert.deepEqual(Array.from(built.values), Array.from(fresh.values), `slab ${first}–${last}`);
      assert.equal(built.values.constructor, stored === 'int16' ? Int16Array : Float32Array);
      assert.deepEqual(Array.from(built.values), Array.from(maxProjection(slices)));
      // Each pixel names a slice of the slab that holds its maximum.
      built.from.forEach((k, i) => {
        assert.ok(k >= first && k <= last, `pixel ${i} from slice ${k}, outside ${first}–${last}`);
        const { data, slope, intercept } = stack[k]!;
        assert.equal(Math.fround(data[i]! * slope + intercept), built.values[i]);
      });
      // The previous slab is left as it was (its image may still be on screen or cached).
      if (previous && before) {
        assert.deepEqual(Array.from(previous.values), Array.from(before.values));
        assert.deepEqual(Array.from(previous.from), Array.from(before.from));
      }
      previous = built;
    }
  });
}

test('a previous slab of another size or kind of pixels is not reused', () => {
  const small = randomStack(5, 10, 3, 'int16');
  const large = randomStack(5, 12, 3, 'int16');
  const scaled = randomStack(5, 10, 3, 'scaled');
  const previous = slabMaximum(0, small);
  assert.deepEqual(
    Array.from(slabMaximum(1, large.slice(1), previous).values),
    Array.from(maxProjection(large.slice(1))),
  );
  assert.deepEqual(
    Array.from(slabMaximum(1, scaled.slice(1), previous).values),
    Array.from(maxProjection(scaled.slice(1))),
  );
});

/** The slab's maximum computed afresh. */
function maxProjection(slices: readonly SlicePixels[]): Int16Array | Float32Array {
  return slabMaximum(0, slices).values;
}
