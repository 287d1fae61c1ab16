// GET /api/audit on a real dataset: intact, then with the newest entry removed behind a dropped trigger — the
// chain alone still verifies, the head recorded before (?expect=) does not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { AuditStatus } from '../../src/shared/api-types.ts';
import { openTestApi } from './api-test-kit.ts';

test('GET /api/audit verifies the chain, gives its head, and checks a head recorded earlier', async () => {
  const t = await openTestApi();
  try {
    // Opening the API with reader-a added it: one entry.
    const first = await t.json<AuditStatus>('GET', '/api/audit');
    assert.deepEqual(
      { ...first, head: undefined },
      { ok: true, entries: 1, head: undefined, expected: null },
    );

    await t.json('POST', '/api/session/reader', { name: 'reader-b' });
    await t.json('POST', '/api/session/reader', { name: 'reader-c' });
    const intact = await t.json<AuditStatus>('GET', '/api/audit');
    assert.equal(intact.ok, true);
    assert.equal(intact.entries, 3);
    assert.match(intact.head ?? '', /^audit 3 [0-9a-f]{16}$/);
    assert.notEqual(intact.head, first.head);
    const held = await t.json<AuditStatus>('GET', `/api/audit?expect=${encodeURIComponent(intact.head!)}`);
    assert.equal(held.ok, true);
    assert.equal(held.expected, intact.head);

    const zero = await t.call('GET', `/api/audit?expect=${encodeURIComponent('audit 0 0123456789abcdef')}`);
    assert.equal(zero.status, 400, 'entries count from 1');
    const bad = await t.call('GET', '/api/audit?expect=yesterday');
    assert.equal(bad.status, 400);
    assert.match(
      ((await bad.json()) as { detail: string }).detail,
      /cannot read "yesterday" as an audit head/,
    );

    // Another process drops the trigger and deletes the newest entry.
    const db = new Database(join(t.dir, 'overread.db'));
    db.exec('DROP TRIGGER audit_log_no_delete');
    db.prepare('DELETE FROM audit_log WHERE seq = (SELECT max(seq) FROM audit_log)').run();
    db.close();
    const alone = await t.json<AuditStatus>('GET', '/api/audit');
    assert.equal(alone.ok, true);
    assert.equal(alone.entries, intact.entries - 1);
    const caught = await t.json<AuditStatus>('GET', `/api/audit?expect=${encodeURIComponent(intact.head!)}`);
    assert.equal(caught.ok, false);
    assert.equal(caught.brokenAt?.seq, intact.entries);
    assert.match(
      caught.brokenAt?.reason ?? '',
      /is missing — the log ends at entry \d+: its newest entries were removed/,
    );
  } finally {
    await t.close();
  }
});
