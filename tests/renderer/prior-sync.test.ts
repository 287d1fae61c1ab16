import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SeriesInfo, Vec3 } from '../../src/shared/api-types.ts';
import { priorPoint, sideBySideProblem } from '../../renderer/prior-sync.ts';

const axial = (origin: Vec3, spacing: Vec3, slices: number): SeriesInfo['geometry'] => ({
  size: [100, 100, slices],
  spacing,
  origin,
  direction: [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ],
});

test('a slice of the current scan maps to the prior slice at the same anatomy, through the translation', () => {
  // Current: 2 mm slices from z = −300; prior: 1 mm slices from z = −330, the patient 40 mm further along +z.
  const current = axial([-200, -200, -300], [2, 2, 2], 100);
  const prior = axial([-200, -200, -330], [1, 1, 1], 200);
  // Current slice 10 is at z = −280; +40 mm → −240 in the prior: its slice 90. Pixel (50, 50) → x, y −100 + 5.
  const at = priorPoint(current, prior, [5, -3, 40], { k: 10, column: 50, row: 50 });
  assert.deepEqual(at, { k: 90, column: 105, row: 97, inside: true });
  // Half a slice beyond either end still counts as inside; further is outside, clamped to the nearest end.
  assert.equal(priorPoint(current, prior, [0, 0, -30.4], { k: 0, column: 0, row: 0 }).inside, true);
  const below = priorPoint(current, prior, [0, 0, -31], { k: 0, column: 0, row: 0 });
  assert.deepEqual([below.k, below.inside], [0, false]);
  const above = priorPoint(current, prior, [0, 0, 40], { k: 99, column: 0, row: 0 });
  assert.deepEqual([above.k, above.inside], [199, false]);
});

test('a prior stacked head first (k running to −z) is read back in its own slice order', () => {
  const current = axial([0, 0, 0], [1, 1, 2.5], 40);
  const prior: SeriesInfo['geometry'] = {
    size: [100, 100, 50],
    spacing: [1, 1, 2],
    origin: [0, 0, 98],
    direction: [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, -1],
    ],
  };
  // Current slice 8 is z = 20; the prior's k for z = 20 is (98 − 20) / 2 = 39.
  assert.equal(priorPoint(current, prior, [0, 0, 0], { k: 8, column: 10, row: 10 }).k, 39);
});

test('side by side needs the prior stacked in the same plane with its rows along the same axes', () => {
  const current = axial([0, 0, 0], [1, 1, 1], 10);
  assert.equal(sideBySideProblem(current, axial([5, 5, 5], [0.7, 0.7, 2], 40)), null);
  const upsideDown = {
    ...current,
    direction: [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, -1],
    ] as [Vec3, Vec3, Vec3],
  };
  assert.equal(sideBySideProblem(current, upsideDown), null);
  const sagittal = {
    ...current,
    direction: [
      [0, 1, 0],
      [0, 0, -1],
      [1, 0, 0],
    ] as [Vec3, Vec3, Vec3],
  };
  assert.match(sideBySideProblem(current, sagittal)!, /stacked in another plane/);
  const turned = {
    ...current,
    direction: [
      [0, 1, 0],
      [1, 0, 0],
      [0, 0, 1],
    ] as [Vec3, Vec3, Vec3],
  };
  assert.match(sideBySideProblem(current, turned)!, /turned against/);
});
