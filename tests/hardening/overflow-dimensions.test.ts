// Image dimensions whose product overflows: pydicom writes Rows = Columns = 65535 with Number of Frames 2^31
// (and 2^31 − 1, 2^32 + 1, which a 32-bit product would wrap to a small, "plausible" size) over a few bytes of
// pixel data, native and RLE-encapsulated. The index, decodeFrame and the decode pool each answer with one
// per-file error naming the file, and the process's peak memory stays flat (measured with the kernel's
// high-water mark, reset just before), so nothing was allocated from the header's claim.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DicomError } from '../../src/dicom/dicom-error.ts';
import { decodeFrame } from '../../src/dicom/decode/decode-frame.ts';
import { DecodePool } from '../../src/dicom/decode/decode-pool.ts';
import { indexDicom } from '../../src/dicom/index/index.ts';

const folder = mkdtempSync(path.join(os.tmpdir(), 'overread-overflow-'));

/** pydicom writes a 65535 × 65535 image claiming `frames` frames over 64 bytes of pixel data. */
function write(name: string, frames: string, syntax: 'native' | 'rle'): string {
  const file = path.join(folder, name);
  execFileSync('/usr/bin/python3', [
    '-c',
    [
      'import sys',
      'from pydicom import config',
      'from pydicom.dataset import Dataset, FileMetaDataset',
      'from pydicom.encaps import encapsulate',
      'from pydicom.uid import ExplicitVRLittleEndian, RLELossless, generate_uid',
      'config.settings.writing_validation_mode = config.WARN  # 2^31 is beyond IS on purpose',
      'ds = Dataset()',
      'ds.file_meta = FileMetaDataset()',
      "rle = sys.argv[3] == 'rle'",
      'ds.file_meta.TransferSyntaxUID = RLELossless if rle else ExplicitVRLittleEndian',
      "ds.file_meta.MediaStorageSOPClassUID = ds.SOPClassUID = '1.2.840.10008.5.1.4.1.1.7.3'",
      'ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID = generate_uid()',
      'ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()',
      "ds.Modality = 'OT'",
      'ds.Rows = ds.Columns = 65535',
      'ds.NumberOfFrames = sys.argv[2]',
      "ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, 'MONOCHROME2'",
      'ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 0',
      'ds.PixelData = encapsulate([bytes(64)]) if rle else bytes(64)',
      'ds.is_little_endian, ds.is_implicit_VR = True, False',
      'ds.save_as(sys.argv[1], write_like_original=False)',
    ].join('\n'),
    file,
    frames,
    syntax,
  ]);
  return file;
}

function peakRss(): number | undefined {
  try {
    return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;
  } catch {
    return undefined;
  }
}

function resetPeak(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

const cases: Array<[frames: string, syntax: 'native' | 'rle']> = [
  ['2147483648', 'native'],
  ['2147483647', 'native'],
  ['4294967297', 'native'],
  ['2147483648', 'rle'],
];

for (const [frames, syntax] of cases) {
  test(`65535 × 65535 × ${frames} frames (${syntax}) is a per-file error with no big allocation`, async (t) => {
    const file = write(`overflow-${frames}-${syntax}.dcm`, frames, syntax);
    const measured = resetPeak();
    const before = peakRss();

    const index = await indexDicom([file]);
    assert.equal(index.studies.length, 0);
    assert.equal(index.errors.length, 1);
    assert.equal(index.errors[0].path, file);
    assert.match(index.errors[0].reason, /Number of Frames \d+ is implausible|header claims 65535×65535/);

    let error: unknown;
    try {
      await decodeFrame(file, new Uint8Array(readFileSync(file)), 0);
    } catch (caught) {
      error = caught;
    }
    assert.ok(error instanceof DicomError, `decodeFrame: ${String(error)}`);
    assert.equal(error.path, file);
    assert.match(error.reason, /Number of Frames .* is not a usable count|larger than Overread decodes/);

    const pool = new DecodePool({ size: 1 });
    try {
      await assert.rejects(pool.decode(file, 0), (e: unknown) => e instanceof DicomError && e.path === file);
    } finally {
      await pool.close();
    }

    if (!measured || before === undefined) {
      t.diagnostic('no /proc/self/clear_refs here: peak memory not measured');
      return;
    }
    const growth = peakRss()! - before;
    // A decode worker thread starts inside this process (~30–60 MB); a 65535² frame alone would be 8 GiB.
    assert.ok(growth < 160 * 2 ** 20, `peak RSS grew by ${(growth / 2 ** 20).toFixed(0)} MB`);
  });
}
