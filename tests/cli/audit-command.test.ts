import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openDataset } from '../../src/dataset/open-dataset.ts';
import { migrate } from '../../src/dataset/dataset-schema.ts';
import { auditHash, type AuditRow } from '../../src/dataset/audit-chain.ts';
import type { DatasetStore } from '../../src/dataset/dataset-types.ts';
import { planDatasetExport } from '../../src/export/dataset-export.ts';
import { ballFinding, MODEL, outcomeOf, syntheticStudy, tempDir } from '../dataset/dataset-fixtures.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const audit = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/overread.js', 'audit', ...args], { cwd: repo, encoding: 'utf8' });

/** A dataset with one series, a model run and one rejected finding: five audit entries. */
function decidedDataset(file: string): DatasetStore {
  const store = openDataset(file);
  const size: [number, number, number] = [64, 64, 20];
  const { study, geometry } = syntheticStudy('5.1', { patientId: 'P', patientName: 'N' }, [
    { seriesUid: '5.1.1' },
  ]);
  store.importStudy(study, geometry);
  store.addReader('alice');
  const [finding] = store.finishRun(
    store.startRun('5.1.1', MODEL, 0.5, {}),
    outcomeOf(size, [ballFinding(1, size, [10, 10, 10], 2, 0.8)]),
  );
  store.decide(finding.id, 'alice', { kind: 'rejected', reason: 'vessel' });
  return store;
}

test('overread audit verify: intact chain exits 0; an edited entry exits 1 naming it', () => {
  const t = tempDir();
  try {
    const file = join(t.dir, 'd.sqlite');
    const store = decidedDataset(file);
    store.close();

    const ok = audit('verify', '--db', file);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /5 entries, hash chain intact/);

    const db = new Database(file);
    db.exec('DROP TRIGGER audit_log_no_update');
    db.prepare(
      `UPDATE audit_log SET detail = replace(detail, 'vessel', 'benign') WHERE action = 'decide'`,
    ).run();
    db.close();
    const broken = audit('verify', '--db', file);
    assert.equal(broken.status, 1);
    assert.match(broken.stdout, /BROKEN at entry 5: its content does not match its hash/);
    assert.match(broken.stdout, /entry 5: .* decide by alice .*"reason":"benign"/);
    const json = JSON.parse(audit('verify', '--db', file, '--json').stdout);
    assert.equal(json.ok, false);
    assert.equal(json.brokenAt.seq, 5);

    // Verifying never writes: a file at an older schema version is not migrated.
    const old = join(t.dir, 'old.sqlite');
    const oldDb = new Database(old);
    migrate(oldDb, old, 1);
    oldDb.close();
    assert.equal(audit('verify', '--db', old).status, 0);
    const check = new Database(old, { readonly: true });
    assert.equal(check.pragma('user_version', { simple: true }), 1);
    check.close();

    const missing = audit('verify', '--db', join(t.dir, 'nope.sqlite'));
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /no dataset at .*nope.sqlite — pass the file with --db/);
    assert.equal(audit('frobnicate').status, 2);
  } finally {
    t.remove();
  }
});

test('overread audit verify --expect: newest entries removed behind dropped triggers are caught against an export’s head', () => {
  const t = tempDir();
  try {
    const file = join(t.dir, 'd.sqlite');
    const store = decidedDataset(file);
    // What an export manifest records as its datasetVersion, taken after the decision.
    const head = planDatasetExport(store, { status: 'all', includeProposals: true }).datasetVersion;
    assert.match(head, /^audit 5 [0-9a-f]{16}$/);
    store.close();

    const ok = audit('verify', '--db', file, '--expect', head);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /5 entries, hash chain intact, and entry 5 matches the head expected/);

    // Someone drops the trigger and removes the decision's entry: the shorter chain still verifies alone.
    const db = new Database(file);
    db.exec('DROP TRIGGER audit_log_no_delete');
    db.prepare('DELETE FROM audit_log WHERE seq = 5').run();
    db.close();
    const alone = audit('verify', '--db', file);
    assert.equal(alone.status, 0);
    assert.match(alone.stdout, /4 entries, hash chain intact/);
    const caught = audit('verify', '--db', file, '--expect', head);
    assert.equal(caught.status, 1);
    assert.match(
      caught.stdout,
      /BROKEN at entry 5: entry 5, recorded elsewhere as [0-9a-f]{16}…, is missing — the log ends at entry 4/,
    );
    assert.match(caught.stdout, /4 entries before it verify/);

    // The newest entry rewritten by someone who recomputes its hash: the chain verifies alone, not against
    // the head recorded before.
    const rewrite = new Database(file);
    const before = rewrite.prepare('SELECT * FROM audit_log WHERE seq = 4').get() as AuditRow;
    const head4 = `audit 4 ${before.hash.slice(0, 16)}`;
    rewrite.exec('DROP TRIGGER audit_log_no_update');
    const forged = { ...before, reader: 'mallory' };
    rewrite
      .prepare('UPDATE audit_log SET reader = ?, hash = ? WHERE seq = 4')
      .run(forged.reader, auditHash(before.prev_hash, forged));
    rewrite.close();
    assert.equal(audit('verify', '--db', file).status, 0);
    const differs = audit('verify', '--db', file, '--expect', head4);
    assert.equal(differs.status, 1);
    assert.match(
      differs.stdout,
      /BROKEN at entry 4: its hash [0-9a-f]{16}… differs from the one recorded elsewhere/,
    );
    assert.match(differs.stdout, /entry 4: .* by mallory /);

    const bad = audit('verify', '--db', file, '--expect', 'yesterday');
    assert.equal(bad.status, 1);
    assert.match(
      bad.stderr,
      /cannot read "yesterday" as an audit head — pass an export manifest's datasetVersion/,
    );
  } finally {
    t.remove();
  }
});
