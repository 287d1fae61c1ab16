// Bad input must end in a DicomError that names the file — never a crash and never an allocation sized by a
// header the bytes do not back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { decodeFrame } from '../../../src/dicom/decode/decode-frame.ts';
import { parseDicom } from '../../../src/dicom/parse/parse-dicom.ts';
import { DicomError } from '../../../src/dicom/dicom-error.ts';
import { decodeFixtures } from './decode-fixtures.ts';

const fixtures = decodeFixtures();
const work = mkdtempSync(join(os.tmpdir(), 'overread-decode-hostile-'));

/** A copy of a fixture with header elements changed by dcmodify (a real tool, as a broken writer would). */
function modified(file: string, changes: Record<string, string>): string {
  const out = join(work, `${Object.values(changes).join('-')}-${file}`);
  copyFileSync(join(fixtures.dir, file), out);
  const args = Object.entries(changes).flatMap(([tag, value]) => ['-i', `(${tag})=${value}`]);
  const result = spawnSync('dcmodify', ['-nb', '-ie', ...args, out], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return out;
}

async function rejectsNaming(path: string, bytes: Uint8Array, reason: RegExp, frame = 0) {
  await assert.rejects(decodeFrame(path, bytes, frame), (error: unknown) => {
    assert.ok(error instanceof DicomError, `expected a DicomError, got ${String(error)}`);
    assert.equal(error.path, path);
    assert.match(error.reason, reason);
    return true;
  });
}

test('huge Rows × Columns is refused before anything is allocated', async () => {
  const path = modified('mr16.dcm', { '0028,0010': '65535', '0028,0011': '65535' });
  await rejectsNaming(path, readFileSync(path), /larger than Overread decodes/);
});

test('a frame count the pixel bytes do not back is truncated pixel data, not a 40 GB allocation', async () => {
  const path = modified('mr16.dcm', { '0028,0008': '9999999' });
  await rejectsNaming(path, readFileSync(path), /truncated pixel data: the header claims 9999999 frame/);
});

test('pixel data cut short is reported as truncated', async () => {
  const path = join(fixtures.dir, 'ct12.dcm');
  const bytes = readFileSync(path);
  // Keep the header, lie about nothing: the Pixel Data element is simply shorter than Rows × Columns needs.
  const parsed = parseDicom(path, bytes);
  const element = parsed.dataSet.elements.x7fe00010;
  const shortened = { ...parsed, bytes: parsed.bytes.subarray(0, element.dataOffset + 100) };
  await assert.rejects(decodeFrame(path, shortened), /truncated pixel data/);
  // And a file whose bytes simply stop halfway through the pixels.
  await assert.rejects(decodeFrame(path, bytes.subarray(0, bytes.length - 1000)), DicomError);
});

test('a frame index past the last frame names the frame count', async () => {
  const path = join(fixtures.dir, 'multiframe.dcm');
  await rejectsNaming(path, readFileSync(path), /frame 3 does not exist \(the file has 3\)/, 3);
});

test('garbage inside a JPEG-LS fragment is a per-file error', async () => {
  const path = join(fixtures.dir, 'jpegls-ct12.dcm');
  const bytes = new Uint8Array(readFileSync(path));
  const fragment = parseDicom(path, bytes).dataSet.elements.x7fe00010.fragments![0];
  const start = fragment.position + 40;
  for (let i = start; i < fragment.position + fragment.length - 2; i++) bytes[i] = (i * 7919) & 0xff;
  await assert.rejects(decodeFrame(path, bytes), DicomError);
});

test('garbage inside RLE, JPEG lossless and JPEG 2000 fragments is a per-file error', async () => {
  for (const file of ['rle-ct12.dcm', 'jpeg-sv1-ct12.dcm', 'j2k-ct12.dcm', 'jpeg-baseline-gray8.dcm']) {
    const path = join(fixtures.dir, file);
    const bytes = new Uint8Array(readFileSync(path));
    const fragment = parseDicom(path, bytes).dataSet.elements.x7fe00010.fragments![0];
    // Truncate the codestream inside its fragment by zeroing its second half.
    bytes.fill(0, fragment.position + (fragment.length >> 1), fragment.position + fragment.length);
    await assert.rejects(decodeFrame(path, bytes), DicomError, file);
  }
});

test('an encapsulated file cut inside a fragment is a DicomError', async () => {
  const path = join(fixtures.dir, 'j2k-multiframe.dcm');
  const bytes = readFileSync(path);
  await assert.rejects(decodeFrame(path, bytes.subarray(0, bytes.length - 300), 2), DicomError);
});

test('a transfer syntax we cannot decode is named in the error', async () => {
  const path = join(fixtures.dir, 'jpegls-ct12.dcm');
  const parsed = parseDicom(path, readFileSync(path));
  await assert.rejects(
    decodeFrame(path, { ...parsed, transferSyntaxUid: '1.2.840.10008.1.2.4.110' }),
    /transfer syntax 1\.2\.840\.10008\.1\.2\.4\.110 is not supported/,
  );
});
