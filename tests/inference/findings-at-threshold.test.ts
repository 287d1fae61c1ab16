import { test } from 'node:test';
import assert from 'node:assert/strict';
import { patientToVoxel, type Vec3 } from '../../src/dicom/volume.ts';
import {
  findingsAtThreshold,
  seriesScore,
  thresholdLevel,
} from '../../src/inference/findings-at-threshold.ts';
import { geometry, sphereMap } from './volume-fixtures.ts';

const sphereVolume = (r: number) => (4 / 3) * Math.PI * r ** 3;

const cases: { name: string; spacing: Vec3; radius: number; descending?: boolean; oblique?: boolean }[] = [
  { name: 'ascending k, 0.7×0.7×1.25 mm', spacing: [0.7, 0.7, 1.25], radius: 6 },
  { name: 'descending k, 0.7×0.7×1.25 mm', spacing: [0.7, 0.7, 1.25], radius: 6, descending: true },
  { name: 'descending k, 0.6×0.8×3 mm', spacing: [0.6, 0.8, 3], radius: 8, descending: true },
  { name: 'oblique rows, 1 mm isotropic', spacing: [1, 1, 1], radius: 4, oblique: true },
];

for (const c of cases) {
  test(`a sphere comes back at its centre, volume and diameter (${c.name})`, () => {
    const g = geometry([96, 96, 48], c.spacing, { descending: c.descending, oblique: c.oblique });
    // A centre off the voxel grid, inside the volume whichever way k runs.
    const centre = patientToVoxelInverse(g, [41.3, 47.6, 23.4]);
    const values = sphereMap(g, [{ centerMm: centre, radiusMm: c.radius }]);

    const findings = findingsAtThreshold(values, g, 0.5);

    assert.equal(findings.length, 1);
    const [f] = findings;
    const offset = patientToVoxel(g, f.centerMm).map((v, a) => v - patientToVoxel(g, centre)[a]);
    for (const o of offset) assert.ok(Math.abs(o) < 0.5, `centre off by ${offset} voxels`);
    const volumeError = Math.abs(f.volumeMm3 / sphereVolume(c.radius) - 1);
    assert.ok(volumeError < 0.03, `volume ${f.volumeMm3} mm³ vs ${sphereVolume(c.radius)} (${volumeError})`);
    const diameterError = Math.abs(f.diameterMm / (2 * c.radius) - 1);
    assert.ok(diameterError < 0.03, `diameter ${f.diameterMm} mm vs ${2 * c.radius}`);
    assert.ok(f.score > 0.98, `score ${f.score}`);
    // Slice range, bounding box and mask agree with the voxels at or above the threshold, found by a scan.
    const level = thresholdLevel(0.5);
    const [cols, rows] = g.size;
    const above = [...values.keys()].filter((n) => values[n] >= level);
    assert.deepEqual([...f.voxels], above);
    const ks = above.map((n) => Math.floor(n / (cols * rows)));
    assert.deepEqual(f.sliceRange, [Math.min(...ks), Math.max(...ks)]);
    assert.equal(f.boundingBox.min[2], f.sliceRange[0]);
    assert.equal(f.focusSlice, Math.round(patientToVoxel(g, centre)[2]));
    assert.ok(Math.abs(f.volumeMm3 - above.length * c.spacing[0] * c.spacing[1] * c.spacing[2]) < 1e-6);
  });
}

/** The patient point at continuous voxel index `ijk` (tests place centres in index space, then convert). */
function patientToVoxelInverse(g: ReturnType<typeof geometry>, ijk: Vec3): Vec3 {
  const out: Vec3 = [...g.origin];
  for (let a = 0; a < 3; a++) for (let c = 0; c < 3; c++) out[c] += g.direction[a][c] * ijk[a] * g.spacing[a];
  return out;
}

test('a binary sphere (no soft edge) measures its voxel faces: diameter within one voxel', () => {
  const g = geometry([64, 64, 40], [0.8, 0.8, 1.5]);
  const centre = patientToVoxelInverse(g, [30.2, 31.7, 19.6]);
  const values = sphereMap(g, [{ centerMm: centre, radiusMm: 7 }], 0);
  const [f] = findingsAtThreshold(values, g, 0.5);
  // Each face sits up to half a voxel off the true surface; the longest caliper finds the worst pair.
  assert.ok(Math.abs(f.diameterMm - 14) <= 1.5, `diameter ${f.diameterMm}`);
});

test('a saturated finding (its whole core at p = 1) is shown through its middle, not at its rim', () => {
  // The default model's maps saturate: every voxel of a nodule's core holds 255, so "the most probable voxel"
  // alone would be the first of them — the top slice's rim.
  for (const descending of [false, true]) {
    const g = geometry([64, 64, 40], [0.7, 0.7, 1.25], { descending });
    const centre = patientToVoxelInverse(g, [30.2, 27.6, 19.3]);
    const values = sphereMap(g, [{ centerMm: centre, radiusMm: 6 }], 0);
    const [f] = findingsAtThreshold(values, g, 0.5);
    assert.ok(f.sliceRange[1] - f.sliceRange[0] >= 8, `slices ${f.sliceRange}`);
    const [i, j, k] = patientToVoxel(g, centre);
    assert.equal(f.focusSlice, Math.round(k), `descending ${descending}`);
    assert.ok(
      Math.abs(f.focusPoint[0] - i) <= 0.5 && Math.abs(f.focusPoint[1] - j) <= 0.5,
      `${f.focusPoint}`,
    );
  }
});

test('findings are numbered most probable first, and among equal scores the largest first', () => {
  const g = geometry([80, 80, 60], [1, 1, 1]);
  const at = (ijk: Vec3) => patientToVoxelInverse(g, ijk);
  // Three saturated (p = 1) of 3, 6 and 4 mm radius, head to foot in that order, and a larger one at p 0.8.
  const values = sphereMap(
    g,
    [
      { centerMm: at([20, 20, 10]), radiusMm: 3 },
      { centerMm: at([60, 20, 25]), radiusMm: 6 },
      { centerMm: at([20, 60, 40]), radiusMm: 4 },
      { centerMm: at([60, 60, 50]), radiusMm: 8, peak: 204 },
    ],
    0,
  );
  const findings = findingsAtThreshold(values, g, 0.5);
  // Each told apart by the slice of its centre: 6 mm (k 25), 4 mm (k 40), 3 mm (k 10), then the p 0.8 one.
  assert.deepEqual(
    findings.map((f) => [f.id, f.score, Math.round(patientToVoxel(g, f.centerMm)[2])]),
    [
      [1, 1, 25],
      [2, 1, 40],
      [3, 1, 10],
      [4, 0.8, 50],
    ],
  );
});

test('with each row’s highest value given, only rows that reach the threshold are scanned, same findings', () => {
  const g = geometry([80, 60, 40], [1, 1, 2]);
  const values = sphereMap(g, [
    { centerMm: patientToVoxelInverse(g, [20, 30, 20]), radiusMm: 5, peak: 200 },
    { centerMm: patientToVoxelInverse(g, [50, 30, 30]), radiusMm: 4, peak: 250 },
    { centerMm: patientToVoxelInverse(g, [62, 12, 10]), radiusMm: 3, peak: 100 },
  ]);
  const rowMax = new Uint8Array(60 * 40);
  for (let row = 0; row < rowMax.length; row++)
    rowMax[row] = values.subarray(row * 80, (row + 1) * 80).reduce((m, v) => Math.max(m, v), 0);
  for (const threshold of [0.1, 0.3, 0.5, 0.9]) {
    const hinted = findingsAtThreshold(values, g, threshold, {}, rowMax);
    assert.deepEqual(hinted, findingsAtThreshold(values, g, threshold), `threshold ${threshold}`);
  }
  assert.equal(findingsAtThreshold(values, g, 0.3, {}, rowMax).length, 3);
  // The hint is trusted: a row it calls empty is not scanned (which is why only ProbabilityWriter makes it).
  assert.equal(findingsAtThreshold(values, g, 0.3, {}, new Uint8Array(60 * 40)).length, 0);
  assert.throws(() => findingsAtThreshold(values, g, 0.3, {}, new Uint8Array(3)), /rowMax holds 3 rows/);
});

test('separated blobs are two findings ranked by score; touching blobs are one', () => {
  const g = geometry([80, 60, 40], [1, 1, 2]);
  const a = patientToVoxelInverse(g, [20, 30, 20]);
  const far = patientToVoxelInverse(g, [50, 30, 20]);
  const touching = patientToVoxelInverse(g, [29, 30, 20]);

  const separate = findingsAtThreshold(
    sphereMap(g, [
      { centerMm: a, radiusMm: 5, peak: 200 },
      { centerMm: far, radiusMm: 5, peak: 250 },
    ]),
    g,
    0.3,
  );
  assert.equal(separate.length, 2);
  assert.deepEqual(
    separate.map((f) => f.id),
    [1, 2],
  );
  assert.ok(separate[0].score > separate[1].score);
  assert.ok(Math.abs(separate[0].centerMm[0] - far[0]) < 0.5, 'the higher-scoring blob is ranked first');

  const merged = findingsAtThreshold(
    sphereMap(g, [
      { centerMm: a, radiusMm: 5 },
      { centerMm: touching, radiusMm: 5 },
    ]),
    g,
    0.3,
  );
  assert.equal(merged.length, 1);
  assert.ok(merged[0].diameterMm > 17, `a merged pair spans both: ${merged[0].diameterMm} mm`);
});

test('26-connectivity: voxels touching only at a corner form one finding', () => {
  const g = geometry([10, 10, 10], [1, 1, 1]);
  const values = new Uint8Array(1000);
  values[3 + 3 * 10 + 3 * 100] = 255;
  values[4 + 4 * 10 + 4 * 100] = 255;
  values[7 + 7 * 10 + 7 * 100] = 255;
  const findings = findingsAtThreshold(values, g, 0.5);
  assert.equal(findings.length, 2);
  assert.equal(findings.find((f) => f.voxels.length === 2)?.volumeMm3, 2);
});

test('a new threshold re-applies to the stored map without the model', () => {
  const g = geometry([64, 64, 32], [0.9, 0.9, 1.2]);
  const big = patientToVoxelInverse(g, [20, 20, 15]);
  const faint = patientToVoxelInverse(g, [45, 45, 15]);
  const values = sphereMap(g, [
    { centerMm: big, radiusMm: 6 },
    { centerMm: faint, radiusMm: 4, peak: 150 }, // at most 0.59
  ]);

  const low = findingsAtThreshold(values, g, 0.2);
  const high = findingsAtThreshold(values, g, 0.7);

  assert.equal(low.length, 2);
  assert.equal(high.length, 1, 'the faint blob disappears above its peak');
  assert.ok(high[0].volumeMm3 < low[0].volumeMm3, 'a higher threshold shrinks the finding');
  assert.ok(seriesScore(values, high) > 0.99);
});

test('findings smaller than the minimum size are dropped', () => {
  const g = geometry([64, 64, 32], [1, 1, 1]);
  const values = sphereMap(g, [
    { centerMm: patientToVoxelInverse(g, [15, 15, 15]), radiusMm: 6 },
    { centerMm: patientToVoxelInverse(g, [45, 45, 15]), radiusMm: 1.2 },
  ]);
  assert.equal(findingsAtThreshold(values, g, 0.5).length, 2);
  assert.equal(findingsAtThreshold(values, g, 0.5, { diameterMm: 4 }).length, 1);
  assert.equal(findingsAtThreshold(values, g, 0.5, { volumeMm3: 100 }).length, 1);
});

test('with no finding the series score is the highest probability anywhere', () => {
  const g = geometry([8, 8, 4], [1, 1, 1]);
  const values = new Uint8Array(256);
  values[77] = 51; // 0.2
  const findings = findingsAtThreshold(values, g, 0.5);
  assert.equal(findings.length, 0);
  assert.equal(seriesScore(values, findings), 0.2);
  // A run's full-precision peak wins over the bytes (which cannot tell 0.998 from 1).
  assert.equal(seriesScore(values, findings, 0.2013), 0.2013);
});

test('bad arguments are refused with a message', () => {
  const g = geometry([8, 8, 4], [1, 1, 1]);
  assert.throws(() => findingsAtThreshold(new Uint8Array(10), g, 0.5), /holds 10 values .* 256 voxels/);
  assert.throws(() => findingsAtThreshold(new Uint8Array(256), g, 0), /threshold 0 is outside/);
  assert.throws(() => findingsAtThreshold(new Uint8Array(256), g, 1.5), /outside \(0, 1\]/);
});
