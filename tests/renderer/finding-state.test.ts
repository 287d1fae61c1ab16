import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  findingState,
  findingsOnSlice,
  modelFlagCount,
  nextPending,
  stepFinding,
  visibleFindings,
} from '../../renderer/finding-state.ts';
import { decided, finding } from './finding-fixtures.ts';

test('a finding is pending until decided; corrected and added count as confirmed', () => {
  assert.equal(findingState(finding(1)), 'pending');
  assert.equal(findingState(finding(1, { decision: decided('confirmed') })), 'confirmed');
  assert.equal(findingState(finding(1, { decision: decided('corrected') })), 'confirmed');
  assert.equal(findingState(finding(1, { decision: decided('added') })), 'confirmed');
  assert.equal(findingState(finding(1, { decision: decided('rejected') })), 'rejected');
});

test('the threshold slider hides model flags below it, never reader findings', () => {
  const findings = [
    finding(1, { score: 0.9 }),
    finding(2, { score: 0.55 }),
    finding(3, { score: 0.3 }),
    finding(4, { score: null, source: 'reader' }),
  ];
  assert.deepEqual(
    visibleFindings(findings, 0.5).map((f) => f.id),
    [1, 2, 4],
  );
  assert.deepEqual(
    visibleFindings(findings, 0.6).map((f) => f.id),
    [1, 4],
  );
  assert.equal(modelFlagCount(findings, 0.5), 2);
  assert.equal(modelFlagCount(findings, 0.2), 3);
  assert.equal(modelFlagCount(findings, 0.95), 0);
});

test('J/K step through findings and wrap; with none selected, the first pending is chosen', () => {
  const findings = [finding(1, { decision: decided('confirmed') }), finding(2), finding(3)];
  assert.equal(stepFinding(findings, null, 1)?.id, 2);
  assert.equal(stepFinding(findings, 2, 1)?.id, 3);
  assert.equal(stepFinding(findings, 3, 1)?.id, 1);
  assert.equal(stepFinding(findings, 1, -1)?.id, 3);
  assert.equal(stepFinding([], null, 1), null);
});

test('after a decision the next pending finding is chosen, or none', () => {
  const findings = [finding(1), finding(2, { decision: decided('rejected') }), finding(3)];
  assert.equal(nextPending(findings, 1)?.id, 3);
  assert.equal(nextPending(findings, 3)?.id, 1);
  assert.equal(nextPending([finding(1, { decision: decided('confirmed') })], 1), null);
});

test('findings on a slice are those whose range covers it', () => {
  const findings = [finding(1, { sliceRange: [0, 2] }), finding(2, { sliceRange: [2, 5] })];
  assert.deepEqual(
    findingsOnSlice(findings, 2).map((f) => f.id),
    [1, 2],
  );
  assert.deepEqual(
    findingsOnSlice(findings, 5).map((f) => f.id),
    [2],
  );
  assert.deepEqual(findingsOnSlice(findings, 6), []);
});
