// Synthetic studies are real DICOM: dciodvfy (dicom3tools) finds no errors in the CT Image IOD, dcmtk reads
// them, and pydicom — an independent reader — sees the geometry, HU and nodules that truth.json promises.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { sampleStudy } from '../helpers/sample-study.ts';

const readerScript = fileURLToPath(new URL('./read-sample-study.py', import.meta.url));

interface Measured {
  geometry: {
    rows: number;
    columns: number;
    pixelSpacing: number[];
    orientation: number[];
    positions: number[][];
    sliceLocations: number[];
    sopInstanceUids: string[];
    studyInstanceUids: string[];
    seriesInstanceUids: string[];
    sopClassUids: string[];
  };
  maskVoxelsTotal: number;
  nodules: {
    id: number;
    centreHu: number;
    centreMaxHu: number;
    maskMedianHu: number | null;
    maskVoxels: number;
  }[];
  airHu: number;
  lungHu: number[];
}

function measure(dir: string): Measured {
  const output = execFileSync('/usr/bin/python3', [readerScript, dir], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  return JSON.parse(output) as Measured;
}

function dciodvfyErrors(file: string): string[] {
  const result = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
  return `${result.stdout}\n${result.stderr}`.split('\n').filter((line) => /^Error/.test(line));
}

test('dciodvfy reports no errors and dcmdump reads every kind of pixel storage', () => {
  const storages = new Set<string>();
  for (let seed = 0; storages.size < 3 && seed < 40; seed++) {
    const study = sampleStudy({ seed: `storage-${seed}`, size: 64, slices: 8 });
    if (storages.has(study.truth.acquisition.storage)) continue;
    storages.add(study.truth.acquisition.storage);
    for (const file of [study.files[0], study.files[study.files.length - 1]]) {
      assert.deepEqual(dciodvfyErrors(file), [], `${file} (${study.truth.acquisition.storage})`);
      const dump = execFileSync('dcmdump', ['+P', '0008,0016', '+P', '0028,0101', file], {
        encoding: 'utf8',
      });
      assert.match(dump, /=CTImageStorage/);
      assert.match(dump, study.truth.acquisition.storage === 'unsigned-12' ? /US 12/ : /US 16/);
    }
  }
  assert.equal(storages.size, 3, 'seeds covered unsigned-12, unsigned-16 and signed-16 storage');
});

test('pydicom reads the geometry truth.json describes', () => {
  const { dir, truth } = sampleStudy({ seed: 'reader', nodules: 4 });
  const measured = measure(dir);
  const g = truth.geometry;
  assert.equal(measured.geometry.columns, g.size[0]);
  assert.equal(measured.geometry.rows, g.size[1]);
  assert.equal(measured.geometry.positions.length, g.size[2]);
  assert.deepEqual(measured.geometry.orientation, [1, 0, 0, 0, 1, 0]);
  assert.deepEqual(measured.geometry.pixelSpacing, [g.spacing[1], g.spacing[0]]);
  measured.geometry.positions.forEach((position, k) => {
    const expected = [g.origin[0], g.origin[1], g.origin[2] + k * g.spacing[2]];
    position.forEach((value, axis) =>
      assert.ok(Math.abs(value - expected[axis]) < 1e-3, `slice ${k} axis ${axis}`),
    );
    assert.ok(Math.abs(measured.geometry.sliceLocations[k] - expected[2]) < 1e-3);
  });
  assert.deepEqual(
    measured.geometry.sopInstanceUids,
    truth.slices.map((slice) => slice.sopInstanceUid),
  );
  assert.deepEqual(measured.geometry.studyInstanceUids, [truth.studyInstanceUid]);
  assert.deepEqual(measured.geometry.seriesInstanceUids, [truth.seriesInstanceUid]);
  assert.deepEqual(measured.geometry.sopClassUids, ['1.2.840.10008.5.1.4.1.1.2']);
  for (const uid of [truth.studyInstanceUid, truth.seriesInstanceUid, ...measured.geometry.sopInstanceUids]) {
    assert.match(uid, /^2\.25\.[1-9]\d{0,38}$/);
  }
});

test('HU at landmarks and nodules matches the tissue truth.json names', () => {
  for (const seed of ['reader', 'reader-2']) {
    const { dir, truth } = sampleStudy({ seed, nodules: 4 });
    const measured = measure(dir);
    assert.ok(measured.airHu <= -960, `${seed}: air ${measured.airHu}`);
    assert.equal(measured.lungHu.length, 2);
    for (const hu of measured.lungHu) assert.ok(hu > -920 && hu < -770, `${seed}: lung ${hu}`);
    assert.ok(truth.nodules.length >= 2, `${seed}: nodules placed`);
    let labelled = 0;
    for (const nodule of truth.nodules) {
      const m = measured.nodules.find((n) => n.id === nodule.id);
      assert.ok(m, `nodule ${nodule.id} measured`);
      assert.equal(m.maskVoxels, nodule.voxelCount, `${seed}: nodule ${nodule.id} voxel count`);
      assert.ok(m.maskVoxels > 0);
      labelled += m.maskVoxels;
      const median = m.maskMedianHu ?? NaN;
      if (nodule.type === 'ground-glass') {
        assert.ok(m.centreHu > -760 && m.centreHu < -440, `${seed}: GGO centre ${m.centreHu}`);
        // Vessels stay visible through ground glass, so the mask median sits between glass and vessel.
        assert.ok(median > -790 && median < -250, `${seed}: GGO mask median ${median}`);
      } else if (nodule.type === 'solid') {
        assert.ok(m.centreHu > -120 && m.centreHu < 200, `${seed}: solid centre ${m.centreHu}`);
        assert.ok(median > -350 && median < 150, `${seed}: solid mask median ${median}`);
      } else {
        // Part-solid: the densest voxel by the centre is the solid core; the mask as a whole is mostly glass.
        assert.ok(m.centreMaxHu > -150 && m.centreMaxHu < 250, `${seed}: part-solid core ${m.centreMaxHu}`);
        assert.ok(median > -750 && median < 0, `${seed}: part-solid mask median ${median}`);
      }
    }
    assert.equal(measured.maskVoxelsTotal, labelled, 'no label voxels beyond the listed nodules');
  }
});
