import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDataset } from '../../src/dataset/open-dataset.ts';
import type { DatasetStore, StoredFinding } from '../../src/dataset/dataset-types.ts';
import { ballFinding, MODEL, outcomeOf, square, syntheticStudy, tempDir } from './dataset-fixtures.ts';

const SIZE: [number, number, number] = [64, 64, 20];
const PLANE = 64 * 64;
let t: ReturnType<typeof tempDir>;
let store: DatasetStore;
let a: StoredFinding;
let b: StoredFinding;

beforeEach(() => {
  t = tempDir();
  store = openDataset(join(t.dir, 'd.sqlite'));
  const { study, geometry } = syntheticStudy('1.4', { patientId: 'P4', patientName: 'N' }, [
    { seriesUid: '1.4.1' },
  ]);
  store.importStudy(study, geometry);
  store.addReader('alice');
  store.addReader('bob');
  const runId = store.startRun('1.4.1', MODEL, 0.5, {});
  [a, b] = store.finishRun(
    runId,
    outcomeOf(SIZE, [ballFinding(1, SIZE, [20, 20, 10], 3, 0.9), ballFinding(2, SIZE, [40, 40, 5], 2, 0.7)]),
  );
});
afterEach(() => {
  store.close();
  t.remove();
});

test('decide validates kind, reason, reader and finding, and names what is wrong', () => {
  assert.throws(
    () => store.decide(a.id, 'alice', { kind: 'rejected' }),
    /needs a reason: one of vessel, scar/,
  );
  assert.throws(
    () => store.decide(a.id, 'alice', { kind: 'confirmed', reason: 'scar' }),
    /takes no rejection reason/,
  );
  assert.throws(() => store.decide(a.id, 'carol', { kind: 'confirmed' }), /reader "carol" is not known/);
  assert.throws(
    () => store.decide(9999, 'alice', { kind: 'confirmed' }),
    /finding 9999 is not in the dataset/,
  );
  assert.throws(
    // @ts-expect-error: a bad kind from an untyped caller
    () => store.decide(a.id, 'alice', { kind: 'maybe' }),
    /not one of confirmed, rejected/,
  );
  assert.equal(
    store.audit().filter((e) => e.action === 'decide').length,
    0,
    'refused decisions are not logged',
  );
});

test('a decision is stored with reader and time; the first one puts the series in review', () => {
  assert.equal(store.series('1.4.1')!.status, 'flagged');
  const record = store.decide(b.id, 'alice', {
    kind: 'rejected',
    reason: 'artefact',
    note: 'beam hardening',
  });
  assert.equal(record.reader, 'alice');
  assert.ok(Date.parse(record.at) > 0);
  assert.deepEqual(store.finding(b.id, 'alice')!.decision, record);
  assert.equal(store.finding(b.id, 'bob')!.decision, null);
  assert.equal(store.series('1.4.1')!.status, 'in-review');
});

test('a correction replaces one slice of the final mask; the proposal is kept as it was', () => {
  const proposal = store.maskVoxels(a.id, 'proposal');
  const painted = square(5, 5, 4);
  const record = store.correctMaskSlice(a.id, 'alice', 10, painted);
  assert.equal(record.kind, 'corrected');
  assert.deepEqual(store.maskSlice(a.id, 10, 'final', 'alice'), painted);
  assert.deepEqual(store.maskVoxels(a.id, 'proposal'), proposal);
  // Other slices of the final mask still follow the proposal; other readers still see the proposal.
  assert.deepEqual(store.maskSlice(a.id, 9, 'final', 'alice'), store.maskSlice(a.id, 9, 'proposal'));
  assert.deepEqual(store.maskSlice(a.id, 10, 'final', 'bob'), store.maskSlice(a.id, 10, 'proposal'));
  const final = store.maskVoxels(a.id, 'final', 'alice');
  const outsideSlice10 = (v: number) => Math.floor(v / PLANE) !== 10;
  assert.deepEqual([...final].filter(outsideSlice10), [...proposal].filter(outsideSlice10));
  assert.equal([...final].filter((v) => !outsideSlice10(v)).length, 16);
  // Erasing a slice entirely is a correction too (stored, not "falls back to the proposal").
  store.correctMaskSlice(a.id, 'alice', 10, new Uint8Array(PLANE));
  assert.equal(
    store.maskSlice(a.id, 10, 'final', 'alice').reduce((s, v) => s + v, 0),
    0,
  );
  assert.throws(() => store.correctMaskSlice(a.id, 'alice', 20, painted), /slice 20 is outside series 1.4.1/);
  assert.throws(() => store.correctMaskSlice(a.id, 'alice', 1, new Uint8Array(10)), /must hold 4096 bytes/);
});

test('an added finding is measured, marked added by its reader, and reviewable by others', () => {
  const added = store.addFinding('1.4.1', 'bob', 12, square(30, 30, 5));
  assert.equal(added.source, 'reader');
  assert.equal(added.addedBy, 'bob');
  assert.equal(added.decision?.kind, 'added');
  assert.deepEqual(added.sliceRange, [12, 12]);
  assert.ok(Math.abs(added.volumeMm3 - 25 * 0.7 * 0.7 * 1.25) < 1e-9);
  // 5 × 5 pixels of 0.7 mm: the corner-to-corner caliper of the painted squares is 5 · 0.7 · √2.
  assert.ok(Math.abs(added.diameterMm - 5 * 0.7 * Math.SQRT2) < 0.01, `${added.diameterMm}`);
  assert.deepEqual(added.centerMm, [32 * 0.7 - 180, 32 * 0.7 - 180, 12 * 1.25 - 300]);
  assert.deepEqual(added.focusPoint, [32, 32]);
  assert.deepEqual(store.maskSlice(added.id, 12, 'final', 'alice'), square(30, 30, 5));
  assert.throws(() => store.addFinding('1.4.1', 'bob', 2, new Uint8Array(PLANE)), /painted mask is empty/);
  assert.throws(() => store.addFinding('9.9', 'bob', 2, square(1, 1, 1)), /series 9.9 is not in the dataset/);
});

test('an outlined finding spans its slices as the proposal, is measured in 3-D, audited and undone in one step', () => {
  // A 5 × 5 × 3 box outlined in one go, fullest (and so the focus) on its middle slice.
  const masks = new Map([
    [12, square(30, 30, 5)],
    [13, square(29, 29, 7)],
    [14, square(30, 30, 5)],
  ]);
  const outlined = store.addOutlinedFinding('1.4.1', 'bob', masks, { separation: { kind: 'none', mm: 0 } });
  assert.equal(outlined.source, 'reader');
  assert.equal(outlined.decision?.kind, 'added');
  assert.deepEqual(outlined.sliceRange, [12, 14]);
  assert.equal(outlined.focusSlice, 13);
  assert.deepEqual(outlined.focusPoint, [32, 32]);
  assert.ok(Math.abs(outlined.volumeMm3 - (25 + 49 + 25) * 0.7 * 0.7 * 1.25) < 1e-9);
  for (const [k, mask] of masks) assert.deepEqual(store.maskSlice(outlined.id, k, 'proposal'), mask);
  // Another reader reviews the outline as drawn.
  assert.deepEqual(store.finding(outlined.id, 'alice')!.sliceRange, [12, 14]);
  const entry = store.audit().at(-1)!;
  assert.equal(entry.action, 'add-finding');
  assert.deepEqual(JSON.parse(entry.detail), {
    findingId: outlined.id,
    seriesUid: '1.4.1',
    slices: [12, 14],
    outlined: { separation: { kind: 'none', mm: 0 } },
    voxels: 99,
  });
  assert.equal(
    store.undo('1.4.1', 'bob').description,
    `undid outline finding ${outlined.id} over slices 13–15`,
  );
  assert.ok(!store.findings('1.4.1', 'bob').some((f) => f.id === outlined.id));
  assert.throws(
    () => store.addOutlinedFinding('1.4.1', 'bob', new Map([[40, square(1, 1, 1)]]), {}),
    /slice 40 is outside series 1.4.1/,
  );
});

test('a finding reads as its reader left it: painted slices extend it, erased ones shrink it, others see the proposal', () => {
  // Bob paints his added 5 × 5 square on two more slices: a 5 × 5 × 3 box.
  const added = store.addFinding('1.4.1', 'bob', 12, square(30, 30, 5));
  store.correctMaskSlice(added.id, 'bob', 13, square(30, 30, 5));
  store.correctMaskSlice(added.id, 'bob', 14, square(30, 30, 5));
  const boxed = store.finding(added.id, 'bob')!;
  assert.deepEqual(boxed.sliceRange, [12, 14]);
  assert.ok(Math.abs(boxed.volumeMm3 - 75 * 0.7 * 0.7 * 1.25) < 1e-9);
  // The longest diameter is the box's diagonal through its voxels' outer faces.
  assert.ok(Math.abs(boxed.diameterMm - Math.hypot(3.5, 3.5, 3 * 1.25)) < 0.01, `${boxed.diameterMm}`);
  assert.deepEqual(boxed.centerMm, [32 * 0.7 - 180, 32 * 0.7 - 180, 13 * 1.25 - 300]);
  assert.deepEqual(boxed.focusSlice, 12);
  assert.deepEqual(
    store.findings('1.4.1', 'bob').find((f) => f.id === added.id),
    boxed,
  );
  // Alice never painted it: she sees it as it was added.
  assert.deepEqual(store.finding(added.id, 'alice')!.sliceRange, [12, 12]);

  // Alice erases the model's finding from its first slice to its focus slice: it starts after them, and its
  // focus moves to the fullest slice left, on the pixel nearest that slice's centre.
  const proposal = store.maskVoxels(a.id, 'proposal');
  const [first, last] = a.sliceRange;
  for (let k = first; k <= a.focusSlice; k++) store.correctMaskSlice(a.id, 'alice', k, new Uint8Array(PLANE));
  const left = [...proposal].filter((v) => Math.floor(v / PLANE) > a.focusSlice);
  const shrunk = store.finding(a.id, 'alice')!;
  assert.deepEqual(shrunk.sliceRange, [a.focusSlice + 1, last]);
  assert.ok(Math.abs(shrunk.volumeMm3 - left.length * 0.7 * 0.7 * 1.25) < 1e-9);
  assert.equal(shrunk.focusSlice, a.focusSlice + 1);
  assert.deepEqual(shrunk.focusPoint, [20, 20]);
  assert.deepEqual(store.finding(a.id, 'bob')!.sliceRange, a.sliceRange);
  // Erased entirely, it keeps the proposal's figures, so the reader can still find it and paint it again.
  for (let k = first; k <= last; k++) store.correctMaskSlice(a.id, 'alice', k, new Uint8Array(PLANE));
  assert.deepEqual(store.finding(a.id, 'alice')!.sliceRange, a.sliceRange);
});

test('undo and redo walk back and forth through a reader’s actions, and are audited', () => {
  store.decide(a.id, 'alice', { kind: 'confirmed' });
  store.decide(a.id, 'alice', { kind: 'rejected', reason: 'scar' });
  store.correctMaskSlice(b.id, 'alice', 5, square(1, 1, 2));
  const added = store.addFinding('1.4.1', 'alice', 15, square(50, 50, 3));
  store.setStatus('1.4.1', 'done', 'alice');
  // bob's actions are on his own stack.
  store.decide(a.id, 'bob', { kind: 'confirmed' });

  const ids = () => store.findings('1.4.1', 'alice').map((f) => f.id);
  assert.equal(store.undo('1.4.1', 'alice').description, 'undid set status done');
  assert.equal(store.series('1.4.1')!.status, 'in-review');
  // Descriptions name slices 1-based, as the viewer shows them (slice index 15 is "slice 16").
  assert.equal(store.undo('1.4.1', 'alice').description, `undid add finding ${added.id} on slice 16`);
  assert.ok(!ids().includes(added.id));
  assert.throws(() => store.decide(added.id, 'bob', { kind: 'confirmed' }), /was withdrawn/);
  store.undo('1.4.1', 'alice');
  assert.deepEqual(store.maskSlice(b.id, 5, 'final', 'alice'), store.maskSlice(b.id, 5, 'proposal'));
  assert.equal(store.finding(b.id, 'alice')!.decision, null);
  store.undo('1.4.1', 'alice');
  assert.equal(store.finding(a.id, 'alice')!.decision?.kind, 'confirmed');
  store.undo('1.4.1', 'alice');
  assert.equal(store.finding(a.id, 'alice')!.decision, null);
  assert.equal(store.series('1.4.1')!.status, 'flagged', 'the first action’s move into review is undone too');
  assert.deepEqual(store.undo('1.4.1', 'alice'), { applied: false, description: 'nothing to undo' });
  assert.equal(store.finding(a.id, 'bob')!.decision?.kind, 'confirmed', 'bob’s decision untouched');

  assert.equal(store.redo('1.4.1', 'alice').description, 'redid confirm finding ' + a.id);
  store.redo('1.4.1', 'alice');
  assert.equal(store.finding(a.id, 'alice')!.decision?.reason, 'scar');
  store.redo('1.4.1', 'alice');
  assert.equal(
    store.maskSlice(b.id, 5, 'final', 'alice').reduce((s, v) => s + v, 0),
    4,
  );
  store.redo('1.4.1', 'alice');
  assert.ok(ids().includes(added.id));

  // A new action clears what is left to redo (the status change).
  store.decide(b.id, 'alice', { kind: 'confirmed' });
  assert.deepEqual(store.redo('1.4.1', 'alice'), { applied: false, description: 'nothing to redo' });
  assert.equal(store.series('1.4.1')!.status, 'in-review');

  const log = store.audit().map((e) => e.action);
  assert.equal(log.filter((x) => x === 'undo').length, 5);
  assert.equal(log.filter((x) => x === 'redo').length, 4);
  assert.equal(store.verifyAudit().ok, true);
});

test('a status change without a reader is audited but not on anyone’s undo stack', () => {
  store.setStatus('1.4.1', 'done', null);
  assert.equal(store.series('1.4.1')!.status, 'done');
  assert.deepEqual(store.undo('1.4.1', 'alice'), { applied: false, description: 'nothing to undo' });
  // @ts-expect-error: a bad status from an untyped caller
  assert.throws(() => store.setStatus('1.4.1', 'lost', null), /status "lost" is not one of/);
  assert.equal(store.audit().at(-1)!.action, 'status');
});

test('thresholds are saved per model with who and when', () => {
  assert.equal(store.threshold(MODEL.id), undefined);
  const saved = store.saveThreshold(MODEL.id, 0.35, 'bob');
  assert.deepEqual(store.threshold(MODEL.id), saved);
  assert.equal(saved.setBy, 'bob');
  assert.throws(() => store.saveThreshold(MODEL.id, 1.5, 'bob'), /outside \(0, 1\]/);
  assert.match(store.audit().at(-1)!.detail, /"previous":null,"threshold":0.35/);
});
