// The WebAssembly SIMD kernel for 16-bit grey samples gives exactly the values of the scalar definition (mask or
// sign-extend Bits Stored, add the intercept) for every Bits Stored, both signs, garbage in the unused high bits,
// odd byte offsets and counts that are not a multiple of its 8-sample step; and declines what it cannot do exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wordsToFloat32 } from '../../../src/dicom/decode/simd-samples.ts';

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
          const got = wordsToFloat32(bytes, count, stored, signed, 1, intercept);
          assert.ok(got, `the kernel ran for Bits Stored ${stored}`);
          assert.equal(got.length, count);
          for (let i = 0; i < count; i++) {
            if (got[i] !== scalar(input[i], stored, signed, intercept))
              assert.fail(
                `Bits Stored ${stored}, ${signed ? 'signed' : 'unsigned'}, sample ${i} of ${count}: word ${input[i]} gave ${got[i]}, expected ${scalar(input[i], stored, signed, intercept)}`,
              );
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
});

test('declines what float32 addition of whole numbers would not give exactly', () => {
  const bytes = new Uint8Array(16);
  assert.equal(wordsToFloat32(bytes, 8, 16, true, 0.5, 0), undefined, 'a slope other than 1');
  assert.equal(wordsToFloat32(bytes, 8, 16, true, 1, 0.25), undefined, 'a fractional intercept');
  assert.equal(wordsToFloat32(bytes, 8, 16, true, 1, 2 ** 30), undefined, 'an intercept past 2^23');
  assert.equal(wordsToFloat32(bytes, 9, 16, true, 1, 0), undefined, 'fewer bytes than samples');
});
