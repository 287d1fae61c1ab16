// Outlining a missed nodule from one click, through the API on real DICOM of a generated study: the finding
// it adds matches the generator's label, is the reader's addition, one undoable action (its audit entry is the store's test);
// the same nodule twice is refused naming the finding; a click on open lung, outside the image or a search
// sphere beyond the limits is refused saying what to do.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { FindingInfo, OutlineInfo, UndoResult } from '../../src/shared/api-types.ts';
import { patientToVoxel } from '../../src/shared/patient-coordinates.ts';
import type { Vec3 } from '../../src/dicom/volume.ts';
import { measureMask } from '../../src/dataset/mask-measurements.ts';
import { sampleStudy, type CachedSampleStudy } from '../helpers/sample-study.ts';
import { importThrough, openTestApi, type TestApi } from './api-test-kit.ts';

let t: TestApi;
let study: CachedSampleStudy;
let uid: string;
let labels: Uint8Array;

before(async () => {
  // Two nodules: a 6 mm solid one free in the lung and a 19 mm one on the pleura.
  study = sampleStudy({ seed: 'api-outline-3', size: 192, slices: 60, nodules: 2 });
  uid = study.truth.seriesInstanceUid;
  labels = gunzipSync(readFileSync(join(study.dir, study.truth.mask.file)));
  t = await openTestApi({ autoTriage: false });
  await importThrough(t, [study.dir]);
});

after(() => t?.close());

async function problem(response: Response, status: number, detail: RegExp): Promise<void> {
  const text = await response.text();
  assert.equal(response.status, status, text);
  assert.match(JSON.parse(text).detail, detail);
}

const click = (nodule: { centreVoxel: Vec3 }) => nodule.centreVoxel.map(Math.round) as Vec3;

/** The label's longest diameter, measured as the store measures a mask (voxel corners included). */
function labelDiameter(label: number): number {
  const voxels: number[] = [];
  labels.forEach((v, n) => {
    if (v === label) voxels.push(n);
  });
  return measureMask(Uint32Array.from(voxels), study.truth.geometry)!.diameterMm;
}

/** Dice of the reader's mask of `findingId` against the generator's label `label`. */
async function diceWithLabel(finding: FindingInfo, label: number): Promise<number> {
  const [columns, rows] = study.truth.geometry.size;
  const plane = columns * rows;
  let shared = 0;
  let marked = 0;
  for (let k = finding.sliceRange[0]; k <= finding.sliceRange[1]; k++) {
    const response = await t.call('GET', `/api/findings/${finding.id}/mask/${k}`);
    const mask = new Uint8Array(await response.arrayBuffer());
    for (let n = 0; n < plane; n++) {
      if (!mask[n]) continue;
      marked++;
      if (labels[k * plane + n] === label) shared++;
    }
  }
  const truth = labels.reduce((sum, v) => sum + (v === label ? 1 : 0), 0);
  return (2 * shared) / (marked + truth);
}

test('a click inside each nodule adds it, outlined in 3-D as the generator drew it', async () => {
  for (const nodule of study.truth.nodules) {
    const [i, j, k] = click(nodule);
    const response = await t.call('POST', `/api/series/${uid}/findings/outline`, {
      slice: k,
      point: [i, j],
      range: [-700, 3000],
    });
    const text = await response.text();
    assert.equal(response.status, 201, text);
    const outline = JSON.parse(text) as OutlineInfo;
    assert.equal(outline.finding.source, 'reader');
    assert.equal(outline.finding.decision?.kind, 'added');
    assert.deepEqual(outline.start, [i, j, k]);
    assert.ok(
      outline.finding.sliceRange[0] >= nodule.sliceRange.firstK - 1 &&
        outline.finding.sliceRange[1] <= nodule.sliceRange.lastK + 1,
      `slices ${outline.finding.sliceRange} against the label's ${nodule.sliceRange.firstK}–${nodule.sliceRange.lastK}`,
    );
    const dice = await diceWithLabel(outline.finding, nodule.label);
    assert.ok(dice >= 0.6, `${nodule.attached} nodule ${nodule.label}: Dice ${dice.toFixed(2)}`);
    // Measured in 3-D from its own voxels, as the label measures on the same grid: within 30 %.
    const drawn = labelDiameter(nodule.label);
    assert.ok(
      Math.abs(outline.finding.diameterMm - drawn) <= 0.3 * drawn,
      `diameter ${outline.finding.diameterMm.toFixed(1)} mm, the label's ${drawn.toFixed(1)} mm`,
    );
    // On the pleura it had to be freed from the chest wall.
    if (nodule.attached === 'pleura') assert.notEqual(outline.separation.kind, 'none');
  }
});

test('the same nodule again is refused naming its finding; undo takes the outline back, redo returns it', async () => {
  const nodule = study.truth.nodules[0]!;
  const [i, j, k] = click(nodule);
  const findings = await t.json<FindingInfo[]>('GET', `/api/series/${uid}/findings`);
  const added = findings.filter((f) => f.source === 'reader');
  assert.equal(added.length, study.truth.nodules.length);
  const first = added.find((f) => f.sliceRange[0] <= k && f.sliceRange[1] >= k)!;
  await problem(
    await t.call('POST', `/api/series/${uid}/findings/outline`, {
      slice: k,
      point: [i + 1, j],
      range: [-700, 3000],
    }),
    409,
    new RegExp(`finding ${first.id} already marks this nodule .*select it \\(J / K\\)`),
  );
  const undone = await t.json<UndoResult>('POST', `/api/series/${uid}/undo`);
  assert.match(undone.description, /^undid outline finding \d+ over slices \d+–\d+$/);
  const after = await t.json<FindingInfo[]>('GET', `/api/series/${uid}/findings`);
  assert.equal(after.filter((f) => f.source === 'reader').length, added.length - 1);
  await t.json<UndoResult>('POST', `/api/series/${uid}/redo`);
  const redone = await t.json<FindingInfo[]>('GET', `/api/series/${uid}/findings`);
  assert.deepEqual(
    redone.filter((f) => f.source === 'reader').map((f) => f.id),
    added.map((f) => f.id),
  );
});

test('a click on open lung, outside the image, or a sphere beyond the limits is refused saying what to do', async () => {
  const lung = patientToVoxel(study.truth.geometry, study.truth.landmarks.lungs[0]!).map(Math.round);
  await problem(
    await t.call('POST', `/api/series/${uid}/findings/outline`, {
      slice: lung[2],
      point: [lung[0], lung[1]],
      range: [-700, 3000],
    }),
    400,
    /the value at the click is -\d+, outside the range -700 … 3000 .*click inside the nodule, or set the range \(G\)/,
  );
  const [columns] = study.truth.geometry.size;
  await problem(
    await t.call('POST', `/api/series/${uid}/findings/outline`, {
      slice: 5,
      point: [columns, 3],
      range: [0, 1],
    }),
    400,
    new RegExp(`the click \\(${columns}, 3\\) is outside the ${columns} × \\d+ image`),
  );
  await problem(
    await t.call('POST', `/api/series/${uid}/findings/outline`, {
      slice: 5,
      point: [3, 3],
      range: [0, 1],
      maxDiameterMm: 200,
    }),
    400,
    /maxDiameterMm/,
  );
  await problem(
    await t.call('POST', `/api/series/${uid}/findings/outline`, { slice: 999, point: [3, 3], range: [0, 1] }),
    404,
    /slice/,
  );
});
