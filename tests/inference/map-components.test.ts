// The flood fill behind findings and the seeded outline: every component of a map at a level, and the one
// component around a voxel, 26-connected (a diagonal touch joins), on a volume with its faces in play.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Vec3 } from '../../src/dicom/volume.ts';
import { componentFrom, forEachComponent } from '../../src/inference/map-components.ts';

const SIZE: Vec3 = [6, 5, 4];
const at = (i: number, j: number, k: number) => i + j * SIZE[0] + k * SIZE[0] * SIZE[1];

/** Three components at level 100: a diagonal chain through a corner of the volume, a pair, a lone voxel. */
function map(): Uint8Array {
  const values = new Uint8Array(SIZE[0] * SIZE[1] * SIZE[2]);
  for (const [i, j, k] of [
    [0, 0, 0],
    [1, 1, 1],
    [2, 2, 2],
    [2, 3, 2],
  ])
    values[at(i, j, k)] = 200;
  values[at(5, 0, 0)] = 150;
  values[at(5, 1, 0)] = 100;
  values[at(5, 4, 3)] = 255;
  values[at(3, 0, 3)] = 99; // below the level: in no component
  return values;
}

test('forEachComponent hands every component at the level, diagonal touches joined', () => {
  const found: number[][] = [];
  forEachComponent(map(), SIZE, 100, undefined, (voxels) => found.push([...voxels].sort((a, b) => a - b)));
  assert.deepEqual(found, [
    [at(0, 0, 0), at(1, 1, 1), at(2, 2, 2), at(2, 3, 2)],
    [at(5, 0, 0), at(5, 1, 0)],
    [at(5, 4, 3)],
  ]);
});

test('componentFrom gives the one component around a voxel, and none below the level', () => {
  const values = map();
  assert.deepEqual(
    [...componentFrom(values, SIZE, 100, at(2, 3, 2))].sort((a, b) => a - b),
    [at(0, 0, 0), at(1, 1, 1), at(2, 2, 2), at(2, 3, 2)],
  );
  assert.deepEqual(
    [...componentFrom(values, SIZE, 100, at(5, 1, 0))].sort((a, b) => a - b),
    [at(5, 0, 0), at(5, 1, 0)],
  );
  assert.deepEqual([...componentFrom(values, SIZE, 151, at(5, 0, 0))], []);
  assert.deepEqual([...componentFrom(values, SIZE, 100, at(3, 0, 3))], []);
});
