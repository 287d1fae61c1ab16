import { test } from 'node:test';
import assert from 'node:assert/strict';
import { storedPixels } from '../../../renderer/viewport/stored-pixels.ts';

test('int16 slices pass through as modality values with their range', () => {
  const values = Int16Array.from([-1024, 0, 3071, 40]);
  const stored = storedPixels(values);
  assert.equal(stored.data, values);
  assert.deepEqual([stored.slope, stored.intercept, stored.min, stored.max], [1, 0, -1024, 3071]);
});

test('float32 slices are quantised so that stored × slope + intercept gives back the value closely', () => {
  const values = Float32Array.from([-0.5, 0.25, 1.75, 3.125, 1e-3]);
  const stored = storedPixels(values);
  assert.equal(stored.min, 0);
  assert.equal(stored.max, 65535);
  for (let i = 0; i < values.length; i++) {
    const back = stored.data[i]! * stored.slope + stored.intercept;
    assert.ok(Math.abs(back - values[i]!) <= stored.slope / 2 + 1e-9, `${values[i]} came back as ${back}`);
  }
});

test('a constant float slice and NaN values do not break the range', () => {
  const flat = storedPixels(Float32Array.from([2.5, 2.5]));
  assert.equal(flat.slope, 1);
  assert.equal(flat.data[0]! * flat.slope + flat.intercept, 2.5);
  const withNaN = storedPixels(Float32Array.from([NaN, 1, 3]));
  assert.equal(withNaN.data[0], 0);
  assert.equal(withNaN.intercept, 1);
});
