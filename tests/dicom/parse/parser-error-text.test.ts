// dicom-parser's own error texts ("littleEndianByteArrayParser.readUint16: attempt to read past end of
// buffer", "parameter 'position' cannot be …") never reach the reader: a real file cut at every few bytes of
// its header is indexed, and every reason is in plain words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { indexDicom } from '../../../src/dicom/index/index.ts';
import { parserErrorText } from '../../../src/dicom/parser-error-text.ts';
import { sampleStudy } from '../../helpers/sample-study.ts';

const INTERNALS = /ByteArrayParser|dicomParser|byteArray|ByteStream|parameter '|readFixedString/;

test('a file cut anywhere in its header gets a reason in plain words, never dicom-parser internals', async (t) => {
  const study = sampleStudy({ seed: 'parser-error-text', size: 32, slices: 4, nodules: 0 });
  const bytes = readFileSync(study.files[0]!);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'overread-cut-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (let n = 140; n < 1400; n += 3) writeFileSync(path.join(dir, `cut${n}.dcm`), bytes.subarray(0, n));

  const index = await indexDicom([dir]);
  assert.ok(index.errors.length > 300, `only ${index.errors.length} cut files reported`);
  const leaking = index.errors.filter((e) => INTERNALS.test(e.reason));
  assert.deepEqual(leaking.slice(0, 3), [], `${leaking.length} reasons quote dicom-parser`);
  assert.ok(index.errors.some((e) => /runs past the end of the file/.test(e.reason)));
});

test('known dicom-parser texts map to plain words; unknown ones lose the function name', () => {
  assert.equal(
    parserErrorText('littleEndianByteArrayParser.readUint16: attempt to read past end of buffer'),
    'an element runs past the end of the file',
  );
  assert.equal(
    parserErrorText(
      new Error(
        "dicomParser.ByteStream: parameter 'position' cannot be greater than or equal to 'byteArray' length",
      ),
    ),
    'the file ends where an element should begin',
  );
  assert.equal(parserErrorText('dicomParser.someNewFunction: something odd'), 'something odd');
  assert.equal(parserErrorText({}), '');
});
