import { test } from 'node:test';
import assert from 'node:assert/strict';
import { thumbnailPixels } from '../../renderer/thumbnail-pixels.ts';

test('a thumbnail keeps the aspect ratio, fits the size, and windows values to grey', () => {
  // 4 rows × 8 columns: left half -1000 (air), right half +1000 (bone).
  const values = new Int16Array(32).map((_, i) => (i % 8 < 4 ? -1000 : 1000));
  const thumb = thumbnailPixels(values, 4, 8, { width: 400, center: 0 }, 4);
  assert.equal(thumb.width, 4);
  assert.equal(thumb.height, 2);
  const grey = (x: number, y: number) => thumb.rgba[(y * thumb.width + x) * 4]!;
  assert.equal(grey(0, 0), 0, 'below the window is black');
  assert.equal(grey(3, 1), 255, 'above the window is white');
  assert.equal(thumb.rgba[3], 255, 'opaque');
});

test('the middle of the window is mid-grey, inverted for MONOCHROME1; small images are not enlarged', () => {
  const values = new Float32Array([40, 40, 40, 40]);
  const plain = thumbnailPixels(values, 2, 2, { width: 80, center: 40 }, 64);
  assert.equal(plain.width, 2);
  assert.ok(Math.abs(plain.rgba[0]! - 128) <= 1);
  const inverted = thumbnailPixels(values, 2, 2, { width: 80, center: 40 }, 64, true);
  assert.equal(inverted.rgba[0], 255 - plain.rgba[0]!);
});
