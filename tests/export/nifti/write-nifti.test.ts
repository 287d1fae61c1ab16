// The NIfTI writer checked by an independent reader: nibabel's affine must put every voxel where pydicom says
// the DICOM pixel is (LPS → RAS), for axial, descending and oblique stacks; labels must sit on their pixels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encodeNiftiGz, chooseImageDataType } from '../../../src/export/nifti/write-nifti.ts';
import { loadSeries, makeSeries, runPython } from '../helpers/load-series.ts';

interface Check {
  qform_code: number;
  sform_code: number;
  dtype: string;
  label_dtype: string;
  shape: number[];
  worstAffineErrorMm: number;
  imageMismatches: number;
  labelMismatches: number;
  paintedVoxels: number;
  labelTotal: number;
  qfac: number;
}

const cases = [
  { orientation: 'axial', order: 'ascending', qfac: 1 },
  { orientation: 'axial', order: 'descending', qfac: -1 },
  { orientation: 'oblique', order: 'ascending', qfac: 1 },
  { orientation: 'oblique', order: 'descending', qfac: -1 },
] as const;

for (const c of cases) {
  test(`NIfTI image + label line up with DICOM (${c.orientation}, ${c.order})`, async () => {
    const series = makeSeries({ orientation: c.orientation, order: c.order, slices: 5 });
    const volume = loadSeries(series.files.map((f) => f.path));
    const labels = new Uint8Array(volume.voxels.length);
    volume.voxels.forEach((hu, i) => (labels[i] = hu > -600 ? 1 : 0));
    const out = mkdtempSync(path.join(os.tmpdir(), 'overread-nifti-'));
    const imagePath = path.join(out, 'image.nii.gz');
    const labelPath = path.join(out, 'label.nii.gz');
    writeFileSync(imagePath, await encodeNiftiGz(volume));
    writeFileSync(
      labelPath,
      await encodeNiftiGz({ geometry: volume.geometry, voxels: labels }, { intent: 'label' }),
    );

    const check = runPython('check-nifti.py', [
      imagePath,
      labelPath,
      ...series.files.map((f) => f.path),
    ]) as Check;

    assert.equal(check.qform_code, 1);
    assert.equal(check.sform_code, 1);
    assert.equal(check.dtype, 'int16');
    assert.equal(check.label_dtype, 'uint8');
    assert.deepEqual(check.shape, [10, 12, 5]);
    assert.equal(check.qfac, c.qfac);
    assert.ok(check.worstAffineErrorMm < 0.01, `affine off by ${check.worstAffineErrorMm} mm`);
    assert.equal(check.imageMismatches, 0);
    assert.ok(check.paintedVoxels > 0);
    assert.equal(check.labelMismatches, 0);
    assert.equal(check.labelTotal, check.paintedVoxels);
  });
}

test('non-integral voxels are stored as float32, integral HU as int16', () => {
  assert.equal(chooseImageDataType(new Float32Array([-1000, 0, 3071])), 'int16');
  assert.equal(chooseImageDataType(new Float32Array([0.5])), 'float32');
  assert.equal(chooseImageDataType(new Float32Array([40000])), 'float32');
});

test('a voxel count that disagrees with the geometry is refused with a clear error', async () => {
  const geometry = {
    size: [2, 2, 2] as [number, number, number],
    spacing: [1, 1, 1] as [number, number, number],
    origin: [0, 0, 0] as [number, number, number],
    direction: [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ] as [[number, number, number], [number, number, number], [number, number, number]],
  };
  await assert.rejects(encodeNiftiGz({ geometry, voxels: new Int16Array(7) }), /7 voxels .* needs 8/);
});
