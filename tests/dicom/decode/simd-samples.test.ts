// The WebAssembly SIMD kernels for 16-bit grey samples give exactly the values of the scalar definition (mask or
// sign-extend Bits Stored, add the intercept) for every Bits Stored, both signs, garbage in the unused high bits,
// odd byte offsets and counts that are not a multiple of their 8-sample step, as float32 and (where every value
// fits) int16; and they decline what they cannot do exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wordsToFloat32, wordsToInt16 } from '../../../src/dicom/decode/simd-samples.ts';

/** Deterministic 16-bit words, every bit pattern likely, so the unused high bits hold garbage. */
function words(count: number, seed: number): Uint16Array {
  const out = new Uint16Array(count);
  let state = seed;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    out[i] = state >>> 16;
  }
  return out;
}

function scalar(word: number, stored: number, signed: boolean, intercept: number): number {
  const value = word % 2 ** stored;
  return Math.fround((signed && value >= 2 ** (stored - 1) ? value - 2 ** stored : value) + intercept);
}

test('matches the scalar definition for Bits Stored 1–16, signed and unsigned, any length and offset', () => {
  for (let stored = 1; stored <= 16; stored++) {
    for (const signed of [true, false]) {
      for (const count of [1, 7, 8, 9, 4099]) {
        const input = words(count, stored * 31 + count);
        const intercept = signed ? -1024 : 3;
        // The same words at an odd byte offset: the kernel copies bytes, so alignment must not matter.
        const odd = new Uint8Array(count * 2 + 1);
        odd.set(new Uint8Array(input.buffer), 1);
        for (const bytes of [new Uint8Array(input.buffer), odd.subarray(1)]) {
          const expected = Array.from(input, (word) => scalar(word, stored, signed, intercept));
          const fits = expected.every((v) => v >= -32768 && v <= 32767);
          const float = wordsToFloat32(bytes, count, stored, signed, 1, intercept);
          const int16 = wordsToInt16(bytes, count, stored, signed, 1, intercept);
          assert.ok(float, `the float32 kernel ran for Bits Stored ${stored}`);
          assert.equal(
            int16 !== undefined,
            fits,
            `int16 given exactly when every value fits (${stored} bits)`,
          );
          for (const got of int16 ? [float, int16] : [float]) {
            assert.equal(got.length, count);
            for (let i = 0; i < count; i++) {
              if (got[i] !== expected[i])
                assert.fail(
                  `${got.constructor.name}, Bits Stored ${stored}, ${signed ? 'signed' : 'unsigned'}, sample ${i} of ${count}: word ${input[i]} gave ${got[i]}, expected ${expected[i]}`,
                );
            }
          }
        }
      }
    }
  }
});

test('a 512² CT slice: signed 12-bit with intercept −1024 gives Hounsfield units', () => {
  const hu = new Int16Array(512 * 512);
  for (let i = 0; i < hu.length; i++) hu[i] = (i % 4096) - 2048; // every 12-bit value, sign-extended to 16
  const got = wordsToFloat32(new Uint8Array(hu.buffer), hu.length, 12, true, 1, -1024);
  assert.ok(got);
  assert.equal(got[0], -3072);
  assert.equal(got[4095], 2047 - 1024);
  assert.deepEqual(
    got,
    Float32Array.from(hu, (v) => v - 1024),
  );
  assert.deepEqual(
    wordsToInt16(new Uint8Array(hu.buffer), hu.length, 12, true, 1, -1024),
    Int16Array.from(hu, (v) => v - 1024),
  );
});

test('int16 is declined when one value leaves its range, wherever that value is', () => {
  for (const at of [0, 5, 8, 1000, 1002]) {
    const hu = new Int16Array(1003).fill(-1000);
    hu[at] = -31000; // −31000 − 2000 < −32768
    assert.equal(
      wordsToInt16(new Uint8Array(hu.buffer), hu.length, 16, true, 1, -2000),
      undefined,
      `at ${at}`,
    );
    hu[at] = -30000;
    assert.equal(wordsToInt16(new Uint8Array(hu.buffer), hu.length, 16, true, 1, -2000)?.[at], -32000);
  }
  const top = new Uint16Array(9).fill(65535); // unsigned 16-bit 65535 is past int16 even with intercept 0
  assert.equal(wordsToInt16(new Uint8Array(top.buffer), 9, 16, false, 1, 0), undefined);
  assert.equal(wordsToInt16(new Uint8Array(top.buffer), 9, 16, false, 1, -32768)?.[8], 32767);
});

test('declines what float32 addition of whole numbers would not give exactly', () => {
  const bytes = new Uint8Array(16);
  assert.equal(wordsToFloat32(bytes, 8, 16, true, 0.5, 0), undefined, 'a slope other than 1');
  assert.equal(wordsToFloat32(bytes, 8, 16, true, 1, 0.25), undefined, 'a fractional intercept');
  assert.equal(wordsToFloat32(bytes, 8, 16, true, 1, 2 ** 30), undefined, 'an intercept past 2^23');
  assert.equal(wordsToFloat32(bytes, 9, 16, true, 1, 0), undefined, 'fewer bytes than samples');
  const huge = new Uint8Array(2 * (2 ** 22 + 1)); // past 2048²: the scalar path, so the kernel's memory stays small
  assert.equal(wordsToFloat32(huge, 2 ** 22 + 1, 16, true, 1, 0), undefined, 'a frame larger than 2048²');
  assert.ok(wordsToFloat32(huge, 2 ** 22, 16, true, 1, 0), 'a 2048² frame');
  assert.equal(wordsToInt16(bytes, 8, 16, true, 2, 0), undefined, 'int16 with a slope other than 1');
  assert.equal(wordsToInt16(bytes, 8, 16, true, 1, 0.5), undefined, 'int16 with a fractional intercept');
});
