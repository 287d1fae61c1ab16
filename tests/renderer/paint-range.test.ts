import { test } from 'node:test';
import assert from 'node:assert/strict';
import { paintDisc, paintSegment } from '../../renderer/mask-brush.ts';
import { DEFAULT_PAINT_RANGE, paintableMask, parseBound, rangeText } from '../../renderer/paint-range.ts';

test('the paintable mask marks values within the inclusive range, through the slope and intercept', () => {
  // Stored 0, 100, 200, 300, 400 with slope 2 and intercept −1024: −1024, −824, −624, −424, −224 HU.
  const image = { pixels: Uint16Array.of(0, 100, 200, 300, 400), slope: 2, intercept: -1024 };
  assert.deepEqual([...paintableMask(image, { low: -824, high: -424 })], [0, 1, 1, 1, 0]);
  assert.deepEqual([...paintableMask(image, DEFAULT_PAINT_RANGE)], [0, 0, 1, 1, 1]);
  // Bounds typed the other way round mean the same range.
  assert.deepEqual([...paintableMask(image, { low: -424, high: -824 })], [0, 1, 1, 1, 0]);
});

test('a gated stroke across a nodule in aerated lung paints the nodule and not the lung', () => {
  // 21 × 21 slice of lung at −850 HU with a disc of radius 4 at +40 HU around (10, 10).
  const size = 21;
  const pixels = new Int16Array(size * size).fill(-850);
  for (let y = 0; y < size; y++)
    for (let x = 0; x < size; x++) if ((x - 10) ** 2 + (y - 10) ** 2 <= 16) pixels[y * size + x] = 40;
  const paintable = paintableMask({ pixels, slope: 1, intercept: 0 }, DEFAULT_PAINT_RANGE);
  const mask = new Uint8Array(size * size);
  paintSegment(mask, size, size, { x: 2, y: 10 }, { x: 18, y: 10 }, 6, 1, 1, paintable);
  for (let i = 0; i < mask.length; i++) assert.equal(mask[i], pixels[i] === 40 ? 1 : 0, `pixel ${i}`);
  // The eraser ignores the gate: what leaked is erased whole.
  mask.fill(1);
  paintDisc(mask, size, size, { x: 10, y: 10 }, 8, 0, 1, paintable);
  assert.equal(mask[10 * size + 3], 0, 'lung pixel erased');
  assert.equal(mask[10 * size + 10], 0, 'nodule pixel erased');
});

test('bounds typed in the toolbar: numbers (also with a typographic minus), else the previous bound', () => {
  assert.equal(parseBound('-600', -700), -600);
  assert.equal(parseBound(' −450.4 ', -700), -450);
  assert.equal(parseBound('', -700), -700);
  assert.equal(parseBound('lung', 3000), 3000);
});

test('the banner names the range in order, in HU for CT only', () => {
  assert.equal(rangeText({ low: -700, high: 3000 }, 'CT'), '−700 … 3000 HU');
  assert.equal(rangeText({ low: 500, high: 100 }, 'MR'), '100 … 500');
});
