// Each input shape the fuzzer (scripts/fuzz) found to escape as something other than a per-file error, rebuilt
// from a real file (pydicom-written, dcmtk-transcoded) so the fix stays fixed: the error must be a DicomError
// naming the file with a readable reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DicomError } from '../../src/dicom/dicom-error.ts';
import { decodeFrame } from '../../src/dicom/decode/decode-frame.ts';
import { indexDicom } from '../../src/dicom/index/index.ts';
import {
  fragmentsOf,
  layoutOf,
  textValue,
  uint16Value,
  upsertElement,
} from '../../scripts/fuzz/dicom-elements.ts';
import { decodeFixtures } from '../dicom/decode/decode-fixtures.ts';
import { sampleStudy } from '../helpers/sample-study.ts';

const fixtures = decodeFixtures();
const read = (name: string) => new Uint8Array(readFileSync(path.join(fixtures.dir, name)));

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected a rejection');
}

test('a dataset cut inside an element is a DicomError with a readable reason, not "[object Object]"', async () => {
  const bytes = read('ct12.dcm');
  const layout = layoutOf(bytes)!;
  const rows = layout.elements.find((e) => e.group === 0x0028 && e.element === 0x0010)!;
  const cut = bytes.slice(0, rows.valueOffset + 1);
  const error = await rejection(decodeFrame('cut.dcm', cut));
  assert.ok(error instanceof DicomError, `not a DicomError: ${String(error)}`);
  assert.equal(error.path, 'cut.dcm');
  assert.match(error.reason, /^the dataset is corrupt \(.*(past|overrun).*\)$/);
  assert.doesNotMatch(error.reason, /object Object|dicomParser/);
});

test('an element whose length runs past the file is a DicomError from decode, not a bare string', async () => {
  // Implicit VR: Rescale Intercept's 4-byte length set to 8 MB in a 9 KB file (fuzz case t2-135).
  const bytes = read('implicit-ct12.dcm');
  const layout = layoutOf(bytes)!;
  const intercept = layout.elements.find((e) => e.group === 0x0028 && e.element === 0x1052)!;
  assert.ok(intercept, 'the fixture has Rescale Intercept');
  new DataView(bytes.buffer).setUint32(intercept.lengthOffset, 0x800006, true);
  const error = await rejection(decodeFrame('long.dcm', bytes));
  assert.ok(error instanceof DicomError, `not a DicomError: ${String(error)}`);
  assert.equal(error.path, 'long.dcm');
  assert.match(error.reason, /corrupt/);
});

/** Peak RSS growth while `run` runs, from the kernel's high-water mark (undefined where /proc cannot say). */
async function peakGrowth(run: () => Promise<unknown>): Promise<number | undefined> {
  const hwm = () => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) * 1024;
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    await run();
    return undefined;
  }
  const before = hwm();
  await run();
  return hwm() - before;
}

/** The first fragment's bytes of an encapsulated fixture, and where they sit in the file. */
function firstFragment(bytes: Uint8Array): { offset: number; length: number } {
  const layout = layoutOf(bytes)!;
  const pixel = layout.elements.find((e) => e.group === 0x7fe0 && e.element === 0x0010)!;
  const fragment = fragmentsOf(bytes, pixel, layout.little)[1];
  return { offset: fragment.valueOffset, length: fragment.length };
}

const codestreams: Array<[name: string, file: string, enlarge: (data: DataView, at: number) => boolean]> = [
  [
    'JPEG-LS (dcmcjpls) SOF55',
    'jpegls-gray8.dcm',
    (data, at) => {
      if (data.getUint16(at) !== 0xfff7) return false;
      data.setUint16(at + 5, 32768); // lines
      data.setUint16(at + 7, 16384); // samples per line
      return true;
    },
  ],
  [
    'JPEG lossless (dcmcjpeg) SOF3',
    'jpeg-sv1-gray8.dcm',
    (data, at) => {
      if (data.getUint16(at) !== 0xffc3) return false;
      data.setUint16(at + 5, 65535);
      data.setUint16(at + 7, 65535);
      return true;
    },
  ],
  [
    'JPEG 2000 (GDCM) SIZ',
    'j2k-gray8.dcm',
    (data, at) => {
      if (data.getUint16(at) !== 0xff51) return false;
      data.setUint32(at + 6, 46341); // Xsiz
      data.setUint32(at + 10, 46341); // Ysiz
      return true;
    },
  ],
];

for (const [name, file, enlarge] of codestreams) {
  test(`a ${name} claiming a far bigger image than the header is refused before the codec allocates`, async () => {
    const bytes = read(file);
    const { offset, length } = firstFragment(bytes);
    const data = new DataView(bytes.buffer, bytes.byteOffset + offset, length);
    let found = false;
    for (let at = 0; at + 12 < length && !found; at++) found = enlarge(data, at);
    assert.ok(found, 'the marker is in the fixture');

    let error: unknown;
    const growth = await peakGrowth(async () => {
      try {
        await decodeFrame('big.dcm', bytes);
      } catch (caught) {
        error = caught;
      }
    });
    assert.ok(error instanceof DicomError, `not a DicomError: ${String(error)}`);
    assert.match(error.reason, /the compressed stream is \d+ × \d+ pixels, the header says 64 × 64/);
    if (growth !== undefined) assert.ok(growth < 64 * 2 ** 20, `peak RSS grew by ${growth >> 20} MB`);
  });
}

test('RLE whose header claims 8192 × 8192 over a 4 KB segment is refused before the frame is allocated', async () => {
  const source = read('rle-gray8.dcm');
  let bytes: Uint8Array = source;
  for (const element of [0x0010, 0x0011])
    bytes = upsertElement(bytes, layoutOf(bytes)!, 0x0028, element, 'US', uint16Value(8192, true));
  let error: unknown;
  const growth = await peakGrowth(async () => {
    try {
      await decodeFrame('rle.dcm', bytes);
    } catch (caught) {
      error = caught;
    }
  });
  assert.ok(error instanceof DicomError, `not a DicomError: ${String(error)}`);
  assert.match(error.reason, /RLE segment 1 holds \d+ bytes, too few for 67108864 pixels/);
  if (growth !== undefined) assert.ok(growth < 32 * 2 ** 20, `peak RSS grew by ${growth >> 20} MB`);
});

test('a codec that throws a bare number (CharLS) gives a readable reason, not "undefined"', async () => {
  const bytes = read('jpegls-gray8.dcm');
  const { offset, length } = firstFragment(bytes);
  // Scan data inverted (the frame header and end marker intact): CharLS throws its exception pointer.
  for (let at = offset + 40; at < offset + length - 8; at += 3) bytes[at] ^= 0xff;
  const error = await rejection(decodeFrame('scan.dcm', bytes));
  assert.ok(error instanceof DicomError, `not a DicomError: ${String(error)}`);
  assert.doesNotMatch(error.reason, /undefined|\d{4,}/);
  assert.match(error.reason, /^frame 0: /);
});

test('YBR_FULL_422 with one Samples per Pixel is refused, not decoded to a frame three times too long', async () => {
  // Fuzz case full-1-31354: a big-endian 12-bit image whose photometric became YBR_FULL_422 (SamplesPerPixel 1).
  const source = read('big-gray12.dcm');
  const layout = layoutOf(source)!;
  const bytes = upsertElement(source, layout, 0x0028, 0x0004, 'CS', textValue('YBR_FULL_422'));
  const error = await rejection(decodeFrame('ybr.dcm', bytes));
  assert.ok(error instanceof DicomError, `not a DicomError: ${String(error)}`);
  assert.match(error.reason, /Photometric Interpretation YBR_FULL_422 does not fit Samples per Pixel 1/);
});

test('a zero or not-unit Image Orientation in a series does not make indexDicom throw', async () => {
  // Fuzz case full-4-12867: Image Orientation (Patient) [0,0,0,0,1,0] crashed the series ordering.
  const study = sampleStudy({ seed: 'fuzz-orientation', size: 32, slices: 4, nodules: 0 });
  const folder = mkdtempSync(path.join(os.tmpdir(), 'overread-orientation-'));
  const files = study.files.map((file, i) => {
    const copy = path.join(folder, `s${i}.dcm`);
    copyFileSync(file, copy);
    return copy;
  });
  const setOrientation = (file: string, value: string) =>
    execFileSync('/usr/bin/python3', [
      '-c',
      'import sys, pydicom\nds = pydicom.dcmread(sys.argv[1])\nds.ImageOrientationPatient = sys.argv[2].split("\\\\")\nds.save_as(sys.argv[1])',
      file,
      value,
    ]);
  setOrientation(files[1], '0\\0\\0\\0\\1\\0');
  setOrientation(files[2], '0.9\\0\\0\\0\\0.9\\0');

  const index = await indexDicom([folder]);
  assert.deepEqual(index.errors, []);
  const series = index.studies[0].series[0];
  assert.equal(series.frames.length, 4);
  const degenerate = series.instances.find((i) => i.path === files[1])!;
  assert.equal(degenerate.imageOrientation, undefined, 'a zero row vector is no orientation');
  const scaled = series.instances.find((i) => i.path === files[2])!;
  assert.deepEqual(scaled.imageOrientation, [
    [0.9, 0, 0],
    [0, 0.9, 0],
  ]);
  assert.ok(!series.warnings.some((w) => /mixed orientations/.test(w)), series.warnings.join('; '));
});
