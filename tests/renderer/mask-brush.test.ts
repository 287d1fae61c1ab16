import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countSet, maskToBase64, nextRadius, paintDisc, paintSegment } from '../../renderer/mask-brush.ts';

function render(mask: Uint8Array, columns: number): string {
  const lines: string[] = [];
  for (let i = 0; i < mask.length; i += columns)
    lines.push(Array.from(mask.subarray(i, i + columns)).join(''));
  return lines.join('\n');
}

test('a disc of radius 2 at a pixel centre sets the 13 pixels within distance 2', () => {
  const mask = new Uint8Array(7 * 7);
  const changed = paintDisc(mask, 7, 7, { x: 3, y: 3 }, 2, 1);
  assert.equal(changed, 13);
  assert.equal(
    render(mask, 7),
    ['0000000', '0001000', '0011100', '0111110', '0011100', '0001000', '0000000'].join('\n'),
  );
});

test('pixel counts follow the area of the circle for larger radii', () => {
  const size = 101;
  for (const radius of [5, 10, 20]) {
    const mask = new Uint8Array(size * size);
    paintDisc(mask, size, size, { x: 50, y: 50 }, radius, 1);
    const area = Math.PI * radius * radius;
    assert.ok(
      Math.abs(countSet(mask) - area) / area < 0.05,
      `radius ${radius}: ${countSet(mask)} vs ${area}`,
    );
  }
});

test('the brush is clipped at the image edge and erasing sets zeros', () => {
  const mask = new Uint8Array(5 * 5).fill(1);
  const changed = paintDisc(mask, 5, 5, { x: 0, y: 0 }, 1, 0);
  assert.equal(changed, 3); // (0,0), (1,0), (0,1): the rest of the disc is outside
  assert.equal(countSet(mask), 22);
  assert.equal(paintDisc(mask, 5, 5, { x: 0, y: 0 }, 1, 0), 0, 'erasing twice changes nothing');
});

test('a stroke leaves no gap between samples far apart', () => {
  const mask = new Uint8Array(20 * 50);
  paintSegment(mask, 20, 50, { x: 2, y: 10 }, { x: 47, y: 10 }, 1, 1);
  for (let x = 2; x <= 47; x++) assert.equal(mask[10 * 50 + x], 1, `gap at column ${x}`);
  assert.equal(mask[10 * 50 + 49], 0);
});

test('a mask of the wrong size is refused', () => {
  assert.throws(() => paintDisc(new Uint8Array(10), 4, 4, { x: 1, y: 1 }, 1, 1), /expected 4×4/);
});

test('base64 of the mask decodes back to the same bytes', () => {
  const mask = new Uint8Array(300 * 300);
  paintDisc(mask, 300, 300, { x: 150, y: 150 }, 40, 1);
  assert.deepEqual(new Uint8Array(Buffer.from(maskToBase64(mask), 'base64')), mask);
});

test('[ and ] step the radius within its bounds', () => {
  assert.equal(nextRadius(4, 1), 5);
  assert.equal(nextRadius(10, 1), 12);
  assert.equal(nextRadius(1, -1), 1);
  assert.equal(nextRadius(50, 1), 50);
});
