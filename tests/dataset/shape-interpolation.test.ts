import { test } from 'node:test';
import assert from 'node:assert/strict';
import { interpolateMask, signedDistance } from '../../src/dataset/shape-interpolation.ts';

const R = 64;
const C = 64;

function disc(cx: number, cy: number, r: number): Uint8Array {
  const mask = new Uint8Array(R * C);
  for (let y = 0; y < R; y++)
    for (let x = 0; x < C; x++) if ((x - cx) ** 2 + (y - cy) ** 2 <= r * r) mask[y * C + x] = 1;
  return mask;
}

const count = (mask: Uint8Array) => mask.reduce((sum, v) => sum + v, 0);

test('signed distance is the exact Euclidean distance in mm, positive inside and negative outside', () => {
  // The left 10 columns set; pixels 0.5 mm apart across, 2 mm down.
  const mask = new Uint8Array(R * C);
  for (let y = 0; y < R; y++) mask.fill(1, y * C, y * C + 10);
  const d = signedDistance(mask, R, C, [2, 0.5]);
  assert.equal(d[5 * C + 9], 0.5); // inside, next to the edge: one column to the nearest outside pixel
  assert.equal(d[5 * C + 0], 5); // ten columns in
  assert.equal(d[5 * C + 10], -0.5);
  assert.equal(d[40 * C + 30], -21 * 0.5);
  // A single pixel: distances to it follow both spacings (3 columns and 4 rows away: √(1.5² + 8²)).
  const dot = new Uint8Array(R * C);
  dot[20 * C + 20] = 1;
  const e = signedDistance(dot, R, C, [2, 0.5]);
  assert.ok(Math.abs(e[24 * C + 23]! + Math.hypot(1.5, 8)) < 1e-9, `${e[24 * C + 23]}`);
});

test('between a small and a large disc the radius grows linearly; equal outlines stay as they are', () => {
  const small = signedDistance(disc(32, 32, 4), R, C, [1, 1]);
  const large = signedDistance(disc(32, 32, 12), R, C, [1, 1]);
  for (const [t, radius] of [
    [0.25, 6],
    [0.5, 8],
    [0.75, 10],
  ] as const) {
    const r = Math.sqrt(count(interpolateMask(small, large, t)) / Math.PI);
    assert.ok(Math.abs(r - radius) < 0.6, `t ${t}: radius ${r.toFixed(2)}, expected about ${radius}`);
  }
  const same = signedDistance(disc(20, 40, 7), R, C, [1, 1]);
  assert.deepEqual(interpolateMask(same, same, 0.5), disc(20, 40, 7));
});

test('an outline that shifts between the slices moves rather than fading; apart, the middle is empty', () => {
  const left = signedDistance(disc(26, 32, 8), R, C, [1, 1]);
  const right = signedDistance(disc(34, 32, 8), R, C, [1, 1]);
  const middle = interpolateMask(left, right, 0.5);
  // Half-way: the points whose mean distance to the two centres is under the radius, an ellipse 8 × 6.9 centred
  // between them — nearly the discs' size, not their faded overlap.
  let sum = 0;
  for (let i = 0; i < middle.length; i++) if (middle[i]) sum += i % C;
  const cx = sum / count(middle);
  assert.ok(Math.abs(cx - 30) < 0.5, `centre x ${cx}`);
  assert.ok(count(middle) > 0.8 * count(disc(30, 32, 8)), `${count(middle)} pixels`);
  // Discs that do not overlap leave nothing between them (the store refuses such a fill and says why).
  const far = interpolateMask(
    signedDistance(disc(12, 32, 5), R, C, [1, 1]),
    signedDistance(disc(50, 32, 5), R, C, [1, 1]),
    0.5,
  );
  assert.equal(count(far), 0);
});
