import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maskDice } from '../../src/metrics/mask-dice.ts';

test('Dice of sparse masks: 2 shared of 3 + 5 voxels is 4/8', () => {
  assert.equal(maskDice(Uint32Array.of(1, 5, 9), Uint32Array.of(0, 5, 9, 10, 11)), 0.5);
  assert.equal(maskDice(Uint32Array.of(3, 4), Uint32Array.of(3, 4)), 1);
  assert.equal(maskDice(Uint32Array.of(3), Uint32Array.of(4)), 0);
  assert.equal(maskDice(new Uint32Array(0), Uint32Array.of(4)), 0);
});
