import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { auditHash, type AuditRow } from '../../src/dataset/audit-chain.ts';
import { openDataset } from '../../src/dataset/open-dataset.ts';
import type { DatasetStore } from '../../src/dataset/dataset-types.ts';
import { ballFinding, MODEL, outcomeOf, syntheticStudy, tempDir } from './dataset-fixtures.ts';

const PATIENT = { patientId: 'PAT-0042-XYZ', patientName: 'Zebedee^Quintessa' };

/** A store with a reviewed series: every kind of audited change happens once. */
function reviewed(file: string): DatasetStore {
  const store = openDataset(file);
  const { study, geometry } = syntheticStudy('1.3', PATIENT, [{ seriesUid: '1.3.1' }]);
  store.addRoot('/data/Zebedee_Quintessa');
  store.importStudy(study, geometry);
  store.addReader('alice');
  const runId = store.startRun('1.3.1', MODEL, 0.5, {});
  const size: [number, number, number] = [64, 64, 20];
  const [a, b] = store.finishRun(
    runId,
    outcomeOf(size, [ballFinding(1, size, [20, 20, 10], 3, 0.9), ballFinding(2, size, [40, 40, 5], 2, 0.7)]),
  );
  store.decide(a.id, 'alice', { kind: 'confirmed', note: `looks like ${PATIENT.patientName}'s old scan` });
  store.decide(b.id, 'alice', { kind: 'rejected', reason: 'vessel' });
  const mask = new Uint8Array(64 * 64);
  mask.fill(1, 100, 110);
  store.correctMaskSlice(a.id, 'alice', 10, mask);
  store.addFinding('1.3.1', 'alice', 3, mask);
  store.undo('1.3.1', 'alice');
  store.redo('1.3.1', 'alice');
  store.setStatus('1.3.1', 'done', 'alice');
  store.saveThreshold(MODEL.id, 0.4, 'alice');
  return store;
}

test('every change is one audit entry, chained, and the chain verifies', () => {
  const t = tempDir();
  try {
    const store = reviewed(join(t.dir, 'd.sqlite'));
    const actions = store.audit().map((e) => e.action);
    assert.deepEqual(actions, [
      'root-add',
      'import',
      'reader-add',
      'run-start',
      'run-finish',
      'decide',
      'decide',
      'correct-slice',
      'add-finding',
      'undo',
      'redo',
      'status',
      'threshold',
    ]);
    const entries = store.audit();
    assert.deepEqual(store.lastAudit(), entries.at(-1));
    entries.forEach((e, n) => assert.equal(e.prevHash, n === 0 ? '0'.repeat(64) : entries[n - 1].hash));
    assert.deepEqual(store.verifyAudit(), { ok: true, entries: 13 });
    store.close();
  } finally {
    t.remove();
  }
});

test('audit details never carry a patient name or id (nor the free-text note or folder names)', () => {
  const t = tempDir();
  try {
    const store = reviewed(join(t.dir, 'd.sqlite'));
    const text = JSON.stringify(store.audit()).toLowerCase();
    for (const secret of ['pat-0042-xyz', 'zebedee', 'quintessa', 'old scan']) {
      assert.ok(!text.includes(secret), `audit log contains "${secret}"`);
    }
    store.close();
  } finally {
    t.remove();
  }
});

for (const tamper of [
  {
    name: 'an edited detail',
    sql: `UPDATE audit_log SET detail = replace(detail, '"vessel"', '"benign"') WHERE action = 'decide' AND detail LIKE '%vessel%'`,
    broken: 7,
    reason: /content does not match its hash/,
  },
  {
    name: 'a deleted row',
    sql: `DELETE FROM audit_log WHERE seq = 4`,
    broken: 5,
    reason: /entry 4 is missing/,
  },
]) {
  test(`verifyAudit finds ${tamper.name} made with raw SQL on the file`, () => {
    const t = tempDir();
    try {
      const file = join(t.dir, 'd.sqlite');
      reviewed(file).close();
      const db = new Database(file);
      // The triggers refuse it first; whoever tampers must drop them, and the chain still tells.
      assert.throws(() => db.exec(tamper.sql), /append-only/);
      db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
      assert.equal(db.prepare(tamper.sql).run().changes, 1);
      db.close();
      const store = openDataset(file);
      const result = store.verifyAudit();
      assert.equal(result.ok, false);
      assert.equal(result.brokenAt?.seq, tamper.broken);
      assert.match(result.brokenAt!.reason, tamper.reason);
      store.close();
    } finally {
      t.remove();
    }
  });
}

test('verifyAudit finds an edited row whose own hash was recomputed (the next row no longer links)', () => {
  const t = tempDir();
  try {
    const file = join(t.dir, 'd.sqlite');
    reviewed(file).close();
    const db = new Database(file);
    db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
    const row = db.prepare('SELECT * FROM audit_log WHERE seq = 6').get() as AuditRow;
    const forged = { ...row, reader: 'mallory' };
    db.prepare('UPDATE audit_log SET reader = ?, hash = ? WHERE seq = 6').run(
      forged.reader,
      auditHash(row.prev_hash, forged),
    );
    db.close();
    const store = openDataset(file);
    assert.deepEqual(store.verifyAudit().brokenAt, {
      seq: 7,
      reason: 'its previous-hash does not match the entry before it — an earlier row was changed',
    });
    store.close();
  } finally {
    t.remove();
  }
});

test('the newest entry reads alone: none in a new dataset, then each change’s own', () => {
  const t = tempDir();
  try {
    const store = openDataset(join(t.dir, 'd.sqlite'));
    assert.equal(store.lastAudit(), store.audit().at(-1));
    store.addReader('alice');
    store.saveThreshold(MODEL.id, 0.4, 'alice');
    assert.equal(store.lastAudit()?.action, 'threshold');
    assert.deepEqual(store.lastAudit(), store.audit().at(-1));
    store.close();
  } finally {
    t.remove();
  }
});
