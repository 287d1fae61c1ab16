import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sliceAtFraction, sliceBarMarks } from '../../renderer/slice-bar-marks.ts';
import { decided, finding } from './finding-fixtures.ts';

test('a finding spanning slices 10–14 of 100 marks 10 %–15 % of the bar, focus tick at 12.5 %', () => {
  const [mark] = sliceBarMarks([finding(7, { sliceRange: [10, 14], focusSlice: 12 })], 100, null);
  assert.deepEqual(mark, {
    findingId: 7,
    start: 0.1,
    end: 0.15,
    focus: 0.125,
    state: 'pending',
    selected: false,
  });
});

test('marks carry the review state and selection; a one-slice finding is one slice tall', () => {
  const marks = sliceBarMarks(
    [
      finding(1, { sliceRange: [0, 0], focusSlice: 0, decision: decided('confirmed') }),
      finding(2, { decision: decided('rejected') }),
    ],
    50,
    2,
  );
  assert.equal(marks[0]!.start, 0);
  assert.equal(marks[0]!.end, 1 / 50);
  assert.equal(marks[0]!.state, 'confirmed');
  assert.equal(marks[1]!.state, 'rejected');
  assert.equal(marks[1]!.selected, true);
});

test('ranges outside the stack are clamped, not drawn off the bar', () => {
  const [mark] = sliceBarMarks([finding(1, { sliceRange: [-3, 200], focusSlice: 300 })], 20, null);
  assert.equal(mark!.start, 0);
  assert.equal(mark!.end, 1);
  assert.equal(mark!.focus, 19.5 / 20);
  assert.deepEqual(sliceBarMarks([finding(1)], 0, null), []);
});

test('a point on the bar maps back to the slice under it', () => {
  assert.equal(sliceAtFraction(0, 100), 0);
  assert.equal(sliceAtFraction(0.105, 100), 10);
  assert.equal(sliceAtFraction(1, 100), 99);
  assert.equal(sliceAtFraction(-0.2, 100), 0);
});
