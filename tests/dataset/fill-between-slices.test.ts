import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDataset } from '../../src/dataset/open-dataset.ts';
import type { DatasetStore } from '../../src/dataset/dataset-types.ts';
import { square, syntheticStudy, tempDir } from './dataset-fixtures.ts';

let t: ReturnType<typeof tempDir>;
let store: DatasetStore;

beforeEach(() => {
  t = tempDir();
  store = openDataset(join(t.dir, 'd.sqlite'));
  const { study, geometry } = syntheticStudy('1.7', { patientId: 'P7', patientName: 'N' }, [
    { seriesUid: '1.7.1' },
  ]);
  store.importStudy(study, geometry);
  store.addReader('alice');
  store.addReader('bob');
});
afterEach(() => {
  store.close();
  t.remove();
});

test('the empty slices between painted ones are filled, as one undoable action of the reader', () => {
  const added = store.addFinding('1.7.1', 'alice', 5, square(20, 20, 10));
  store.correctMaskSlice(added.id, 'alice', 9, square(20, 20, 10));
  const { decision, filled } = store.fillBetweenSlices(added.id, 'alice');
  assert.deepEqual(filled, [6, 7, 8]);
  assert.equal(decision.kind, 'added', 'the reader’s own addition stays added');
  for (const k of filled)
    assert.deepEqual(store.maskSlice(added.id, k, 'final', 'alice'), square(20, 20, 10));
  const finding = store.finding(added.id, 'alice')!;
  assert.deepEqual(finding.sliceRange, [5, 9]);
  assert.ok(Math.abs(finding.volumeMm3 - 500 * 0.7 * 0.7 * 1.25) < 1e-9);
  // Bob's view is untouched: the proposal is alice's first slice.
  assert.deepEqual(store.finding(added.id, 'bob')!.sliceRange, [5, 5]);

  // One undo takes all three filled slices back; redo brings them again.
  const undone = store.undo('1.7.1', 'alice');
  assert.equal(undone.applied, true);
  assert.match(undone.description ?? '', /fill 3 slices of finding/);
  for (const k of filled) assert.equal(store.maskSlice(added.id, k, 'final', 'alice').includes(1), false);
  assert.deepEqual(store.finding(added.id, 'alice')!.sliceRange, [5, 9]);
  assert.equal(store.maskVoxels(added.id, 'final', 'alice').length, 200);
  store.redo('1.7.1', 'alice');
  assert.equal(store.maskVoxels(added.id, 'final', 'alice').length, 500);

  const audit = store.audit().filter((entry) => entry.action === 'fill-slices');
  assert.equal(audit.length, 1);
  assert.deepEqual(JSON.parse(audit[0]!.detail), {
    findingId: added.id,
    seriesUid: '1.7.1',
    slices: [6, 7, 8],
    voxels: 300,
  });
});

test('a model finding filled becomes the reader’s correction; each gap is filled from its own ends', () => {
  const added = store.addFinding('1.7.1', 'bob', 2, square(10, 10, 4));
  // Alice takes bob's finding on: paints two more slices with a growing square, leaving two gaps.
  store.correctMaskSlice(added.id, 'alice', 4, square(10, 10, 8));
  store.correctMaskSlice(added.id, 'alice', 8, square(10, 10, 8));
  const { decision, filled } = store.fillBetweenSlices(added.id, 'alice');
  assert.equal(decision.kind, 'corrected');
  assert.deepEqual(filled, [3, 5, 6, 7]);
  const area = (k: number) => store.maskSlice(added.id, k, 'final', 'alice').reduce((s, v) => s + v, 0);
  assert.ok(area(3) > 16 && area(3) < 64, `slice 3 between 4 × 4 and 8 × 8: ${area(3)}`);
  for (const k of [5, 6, 7])
    assert.deepEqual(store.maskSlice(added.id, k, 'final', 'alice'), square(10, 10, 8));
});

test('nothing to fill, a withdrawn finding or an unknown reader is refused with what to do', () => {
  const added = store.addFinding('1.7.1', 'alice', 5, square(20, 20, 10));
  assert.throws(
    () => store.fillBetweenSlices(added.id, 'alice'),
    /painted on 1 slice; paint its first and last slices, then fill between them/,
  );
  store.correctMaskSlice(added.id, 'alice', 6, square(20, 20, 10));
  assert.throws(
    () => store.fillBetweenSlices(added.id, 'alice'),
    /no empty slice between its painted ones \(slices 6–7\)/,
  );
  assert.throws(() => store.fillBetweenSlices(added.id, 'carol'), /reader "carol" is not known/);
  assert.throws(() => store.fillBetweenSlices(9999, 'alice'), /finding 9999 is not in the dataset/);
  // Refusals write nothing: the undo stack's last action is still the slice painted.
  assert.match(store.undo('1.7.1', 'alice').description ?? '', /paint slice 7 of finding/);
});
