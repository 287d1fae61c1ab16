// The 3-D outline from a click: on hand-built phantoms with exact answers (a free sphere, one on a vessel, one
// on the chest wall, a click on the rim, a cavity, a click on air) and on generated studies against the
// generator's own nodule labels, by kind of attachment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Vec3 } from '../../src/dicom/volume.ts';
import { generateStudy } from '../../src/sample/generate-study.ts';
import {
  outlineNodule,
  outlineSliceRange,
  OutlineError,
  type Outline,
} from '../../src/segment/seeded-outline.ts';

const SPACING: Vec3 = [0.7, 0.7, 1.25];
const SIZE: Vec3 = [96, 96, 48];
const LUNG = -850;
const TISSUE = 40;

/** A lung-filled volume painted by `at(x, y, z)` (mm from the volume's first voxel; undefined keeps lung). */
function phantom(at: (p: Vec3) => number | undefined): Int16Array[] {
  const [nx, ny, nz] = SIZE;
  return Array.from({ length: nz }, (_, k) => {
    const slice = new Int16Array(nx * ny);
    for (let j = 0; j < ny; j++)
      for (let i = 0; i < nx; i++)
        slice[i + j * nx] = at([i * SPACING[0], j * SPACING[1], k * SPACING[2]]) ?? LUNG;
    return slice;
  });
}

const CENTRE: Vec3 = [33.6, 33.6, 30]; // mm: voxel (48, 48, 24)
const CENTRE_VOXEL: Vec3 = [48, 48, 24];
const distance = (p: Vec3, q: Vec3) => Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);

function outline(slices: Int16Array[], seed: Vec3 = CENTRE_VOXEL): Outline {
  return outlineNodule(
    { values: slices, firstSlice: 0, columns: SIZE[0], rows: SIZE[1], spacing: SPACING },
    { seed, range: [-700, 3000], maxDiameterMm: 45 },
  );
}

/** Every outlined voxel's position (mm), for checking where the outline went. */
function positions(result: Outline): Vec3[] {
  const out: Vec3[] = [];
  for (const [k, mask] of result.masks)
    for (let n = 0; n < mask.length; n++)
      if (mask[n])
        out.push([(n % SIZE[0]) * SPACING[0], Math.floor(n / SIZE[0]) * SPACING[1], k * SPACING[2]]);
  return out;
}

/** Voxels within r mm of the centre. */
function ballVoxels(r: number): number {
  let count = 0;
  for (let k = 0; k < SIZE[2]; k++)
    for (let j = 0; j < SIZE[1]; j++)
      for (let i = 0; i < SIZE[0]; i++)
        if (distance([i * SPACING[0], j * SPACING[1], k * SPACING[2]], CENTRE) <= r) count++;
  return count;
}

test('a nodule free in the lung is outlined voxel for voxel, without needing to be freed', () => {
  const result = outline(phantom((p) => (distance(p, CENTRE) <= 5 ? TISSUE : undefined)));
  assert.equal(result.voxels, ballVoxels(5));
  assert.ok(positions(result).every((p) => distance(p, CENTRE) <= 5));
  assert.deepEqual(result.separation, { kind: 'none', mm: 0 });
  assert.deepEqual(result.start, CENTRE_VOXEL);
  assert.deepEqual(
    [...result.masks.keys()],
    Array.from({ length: 9 }, (_, n) => 20 + n), // 30 ± 5 mm at 1.25 mm: slices 20–28
  );
});

test('a nodule on a vessel is freed from it by an opening, the vessel left out', () => {
  // A 2 mm-wide vessel running along x through the nodule's edge, across the whole volume.
  const vessel = (p: Vec3) => Math.hypot(p[1] - (CENTRE[1] + 4), p[2] - CENTRE[2]) <= 1.0;
  const result = outline(phantom((p) => (distance(p, CENTRE) <= 5 || vessel(p) ? TISSUE : undefined)));
  assert.equal(result.separation.kind, 'opening');
  assert.ok(result.separation.mm > 1 && result.separation.mm < 5, `ball ${result.separation.mm} mm`);
  const far = positions(result).filter((p) => distance(p, CENTRE) > 6.5);
  assert.equal(far.length, 0, `${far.length} voxels of the vessel kept beyond the nodule`);
  const inside = positions(result).filter((p) => distance(p, CENTRE) <= 5).length;
  assert.ok(inside >= 0.9 * ballVoxels(5), `${inside} of ${ballVoxels(5)} nodule voxels`);
});

// The deeper it sits, the more of its base the wall's balls take with them (as with any rolling ball): the
// share of its lung-side voxels kept, measured 0.82 / 0.74 / 0.65, must not fall below these.
for (const [inFront, share] of [
  [4, 0.8],
  [2, 0.7],
  [0, 0.6],
] as const)
  test(`a nodule on the chest wall (centre ${inFront} mm in front of it) is cut from the wall, keeping its body`, () => {
    // The wall: everything beyond x = centre + inFront mm; the nodule bulges into the lung.
    const wallX = CENTRE[0] + inFront;
    const result = outline(phantom((p) => (p[0] >= wallX || distance(p, CENTRE) <= 6 ? TISSUE : undefined)));
    // Which way frees it depends on how deep it sits: an opening when the wall's balls cannot reach its core.
    assert.notEqual(result.separation.kind, 'none');
    const lungSide = (p: Vec3) => distance(p, CENTRE) <= 6 && p[0] < wallX;
    let nodule = 0;
    for (let k = 0; k < SIZE[2]; k++)
      for (let j = 0; j < SIZE[1]; j++)
        for (let i = 0; i < SIZE[0]; i++)
          if (lungSide([i * SPACING[0], j * SPACING[1], k * SPACING[2]])) nodule++;
    const kept = positions(result);
    const inside = kept.filter(lungSide).length;
    assert.ok(inside >= share * nodule, `${inside} of the ${nodule} voxels in front of the wall`);
    const wall = kept.filter((p) => !lungSide(p)).length;
    assert.ok(wall <= 0.5 * nodule, `${wall} wall voxels taken (nodule ${nodule})`);
    assert.ok(
      kept.every((p) => distance(p, CENTRE) <= 12),
      'nothing of the wall far from the nodule',
    );
  });

test('a click just outside the rim snaps to the nodule; a click on open lung says what to do', () => {
  const slices = phantom((p) => (distance(p, CENTRE) <= 5 ? TISSUE : undefined));
  // 5 mm = 7.1 voxels: column 56 is 5.6 mm from the centre, 0.6 mm beyond the rim.
  const rim = outline(slices, [56, 48, 24]);
  assert.equal(rim.voxels, ballVoxels(5));
  assert.deepEqual(rim.start, [55, 48, 24]);
  assert.throws(
    () => outline(slices, [10, 10, 24]),
    (error) =>
      error instanceof OutlineError &&
      /value at the click is -850, outside the range -700 … 3000.*click inside the nodule, or set the range \(G\)/.test(
        error.message,
      ),
  );
});

test('a cavity inside a nodule is part of its outline', () => {
  const result = outline(
    phantom((p) => (distance(p, CENTRE) <= 1.5 ? -1000 : distance(p, CENTRE) <= 6 ? TISSUE : undefined)),
    [48 + 5, 48, 24], // the wall of the cavity, 3.5 mm from the centre
  );
  assert.equal(result.voxels, ballVoxels(6));
});

test('the slices an outline may reach are those within the search sphere, clipped to the series', () => {
  assert.deepEqual(outlineSliceRange(10, 200, 1.25, 45), [0, 28]);
  assert.deepEqual(outlineSliceRange(100, 120, 2.5, 45), [91, 109]);
  assert.deepEqual(outlineSliceRange(50, 200, 0.8, 40), [25, 75]);
});

test('on generated studies the outline from a click at each nodule centre matches its label', () => {
  const dice: Record<string, number[]> = { none: [], vessel: [], pleura: [] };
  for (const seed of ['1', '2', '4', '6', '10', '13', '14', '19']) {
    const study = generateStudy({ seed, size: 256 });
    const [columns, rows, count] = study.geometry.size;
    const plane = columns * rows;
    for (const nodule of study.nodules) {
      const seedVoxel = nodule.centreVoxel.map(Math.round) as Vec3;
      const [first, last] = outlineSliceRange(seedVoxel[2], count, study.geometry.spacing[2], 45);
      const values = [];
      for (let k = first; k <= last; k++) values.push(study.hu.subarray(k * plane, (k + 1) * plane));
      const result = outlineNodule(
        { values, firstSlice: first, columns, rows, spacing: study.geometry.spacing },
        { seed: seedVoxel, range: [-700, 3000], maxDiameterMm: 45 },
      );
      let shared = 0;
      for (const [k, mask] of result.masks)
        for (let n = 0; n < plane; n++) if (mask[n] && study.mask[k * plane + n] === nodule.label) shared++;
      const d = (2 * shared) / (result.voxels + nodule.voxelCount);
      assert.ok(d > 0.3, `seed ${seed} nodule ${nodule.label} (${nodule.attached}): Dice ${d.toFixed(2)}`);
      dice[nodule.attached]!.push(d);
    }
  }
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  // Measured on 40 seeds (71 nodules): free 0.90, on a vessel 0.84, on the pleura 0.78.
  for (const [attached, floor] of [
    ['none', 0.85],
    ['vessel', 0.75],
    ['pleura', 0.65],
  ] as const) {
    assert.ok(dice[attached]!.length >= 3, `${dice[attached]!.length} ${attached} nodules`);
    assert.ok(mean(dice[attached]!) >= floor, `${attached}: mean Dice ${mean(dice[attached]!).toFixed(3)}`);
  }
});
