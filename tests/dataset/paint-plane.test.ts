// Painting a finding's mask on a reformatted plane (dataset side): the lines replace the same line of each
// slice of the reader's mask, only the slices that changed are stored, as one undoable action; the other
// reader keeps the proposal. A non-square series (48 columns × 40 rows) keeps rows and columns apart.
import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDataset } from '../../src/dataset/open-dataset.ts';
import type { DatasetStore } from '../../src/dataset/dataset-types.ts';
import { ballFinding, MODEL, outcomeOf, syntheticStudy, tempDir } from './dataset-fixtures.ts';

const COLUMNS = 48;
const ROWS = 40;
const SLICES = 20;
const SIZE: [number, number, number] = [COLUMNS, ROWS, SLICES];

let t: ReturnType<typeof tempDir>;
let store: DatasetStore;
let findingId: number;

beforeEach(() => {
  t = tempDir();
  store = openDataset(join(t.dir, 'd.sqlite'));
  const { study, geometry } = syntheticStudy('1.8', { patientId: 'P8', patientName: 'N' }, [
    { seriesUid: '1.8.1', columns: COLUMNS, rows: ROWS, slices: SLICES },
  ]);
  store.importStudy(study, geometry);
  store.addReader('alice');
  store.addReader('bob');
  const runId = store.startRun('1.8.1', MODEL, 0.5, {});
  // A ball of radius 2 at column 30, row 10, slice 5: slices 3–7.
  [{ id: findingId }] = store.finishRun(runId, outcomeOf(SIZE, [ballFinding(1, SIZE, [30, 10, 5], 2, 0.9)]));
});
afterEach(() => {
  store.close();
  t.remove();
});

/** Lines of `width` bytes for `count` slices with ones from `from` to `to` (inclusive) on every line. */
function band(count: number, width: number, from: number, to: number): Uint8Array {
  const lines = new Uint8Array(count * width);
  for (let s = 0; s < count; s++) lines.fill(1, s * width + from, s * width + to + 1);
  return lines;
}

test('a stroke on the coronal plane sets image row `index` of each slice it covers, as one action', () => {
  const proposal = (k: number) => store.maskSlice(findingId, k, 'proposal');
  // Row 10 across slices 2–9 (beyond the ball's 3–7): columns 26–33 painted.
  const { decision, changed } = store.paintPlane(findingId, 'alice', {
    axis: 'row',
    index: 10,
    firstSlice: 2,
    lines: band(8, COLUMNS, 26, 33),
  });
  assert.equal(decision?.kind, 'corrected');
  assert.deepEqual(changed, [2, 3, 4, 5, 6, 7, 8, 9]);
  for (let k = 0; k < SLICES; k++) {
    const mask = store.maskSlice(findingId, k, 'final', 'alice');
    for (let j = 0; j < ROWS; j++)
      for (let i = 0; i < COLUMNS; i++) {
        const expected =
          j === 10 && k >= 2 && k <= 9 ? Number(i >= 26 && i <= 33) : proposal(k)[j * COLUMNS + i];
        assert.equal(mask[j * COLUMNS + i], expected, `slice ${k} row ${j} column ${i}`);
      }
  }
  assert.deepEqual(store.finding(findingId, 'alice')!.sliceRange, [2, 9], 'the range follows the paint');
  assert.deepEqual(store.finding(findingId, 'bob')!.sliceRange, [3, 7], 'bob keeps the proposal');

  // The same lines again change nothing: no action, no audit entry.
  const again = store.paintPlane(findingId, 'alice', {
    axis: 'row',
    index: 10,
    firstSlice: 2,
    lines: band(8, COLUMNS, 26, 33),
  });
  assert.deepEqual(again, { decision: null, changed: [] });
  const audit = store.audit().filter((entry) => entry.action === 'paint-plane');
  assert.equal(audit.length, 1);
  assert.deepEqual(JSON.parse(audit[0]!.detail).slices, changed);

  // One undo takes every slice back.
  const undone = store.undo('1.8.1', 'alice');
  assert.match(undone.description ?? '', /paint 8 slices of finding \d+ along image row 11/);
  for (let k = 0; k < SLICES; k++)
    assert.deepEqual(store.maskSlice(findingId, k, 'final', 'alice'), proposal(k), `slice ${k} after undo`);
  store.redo('1.8.1', 'alice');
  assert.deepEqual(store.finding(findingId, 'alice')!.sliceRange, [2, 9]);
});

test('a stroke on the sagittal plane sets image column `index`; erasing there removes the ball’s voxels', () => {
  // Column 30 on slices 3–7, all zeros: the ball's centre column is erased, the rest kept.
  const before = store.maskVoxels(findingId, 'final', 'alice').length;
  const { changed } = store.paintPlane(findingId, 'alice', {
    axis: 'column',
    index: 30,
    firstSlice: 3,
    lines: new Uint8Array(5 * ROWS),
  });
  assert.deepEqual(changed, [3, 4, 5, 6, 7]);
  let erased = 0;
  for (let k = 3; k <= 7; k++) {
    const proposal = store.maskSlice(findingId, k, 'proposal');
    const mask = store.maskSlice(findingId, k, 'final', 'alice');
    for (let j = 0; j < ROWS; j++) {
      assert.equal(mask[j * COLUMNS + 30], 0);
      erased += proposal[j * COLUMNS + 30]!;
      for (let i = 0; i < COLUMNS; i++)
        if (i !== 30) assert.equal(mask[j * COLUMNS + i], proposal[j * COLUMNS + i]);
    }
  }
  assert.ok(erased > 0);
  assert.equal(store.maskVoxels(findingId, 'final', 'alice').length, before - erased);
});

test('plane edits outside the series or with bad bytes are refused, saying what is wrong', () => {
  const edit = { axis: 'row' as const, index: 10, firstSlice: 0, lines: new Uint8Array(COLUMNS) };
  assert.throws(
    () => store.paintPlane(findingId, 'alice', { ...edit, index: ROWS }),
    /image row 40 is outside/,
  );
  assert.throws(
    () => store.paintPlane(findingId, 'alice', { ...edit, axis: 'column', index: COLUMNS }),
    /image column 48 is outside/,
  );
  assert.throws(
    () => store.paintPlane(findingId, 'alice', { ...edit, lines: new Uint8Array(COLUMNS + 1) }),
    /49 bytes; each slice's line .* is 48 bytes/,
  );
  assert.throws(
    () =>
      store.paintPlane(findingId, 'alice', { ...edit, firstSlice: 19, lines: new Uint8Array(2 * COLUMNS) }),
    /slices 20–21 are outside/,
  );
  assert.throws(
    () => store.paintPlane(findingId, 'alice', { ...edit, lines: new Uint8Array(COLUMNS).fill(2) }),
    /byte is 2/,
  );
  assert.throws(() => store.paintPlane(findingId, 'nobody', edit), /nobody/);
  assert.equal(store.audit().filter((entry) => entry.action === 'paint-plane').length, 0);
});
