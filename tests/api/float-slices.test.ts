// A series whose rescale gives fractional modality values (slope 0.5, intercept −1024.25), written by pydicom:
// its slices travel as float32 and equal pydicom's modality values; the viewer never sees a rounded value.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorklistPage } from '../../src/shared/api-types.ts';
import { importThrough, openTestApi } from './api-test-kit.ts';

const WRITE_SERIES = `
import sys
import numpy as np
from pathlib import Path
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
from pydicom.pixel_data_handlers.util import apply_modality_lut
out = Path(sys.argv[1]); out.mkdir(parents=True)
rng = np.random.default_rng(5)
study, series = generate_uid(), generate_uid()
for k in range(3):
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = '1.2.840.10008.5.1.4.1.1.2'
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.SOPClassUID, ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPClassUID, ds.file_meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.PatientID, ds.PatientName = study, series, 'F1', 'FLOAT^TEST'
    ds.Modality, ds.InstanceNumber = 'CT', k + 1
    ds.ImagePositionPatient, ds.ImageOrientationPatient = [0, 0, k * 2.0], [1, 0, 0, 0, 1, 0]
    ds.PixelSpacing, ds.SliceThickness = [0.8, 0.8], 2.0
    ds.Rows = ds.Columns = 32
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, 'MONOCHROME2'
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
    ds.RescaleSlope, ds.RescaleIntercept = 0.5, -1024.25
    ds.PixelData = rng.integers(-3000, 6000, (32, 32), dtype=np.int16).tobytes()
    ds.is_little_endian, ds.is_implicit_VR = True, False
    ds.save_as(out / f'{k}.dcm', write_like_original=False)
    apply_modality_lut(ds.pixel_array, ds).astype(np.float32).tofile(out.parent / f'reference-{k}.f32')
print(series)
`;

test('fractional modality values travel as float32, equal to pydicom', { timeout: 60_000 }, async (t) => {
  const api = await openTestApi({ autoTriage: false });
  t.after(() => api.close());
  const folder = join(api.dir, 'float-series');
  const uid = execFileSync('/usr/bin/python3', ['-c', WRITE_SERIES, folder], { encoding: 'utf8' }).trim();
  await importThrough(api, [folder]);
  assert.equal((await api.json<WorklistPage>('GET', '/api/worklist')).items[0]?.seriesUid, uid);

  for (const k of [0, 1, 2]) {
    const response = await api.call('GET', `/api/series/${uid}/slices/${k}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-pixel-type'), 'float32');
    const pixels = new Float32Array(await response.arrayBuffer());
    const bytes = readFileSync(join(api.dir, `reference-${k}.f32`));
    const reference = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    assert.ok(
      reference.some((v) => v !== Math.trunc(v)),
      'the reference has fractional values',
    );
    assert.deepEqual(Array.from(pixels), Array.from(reference), `slice ${k}`);
  }
});
