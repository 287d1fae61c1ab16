// The slice wire format: int16 exactly when every value is a whole number in int16's range, else float32,
// with the values unchanged either way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slicePixels } from '../../src/api/slice-pixels.ts';

test('whole numbers in range travel as int16, bit for bit', () => {
  const values = Float32Array.from([-32768, -1024, 0, 40, 3071, 32767]);
  const body = slicePixels(values);
  assert.equal(body.type, 'int16');
  assert.deepEqual(
    Array.from(new Int16Array(body.bytes.buffer, body.bytes.byteOffset, 6)),
    Array.from(values),
  );
});

test('int16 decoded in the worker is sent as it is, without a copy', () => {
  const values = Int16Array.from([-3072, -1024, 0, 3071]);
  const body = slicePixels(values);
  assert.equal(body.type, 'int16');
  assert.equal(body.bytes.buffer, values.buffer);
  assert.deepEqual(
    Array.from(new Int16Array(body.bytes.buffer, body.bytes.byteOffset, 4)),
    Array.from(values),
  );
});

test('a fraction, a value out of range or NaN makes the slice float32, unchanged', () => {
  for (const odd of [0.5, 32768, -32769, Number.NaN]) {
    const values = Float32Array.from([0, 100, odd]);
    const body = slicePixels(values);
    assert.equal(body.type, 'float32', String(odd));
    const back = new Float32Array(body.bytes.buffer, body.bytes.byteOffset, 3);
    assert.deepEqual(Array.from(back), Array.from(values));
  }
});
