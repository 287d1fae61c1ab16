// Measuring a final mask: a box has a known volume, centre and corner-to-corner diameter; on any binary blob
// the numbers agree with what the inference's own findingsAtThreshold reports for the same voxels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { VolumeGeometry } from '../../src/dicom/volume.ts';
import { findingsAtThreshold } from '../../src/inference/findings-at-threshold.ts';
import { measureMask } from '../../src/dataset/mask-measurements.ts';

const s = Math.SQRT1_2;
const geometry: VolumeGeometry = {
  size: [20, 16, 12],
  spacing: [0.7, 0.9, 2.5],
  origin: [-30, 12, 100],
  // oblique in-plane, so a wrong direction would move the centre
  direction: [
    [s, s, 0],
    [-s, s, 0],
    [0, 0, 1],
  ],
};
const [cols, rows] = geometry.size;
const at = (i: number, j: number, k: number) => i + j * cols + k * cols * rows;

test('a 4×3×2 box: volume, centre, and the diagonal of its outer faces', () => {
  const voxels: number[] = [];
  for (let k = 5; k < 7; k++)
    for (let j = 2; j < 5; j++) for (let i = 10; i < 14; i++) voxels.push(at(i, j, k));
  const m = measureMask(Uint32Array.from(voxels).sort(), geometry)!;
  assert.ok(Math.abs(m.volumeMm3 - 24 * 0.7 * 0.9 * 2.5) < 1e-9);
  const diagonal = Math.hypot(4 * 0.7, 3 * 0.9, 2 * 2.5);
  assert.ok(Math.abs(m.diameterMm - diagonal) < 1e-3 * diagonal, `${m.diameterMm} vs ${diagonal}`);
  // centre of voxel (11.5, 3, 5.5)
  const ci = 11.5 * 0.7;
  const cj = 3 * 0.9;
  const expected = [-30 + s * ci - s * cj, 12 + s * ci + s * cj, 100 + 5.5 * 2.5];
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(m.centreLps[c] - expected[c]) < 1e-9);
  assert.equal(measureMask(new Uint32Array(0), geometry), undefined);
});

test('an irregular blob measures as the inference measures the same binary map', () => {
  const map = new Uint8Array(cols * rows * geometry.size[2]);
  for (let k = 2; k < 9; k++)
    for (let j = 1; j < 14; j++)
      for (let i = 2; i < 17; i++) {
        const r = ((i - 9) / 6) ** 2 + ((j - 7) / 5) ** 2 + ((k - 5) / 3) ** 2;
        if (r <= 1 && !(i > 11 && k === 5)) map[at(i, j, k)] = 255; // an ellipsoid with a bite out of it
      }
  const [finding] = findingsAtThreshold(map, geometry, 0.5);
  const m = measureMask(finding.voxels, geometry)!;
  assert.ok(Math.abs(m.volumeMm3 - finding.volumeMm3) < 1e-6);
  assert.ok(
    Math.abs(m.diameterMm - finding.diameterMm) < 0.01 * finding.diameterMm,
    `${m.diameterMm} vs ${finding.diameterMm}`,
  );
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(m.centreLps[c] - finding.centerMm[c]) < 1e-6);
});
