import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  countRegions,
  maskStyle,
  maskToRgba,
  probabilityAtThreshold,
  probabilityToRgba,
  STATE_COLOURS,
} from '../../renderer/layer-pixels.ts';

test('a mask becomes a translucent fill inside a solid outline of its state colour', () => {
  const mask = new Uint8Array(5 * 5);
  for (let r = 1; r <= 3; r++) for (let c = 1; c <= 3; c++) mask[r * 5 + c] = 1;
  const style = maskStyle('confirmed', false);
  const rgba = maskToRgba(mask, 5, 5, style);
  const at = (r: number, c: number) => Array.from(rgba.subarray((r * 5 + c) * 4, (r * 5 + c) * 4 + 4));
  assert.deepEqual(at(2, 2), [...STATE_COLOURS.confirmed, style.fillAlpha]);
  assert.deepEqual(at(1, 1), [...STATE_COLOURS.confirmed, style.outlineAlpha]);
  assert.deepEqual(at(0, 0), [0, 0, 0, 0]);
});

test('rejected masks have a dashed outline; selected ones are brighter', () => {
  const mask = new Uint8Array(1 * 12).fill(1);
  const rgba = maskToRgba(mask, 1, 12, maskStyle('rejected', false));
  const alphas = Array.from({ length: 12 }, (_, i) => rgba[i * 4 + 3]);
  assert.ok(new Set(alphas).size === 2, 'outline alternates between on and off');
  assert.ok(maskStyle('pending', true).fillAlpha > maskStyle('pending', false).fillAlpha);
});

test('probability below the floor is transparent; high probability is red and opaque', () => {
  const rgba = probabilityToRgba(Uint8Array.from([0, 255]));
  assert.equal(rgba[3], 0);
  assert.deepEqual(Array.from(rgba.subarray(4, 8)), [255, 0, 0, 200]);
});

test('the threshold preview flags pixels whose probability reaches it, and counts separate regions', () => {
  // probability × 255 on a 3 × 5 slice: two blobs, one of them only above 0.3.
  const probability = new Uint8Array([200, 200, 0, 90, 0, 200, 0, 0, 90, 0, 0, 0, 0, 0, 0]);
  const atHalf = probabilityAtThreshold(probability, 0.5);
  assert.deepEqual(Array.from(atHalf), [1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  assert.equal(countRegions(atHalf, 3, 5), 1);
  const atLow = probabilityAtThreshold(probability, 0.3);
  assert.equal(countRegions(atLow, 3, 5), 2);
  assert.equal(countRegions(probabilityAtThreshold(probability, 0.9), 3, 5), 0);
});
