// The decode matrix: every source image pydicom wrote, transcoded by dcmtk / GDCM into each transfer syntax,
// must decode to the values pydicom reads from the source — exactly for lossless syntaxes, within a stated
// error for lossy ones.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeFrame } from '../../../src/dicom/decode/decode-frame.ts';
import { parseDicom } from '../../../src/dicom/parse/parse-dicom.ts';
import { DicomError } from '../../../src/dicom/dicom-error.ts';
import { decodeFixtures } from './decode-fixtures.ts';

const fixtures = decodeFixtures();

async function decodeAll(path: string) {
  const parsed = parseDicom(path, readFileSync(path));
  const first = await decodeFrame(path, parsed, 0);
  const frames = Number(parsed.dataSet.string('x00280008') ?? 1);
  const values = new Float32Array(first.data.length * frames);
  values.set(first.data, 0);
  for (let f = 1; f < frames; f++)
    values.set((await decodeFrame(path, parsed, f)).data, f * first.data.length);
  return { first, values, syntax: parsed.transferSyntaxUid };
}

for (const variant of fixtures.variants) {
  test(`${variant.file} (${variant.syntax})`, async () => {
    const path = join(fixtures.dir, variant.file);
    if (variant.expectError) {
      await assert.rejects(decodeFrame(path, readFileSync(path)), (error: unknown) => {
        assert.ok(error instanceof DicomError);
        assert.match(error.message, variant.expectError as RegExp);
        assert.ok(error.message.startsWith(path));
        return true;
      });
      return;
    }
    const { first, values, syntax } = await decodeAll(path);
    assert.equal(syntax, variant.syntax, 'the tool wrote the transfer syntax this row is about');
    const expected = fixtures.expected(variant.source);
    assert.equal(values.length, expected.length);
    const colour = ['rgb-planar0', 'rgb-planar1', 'palette'].includes(variant.source);
    assert.equal(first.samplesPerPixel, colour ? 3 : 1);
    assert.equal(
      first.photometric,
      colour ? 'RGB' : variant.source === 'mono1' ? 'MONOCHROME1' : 'MONOCHROME2',
    );
    if (variant.reference) {
      // The independent decoder's output is native, which the exact rows above already pin to pydicom.
      const reference = await decodeAll(join(fixtures.dir, variant.reference.file));
      let worst = 0;
      for (let i = 0; i < values.length; i++)
        worst = Math.max(worst, Math.abs(values[i] - reference.values[i]));
      assert.ok(worst <= variant.reference.max, `differs from ${variant.reference.file} by up to ${worst}`);
    }
    if (!variant.tolerance) {
      const firstDiff = values.findIndex((v, i) => v !== expected[i]);
      assert.equal(firstDiff, -1, `value ${firstDiff}: ${values[firstDiff]} ≠ ${expected[firstDiff]}`);
      return;
    }
    let max = 0;
    let sum = 0;
    for (let i = 0; i < values.length; i++) {
      const error = Math.abs(values[i] - expected[i]);
      max = Math.max(max, error);
      sum += error;
    }
    const mean = sum / values.length;
    console.log(`${variant.file}: max abs error ${max}, mean ${mean.toFixed(3)}`);
    assert.ok(max <= variant.tolerance.max, `max abs error ${max} > ${variant.tolerance.max}`);
    assert.ok(mean <= variant.tolerance.mean, `mean abs error ${mean} > ${variant.tolerance.mean}`);
  });
}

test('the CT source carries its window and the signed 12-bit values come back as HU', async () => {
  const path = join(fixtures.dir, 'ct12.dcm');
  const frame = await decodeFrame(path, readFileSync(path));
  assert.equal(frame.windowCenter, 40);
  assert.equal(frame.windowWidth, 400);
  assert.ok(
    Math.min(...frame.data) < -2048,
    'negative stored values were sign-extended before the −1024 intercept',
  );
});
