import { test } from 'node:test';
import assert from 'node:assert/strict';
import { feretDiameter } from '../../src/inference/feret-diameter.ts';

function exact(points: Float64Array): number {
  let best = 0;
  for (let a = 0; a < points.length; a += 3)
    for (let b = a + 3; b < points.length; b += 3)
      best = Math.max(
        best,
        Math.hypot(points[a] - points[b], points[a + 1] - points[b + 1], points[a + 2] - points[b + 2]),
      );
  return best;
}

/** A deterministic pseudo-random generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

test('the caliper search matches the exact longest pairwise distance within 0.1 %', () => {
  for (let seed = 1; seed <= 20; seed++) {
    const next = random(seed);
    // Ellipsoid-ish clouds with a random elongation and orientation.
    const scale = [5 + 40 * next(), 5 + 20 * next(), 2 + 10 * next()];
    const angle = Math.PI * next();
    const points = new Float64Array(3 * 400);
    for (let p = 0; p < 400; p++) {
      const [x, y, z] = [next() - 0.5, next() - 0.5, next() - 0.5].map((v, a) => v * scale[a]);
      points.set(
        [x * Math.cos(angle) - y * Math.sin(angle), x * Math.sin(angle) + y * Math.cos(angle), z + x * 0.3],
        3 * p,
      );
    }
    const truth = exact(points);
    const found = feretDiameter(points);
    assert.ok(found <= truth + 1e-9, 'never longer than the true diameter');
    assert.ok(found >= truth * 0.999, `seed ${seed}: ${found} vs ${truth}`);
  }
});

test('one point has diameter 0, two points their distance', () => {
  assert.equal(feretDiameter(new Float64Array([1, 2, 3])), 0);
  assert.ok(Math.abs(feretDiameter(new Float64Array([0, 0, 0, 3, 4, 12])) - 13) < 1e-9);
});
