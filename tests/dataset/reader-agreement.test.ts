import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openDataset } from '../../src/dataset/open-dataset.ts';
import { cohenKappa, dice } from '../../src/dataset/reader-agreement.ts';
import { ballFinding, MODEL, outcomeOf, syntheticStudy, tempDir } from './dataset-fixtures.ts';

const SIZE: [number, number, number] = [64, 64, 20];

test("Cohen's kappa matches hand-worked tables", () => {
  // 20 items: both keep 10, both reject 5, a keeps / b rejects 3, a rejects / b keeps 2.
  const pairs: [boolean, boolean][] = [
    ...Array.from({ length: 10 }, (): [boolean, boolean] => [true, true]),
    ...Array.from({ length: 5 }, (): [boolean, boolean] => [false, false]),
    ...Array.from({ length: 3 }, (): [boolean, boolean] => [true, false]),
    ...Array.from({ length: 2 }, (): [boolean, boolean] => [false, true]),
  ];
  // po = 0.75; pe = 0.65 · 0.6 + 0.35 · 0.4 = 0.53; kappa = 0.22 / 0.47.
  assert.ok(Math.abs(cohenKappa(pairs)! - 0.22 / 0.47) < 1e-12);
  assert.equal(cohenKappa([]), null);
  assert.equal(cohenKappa([[true, true]]), null, 'undefined when chance agreement is 1');
  assert.equal(
    cohenKappa([
      [true, false],
      [false, true],
    ]),
    -1,
  );
});

test('Dice of index lists', () => {
  assert.equal(dice(Uint32Array.from([1, 2, 3, 4]), Uint32Array.from([3, 4, 5, 6])), 0.5);
  assert.equal(dice(new Uint32Array(0), new Uint32Array(0)), 1);
  assert.equal(dice(Uint32Array.from([1]), new Uint32Array(0)), 0);
});

test('a blind second read sees no other reader’s decisions or additions; agreement compares the two', () => {
  const t = tempDir();
  const store = openDataset(join(t.dir, 'd.sqlite'));
  try {
    const { study, geometry } = syntheticStudy('1.6', { patientId: 'P6', patientName: 'N' }, [
      { seriesUid: '1.6.1' },
    ]);
    store.importStudy(study, geometry);
    store.addReader('alice');
    store.addReader('bob');
    const runId = store.startRun('1.6.1', MODEL, 0.5, {});
    const [f1, f2, f3, f4] = store.finishRun(
      runId,
      outcomeOf(SIZE, [
        ballFinding(1, SIZE, [10, 10, 5], 2, 0.9),
        ballFinding(2, SIZE, [30, 10, 5], 2, 0.8),
        ballFinding(3, SIZE, [50, 10, 5], 2, 0.7),
        ballFinding(4, SIZE, [10, 40, 12], 3, 0.6),
      ]),
    );
    store.decide(f1.id, 'alice', { kind: 'confirmed' });
    store.decide(f2.id, 'alice', { kind: 'rejected', reason: 'vessel' });
    store.decide(f3.id, 'alice', { kind: 'confirmed' });
    const paint = new Uint8Array(64 * 64);
    paint.fill(1, 60 * 64 + 2, 60 * 64 + 6);
    const added = store.addFinding('1.6.1', 'alice', 7, paint);

    const blind = store.findings('1.6.1', 'bob', { blind: true });
    assert.deepEqual(
      blind.map((f) => f.id),
      [f1.id, f2.id, f3.id, f4.id],
      'alice’s added finding is hidden',
    );
    assert.ok(blind.every((f) => f.decision === null));
    assert.throws(() => store.findings('1.6.1', undefined, { blind: true }), /blind read needs the reader/);
    // Not blind and no reader: the latest decision of anyone.
    assert.equal(store.findings('1.6.1').find((f) => f.id === f2.id)!.decision?.reader, 'alice');

    store.decide(f1.id, 'bob', { kind: 'confirmed' });
    store.decide(f2.id, 'bob', { kind: 'confirmed' });
    store.decide(f3.id, 'bob', { kind: 'confirmed' });
    // bob trims finding 3 on its centre slice: alice keeps the proposal.
    const trimmed = store.maskSlice(f3.id, 5, 'proposal');
    const before = trimmed.reduce((s, v) => s + v, 0);
    trimmed.fill(0, 0, 10 * 64);
    const after = trimmed.reduce((s, v) => s + v, 0);
    store.correctMaskSlice(f3.id, 'bob', 5, trimmed);

    const result = store.agreement('1.6.1', 'alice', 'bob');
    assert.deepEqual(result.readers, ['alice', 'bob']);
    const byId = new Map(result.findings.map((f) => [f.findingId, f]));
    assert.deepEqual(byId.get(f1.id), { findingId: f1.id, a: 'confirmed', b: 'confirmed', agree: true });
    assert.deepEqual(byId.get(f2.id), { findingId: f2.id, a: 'rejected', b: 'confirmed', agree: false });
    assert.deepEqual(byId.get(f3.id), { findingId: f3.id, a: 'confirmed', b: 'corrected', agree: true });
    assert.deepEqual(byId.get(f4.id), { findingId: f4.id, a: null, b: null, agree: false });
    assert.deepEqual(byId.get(added.id), { findingId: added.id, a: 'added', b: null, agree: false });
    // Pairs (alice keeps?, bob keeps?): (T,T), (F,T), (T,T), and alice's addition bob read past (T,F):
    // po = 2/4, pe = (3/4)(3/4) + (1/4)(1/4) = 5/8 → kappa = (1/2 − 5/8) / (3/8) = −1/3.
    assert.ok(Math.abs(result.kappa! + 1 / 3) < 1e-12, `kappa ${result.kappa}`);
    const diceOf = new Map(result.dice.map((d) => [d.findingId, d.dice]));
    assert.equal(diceOf.get(f1.id), 1);
    assert.equal(diceOf.get(f2.id), 0, 'kept by one reader only');
    const total = store.maskVoxels(f3.id, 'proposal').length;
    const expected = (2 * (total - (before - after))) / (total + total - (before - after));
    assert.ok(Math.abs(diceOf.get(f3.id)! - expected) < 1e-12, `${diceOf.get(f3.id)} vs ${expected}`);
    assert.equal(diceOf.get(added.id), 0);
    assert.ok(!diceOf.has(f4.id));

    // A third reader's addition neither of the two decided says nothing about them: not listed.
    store.addReader('carol');
    const carols = store.addFinding('1.6.1', 'carol', 9, paint);
    const withCarol = store.agreement('1.6.1', 'alice', 'bob');
    assert.ok(!withCarol.findings.some((f) => f.findingId === carols.id));
    assert.equal(withCarol.kappa, result.kappa);
    // Bob confirms alice's addition once he sees it: now both kept it.
    store.decide(added.id, 'bob', { kind: 'confirmed' });
    const after2 = store.agreement('1.6.1', 'bob', 'alice');
    assert.deepEqual(
      after2.findings.find((f) => f.findingId === added.id),
      { findingId: added.id, a: 'confirmed', b: 'added', agree: true },
    );
    // (T,T), (T,F), (T,T), (T,T) with bob first: po = 3/4, pe = 1·(3/4) + 0 = 3/4 → 0.
    assert.equal(after2.kappa, 0);
  } finally {
    store.close();
    t.remove();
  }
});
