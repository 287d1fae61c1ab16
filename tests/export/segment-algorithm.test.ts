import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasLabel, segmentAlgorithmType } from '../../src/export/segment-algorithm.ts';

test('review state → Segment Algorithm Type', () => {
  assert.equal(segmentAlgorithmType({ decision: 'pending', proposal: true }), 'AUTOMATIC');
  assert.equal(segmentAlgorithmType({ decision: 'confirmed', proposal: true }), 'AUTOMATIC');
  assert.equal(segmentAlgorithmType({ decision: 'confirmed', proposal: false }), 'SEMIAUTOMATIC');
  assert.equal(segmentAlgorithmType({ decision: 'corrected', proposal: false }), 'MANUAL');
  assert.equal(segmentAlgorithmType({ decision: 'added', proposal: false }), 'MANUAL');
});

test('only reviewed, non-rejected findings are labels unless proposals are asked for', () => {
  assert.equal(hasLabel('rejected', true), false);
  assert.equal(hasLabel('pending', false), false);
  assert.equal(hasLabel('pending', true), true);
  assert.equal(hasLabel('confirmed', false), true);
  assert.equal(hasLabel('corrected', false), true);
});
