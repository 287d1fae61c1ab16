// Registration on synthetic pairs from the generator, whose true shift is known: the translation found from
// the coarse lattices of the two scans (every other slice, as the follow-up service samples them) is within
// 1.5 mm of the shift the generator applied, on three pairs; the same when the prior is stored with its
// slices and rows the other way round (other stacking and row directions: the general, slower lattice path);
// and a scan against an unrelated patient is flagged by its low correlation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { VolumeGeometry } from '../../src/dicom/volume.ts';
import { coarseLattice } from '../../src/followup/coarse-lattice.ts';
import { registerTranslation } from '../../src/followup/register-translation.ts';
import { generateStudy, type SampleStudy } from '../../src/sample/index.ts';

function lattice(geometry: VolumeGeometry, hu: Int16Array, step = 2) {
  const [columns, rows, depth] = geometry.size;
  const plane = columns * rows;
  const slices = new Map<number, Int16Array>();
  for (let k = 0; k < depth; k += step) slices.set(k, hu.subarray(k * plane, (k + 1) * plane));
  return coarseLattice(geometry, slices, 4);
}

const pair = (seed: string): [SampleStudy, SampleStudy] => [
  generateStudy({ seed, size: 128, slices: 90 }),
  generateStudy({ seed, size: 128, slices: 90, followUp: {} }),
];

for (const seed of ['register:1', 'register:2', 'register:3']) {
  test(`finds the generator's shift (${seed})`, async () => {
    const [prior, current] = pair(seed);
    const found = await registerTranslation(
      lattice(current.geometry, current.hu),
      lattice(prior.geometry, prior.hu),
    );
    const truth = current.followUp!.shiftMm.map((v) => -v);
    found.translationMm.forEach((v, axis) =>
      assert.ok(Math.abs(v - truth[axis]) < 1.5, `axis ${axis}: ${v} vs ${truth[axis]}`),
    );
    assert.ok(found.correlation > 0.9 && found.overlap > 0.8, JSON.stringify(found));
  });
}

test('the same with the prior stored transposed and upside down (rows along y, slices head first)', async () => {
  const [prior, current] = pair('register:1');
  const [n, , depth] = prior.geometry.size;
  const flipped = new Int16Array(prior.hu.length);
  // Voxel (i, j, k) of the new layout is the old (j, i, depth − 1 − k): rows run along y, slices downwards.
  for (let k = 0; k < depth; k++)
    for (let j = 0; j < n; j++)
      for (let i = 0; i < n; i++) flipped[i + n * (j + n * k)] = prior.hu[j + n * (i + n * (depth - 1 - k))];
  const { origin, spacing } = prior.geometry;
  const geometry: VolumeGeometry = {
    size: prior.geometry.size,
    spacing: [spacing[1], spacing[0], spacing[2]],
    origin: [origin[0], origin[1], origin[2] + (depth - 1) * spacing[2]],
    direction: [
      [0, 1, 0],
      [1, 0, 0],
      [0, 0, -1],
    ],
  };
  const found = await registerTranslation(lattice(current.geometry, current.hu), lattice(geometry, flipped));
  const truth = current.followUp!.shiftMm.map((v) => -v);
  found.translationMm.forEach((v, axis) =>
    assert.ok(Math.abs(v - truth[axis]) < 1.5, `axis ${axis}: ${v} vs ${truth[axis]}`),
  );
});

test('another patient lines up far worse than the same patient', async () => {
  const [prior, current] = pair('register:2');
  const stranger = generateStudy({ seed: 'register:stranger', size: 128, slices: 90 });
  const same = await registerTranslation(
    lattice(current.geometry, current.hu),
    lattice(prior.geometry, prior.hu),
  );
  const other = await registerTranslation(
    lattice(current.geometry, current.hu),
    lattice(stranger.geometry, stranger.hu),
  );
  assert.ok(other.correlation < same.correlation - 0.05, `${other.correlation} vs ${same.correlation}`);
});
