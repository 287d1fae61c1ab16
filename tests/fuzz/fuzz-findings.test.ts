// Each input shape the fuzzer (scripts/fuzz) found to escape as something other than a per-file error, rebuilt
// from a real file (pydicom-written, dcmtk-transcoded) so the fix stays fixed: the error must be a DicomError
// naming the file with a readable reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DicomError } from '../../src/dicom/dicom-error.ts';
import { decodeFrame } from '../../src/dicom/decode/decode-frame.ts';
import { layoutOf } from '../../scripts/fuzz/dicom-elements.ts';
import { decodeFixtures } from '../dicom/decode/decode-fixtures.ts';

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
