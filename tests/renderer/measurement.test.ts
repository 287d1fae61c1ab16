import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLength, lengthMm } from '../../renderer/measurement.ts';

test('lengths use the column spacing across and the row spacing down', () => {
  // DICOM Pixel Spacing is [row spacing, column spacing]: 0.5 mm between rows, 0.8 mm between columns.
  const spacing: [number, number] = [0.5, 0.8];
  assert.equal(lengthMm({ x: 10, y: 10 }, { x: 20, y: 10 }, spacing), 8); // 10 columns × 0.8
  assert.equal(lengthMm({ x: 10, y: 10 }, { x: 10, y: 30 }, spacing), 10); // 20 rows × 0.5
  assert.equal(lengthMm({ x: 0, y: 0 }, { x: 3.75, y: 10 }, spacing), Math.hypot(3, 5));
  assert.equal(lengthMm({ x: 5, y: 5 }, { x: 5, y: 5 }, spacing), 0);
});

test('lengths read in tenths of a millimetre', () => {
  assert.equal(formatLength(12.345), '12.3 mm');
  assert.equal(formatLength(7), '7.0 mm');
});
