// The nodule matcher on hand-built findings with known answers: pairing by distance after the translation,
// one to one and nearest first, the growth rules (volume ±25 %, mean axial diameter ±1.5 mm), the volume
// doubling time, and new / resolved only where the other scan covered the place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Vec3, VolumeGeometry } from '../../src/dicom/volume.ts';
import { matchNodules, meanDiameterMm } from '../../src/followup/match-nodules.ts';
import type { TrackedNodule } from '../../src/shared/api-types.ts';

const box = (origin: Vec3): VolumeGeometry => ({
  size: [100, 100, 100],
  spacing: [2, 2, 2],
  origin,
  direction: [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ],
});

const nodule = (id: string, centreLps: Vec3, volumeMm3: number, diameterMm: number): TrackedNodule => ({
  id,
  number: Number(id.slice(1)),
  decision: 'confirmed',
  centreLps,
  sliceRange: [0, 0],
  volumeMm3,
  diameterMm,
});

// Current scan spans 0…198 mm on each axis; the prior is the same patient 20 mm further along z.
const t: Vec3 = [0, 0, 20];

test('pairs after the translation, names growth by volume and gives the doubling time', () => {
  const changes = matchNodules({
    current: [nodule('c1', [50, 50, 50], 2000, 15.6), nodule('c2', [120, 60, 80], 500, 9.8)],
    prior: [nodule('p1', [51, 49, 71], 1000, 12.4), nodule('p2', [120, 61, 99], 480, 9.7)],
    translationMm: t,
    intervalDays: 180,
    currentGeometry: box([0, 0, 0]),
    priorGeometry: box([0, 0, 20]),
  });
  assert.deepEqual(changes, [
    {
      change: 'grown',
      current: 'c1',
      prior: 'p1',
      distanceMm: 1.7,
      meanDiameterChangeMm: 3.2,
      volumeChangePercent: 100,
      doublingDays: 180, // the volume doubled in 180 days
    },
    {
      change: 'stable',
      current: 'c2',
      prior: 'p2',
      distanceMm: 1.4,
      meanDiameterChangeMm: 0.1,
      volumeChangePercent: 4,
    },
  ]);
});

test('a diameter up by more than 1.5 mm is growth even under 25 % volume; shrinking either way', () => {
  const [grown, shrunk] = matchNodules({
    current: [
      { ...nodule('c1', [50, 50, 50], 1100, 10), longAxisMm: 12.2, shortAxisMm: 10 },
      nodule('c2', [150, 150, 150], 400, 9),
    ],
    prior: [
      { ...nodule('p1', [50, 50, 70], 1000, 10), longAxisMm: 10, shortAxisMm: 9 },
      nodule('p2', [150, 150, 170], 600, 10),
    ],
    translationMm: t,
    intervalDays: 365,
    currentGeometry: box([0, 0, 0]),
    priorGeometry: box([0, 0, 20]),
  });
  assert.equal(grown.change, 'grown');
  assert.equal(grown.meanDiameterChangeMm, 1.6); // (12.2 + 10) / 2 − (10 + 9) / 2
  assert.equal(grown.volumeChangePercent, 10);
  assert.equal(meanDiameterMm({ ...nodule('x', [0, 0, 0], 1, 7), longAxisMm: 8, shortAxisMm: 6 }), 7);
  assert.equal(shrunk.change, 'shrunk');
  assert.equal(shrunk.volumeChangePercent, -33);
  assert.equal(shrunk.doublingDays, undefined);
});

test('one to one, nearest first; far ones do not pair; new and resolved only where the other scan looked', () => {
  const changes = matchNodules({
    current: [
      nodule('c1', [60, 60, 60], 500, 10),
      nodule('c2', [64, 60, 60], 500, 10), // both near p1: c2 is nearer
      nodule('c3', [100, 100, 5], 500, 10), // maps to z 25: inside the prior (20…218)
      nodule('c4', [100, 100, 190], 500, 10), // maps to z 210: inside
      nodule('c5', [30, 30, -10], 500, 10), // maps to z 10: the prior starts at 20
    ],
    prior: [
      nodule('p1', [64, 60, 80], 500, 10),
      nodule('p2', [150, 40, 120], 500, 10), // maps back to z 100: inside the current scan, unmatched
      nodule('p3', [150, 40, 215], 500, 10), // maps back to z 195: inside (0…198)
      nodule('p4', [20, 20, 222], 500, 10), // maps back to z 202: beyond the current scan (last slice 198)
    ],
    translationMm: t,
    intervalDays: null,
    currentGeometry: box([0, 0, 0]),
    priorGeometry: box([0, 0, 20]),
  });
  const of = (id: string) => changes.find((c) => c.current === id || (!c.current && c.prior === id))!;
  assert.equal(of('c2').prior, 'p1');
  assert.equal(of('c1').change, 'new');
  assert.equal(of('c3').change, 'new');
  assert.equal(of('c5').change, 'outside-prior');
  assert.equal(of('p2').change, 'resolved');
  assert.equal(of('p4').change, 'outside-current');
  // p3 lies 18 mm from c4 carried over: more than 10 mm + half its 10 mm diameter, so no pair.
  assert.equal(of('c4').change, 'new');
  assert.equal(of('p3').change, 'resolved');
  assert.equal(of('c2').doublingDays, undefined, 'no dates, no doubling time');
});
