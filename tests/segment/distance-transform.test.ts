// The exact distance transform against brute force on random 2-D and 3-D grids with anisotropic spacing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { distanceTo } from '../../src/segment/distance-transform.ts';

function bruteForce(mask: Uint8Array, size: number[], spacing: number[], target: 0 | 1): Float64Array {
  const coords = (n: number) => {
    const out: number[] = [];
    for (const s of size) {
      out.push(n % s);
      n = Math.floor(n / s);
    }
    return out;
  };
  const out = new Float64Array(mask.length).fill(Infinity);
  for (let a = 0; a < mask.length; a++) {
    const ca = coords(a);
    for (let b = 0; b < mask.length; b++) {
      if (mask[b] !== target) continue;
      const cb = coords(b);
      const d = Math.hypot(...ca.map((v, axis) => (v - cb[axis]!) * spacing[axis]!));
      if (d < out[a]!) out[a] = d;
    }
  }
  return out;
}

function randomMask(length: number, seed: number, density: number): Uint8Array {
  let state = seed;
  const mask = new Uint8Array(length);
  for (let n = 0; n < length; n++) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    mask[n] = state / 2 ** 31 < density ? 1 : 0;
  }
  return mask;
}

for (const [size, spacing] of [
  [
    [17, 11],
    [0.7, 1.3],
  ],
  [
    [9, 7, 6],
    [0.68, 0.68, 2.5],
  ],
  [
    [6, 10, 8],
    [1.5, 0.8, 1],
  ],
] as const) {
  test(`distance to the nearest target sample is exact on a ${size.join('×')} grid spaced ${spacing.join(' × ')} mm`, () => {
    const length = size.reduce((a, b) => a * b, 1);
    for (const [seed, density] of [
      [1, 0.1],
      [7, 0.5],
    ] as const) {
      const mask = randomMask(length, seed, density);
      for (const target of [0, 1] as const) {
        const fast = distanceTo(mask, [...size], [...spacing], target);
        const slow = bruteForce(mask, [...size], [...spacing], target);
        for (let n = 0; n < length; n++) assert.ok(Math.abs(fast[n]! - slow[n]!) < 1e-9, `sample ${n}`);
      }
    }
  });
}

test('a grid without the target reads as far away everywhere, and a size mismatch is refused', () => {
  const far = distanceTo(new Uint8Array(12), [4, 3], [1, 1], 1);
  assert.ok(far.every((d) => d > 1e9));
  assert.throws(() => distanceTo(new Uint8Array(5), [2, 3], [1, 1], 1), /5 samples, the grid 6/);
});
