// Owns the audit log's hash chain. Each entry's hash is sha256 over the previous entry's hash and the entry
// written as canonical JSON (keys sorted), so editing, deleting or reordering any row breaks every hash after
// it. Appends happen inside the caller's write transaction (BEGIN IMMEDIATE), so the chain head read here is
// the head the entry is committed after, even with a second process (the CLI) writing the same file.
// Known limit: truncating the newest entries leaves a valid shorter chain; the triggers refuse that through
// SQL, and whoever drops them can do it undetected by the chain alone — unless a head recorded outside the file
// (every export manifest's datasetVersion, "audit SEQ HASH") is checked against it: verifyAuditChain's anchor.
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { AuditAnchor, AuditEntry, AuditVerification } from './dataset-types.ts';
import type { StoreContext } from './store-context.ts';

export const GENESIS_HASH = '0'.repeat(64);

function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function auditHash(
  prevHash: string,
  entry: { seq: number; at: string; reader: string | null; action: string; detail: string },
): string {
  const body = canonicalJson({
    seq: entry.seq,
    at: entry.at,
    reader: entry.reader,
    action: entry.action,
    detail: entry.detail,
  });
  return createHash('sha256').update(prevHash).update(body).digest('hex');
}

/** Appends one entry; call inside the write transaction that makes the change it records. */
export function appendAudit(
  ctx: StoreContext,
  reader: string | null,
  action: string,
  detail: Record<string, unknown>,
  at: string = ctx.now().toISOString(),
): AuditEntry {
  const head = lastAuditEntry(ctx);
  const seq = (head?.seq ?? 0) + 1;
  const prevHash = head?.hash ?? GENESIS_HASH;
  const entry = { seq, at, reader, action, detail: canonicalJson(detail) };
  const hash = auditHash(prevHash, entry);
  ctx
    .sql(
      'INSERT INTO audit_log (seq, at, reader, action, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)',
    )
    .run(seq, at, reader, action, entry.detail, prevHash, hash);
  return { ...entry, prevHash, hash };
}

/** An audit_log row as SQLite returns it. */
export interface AuditRow {
  seq: number;
  at: string;
  reader: string | null;
  action: string;
  detail: string;
  prev_hash: string;
  hash: string;
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    seq: row.seq,
    at: row.at,
    reader: row.reader,
    action: row.action,
    detail: row.detail,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export function auditEntries(db: Database.Database): AuditEntry[] {
  return (db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as AuditRow[]).map(toEntry);
}

/** The chain's head: what the next entry links to, and what exports record. */
export function lastAuditEntry(ctx: StoreContext): AuditEntry | undefined {
  const row = ctx.sql('SELECT * FROM audit_log ORDER BY seq DESC LIMIT 1').get() as AuditRow | undefined;
  return row && toEntry(row);
}

/**
 * Walks the chain from the first entry; stops at the first entry that does not fit. With `anchor`, an intact
 * chain must also still hold that entry (checkAuditAnchor).
 */
export function verifyAuditChain(db: Database.Database, anchor?: AuditAnchor): AuditVerification {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let entries = 0;
  for (const row of db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as Iterable<AuditRow>) {
    const broken = (reason: string): AuditVerification => ({
      ok: false,
      entries,
      brokenAt: { seq: row.seq, reason },
    });
    if (row.seq !== expectedSeq) {
      return broken(`entry ${expectedSeq} is missing (the next entry is ${row.seq}) — a row was deleted`);
    }
    if (row.prev_hash !== prevHash) {
      return broken('its previous-hash does not match the entry before it — an earlier row was changed');
    }
    if (auditHash(prevHash, toEntry(row)) !== row.hash) {
      return broken('its content does not match its hash — the row was edited after it was written');
    }
    prevHash = row.hash;
    expectedSeq++;
    entries++;
  }
  return anchor ? checkAuditAnchor(db, { ok: true, entries }, anchor) : { ok: true, entries };
}

/** The head as exports record it (their datasetVersion) and parseAuditAnchor reads it: "audit SEQ HASH16". */
export function auditHead(entry: { seq: number; hash: string }): string {
  return `audit ${entry.seq} ${entry.hash.slice(0, 16)}`;
}

export function parseAuditAnchor(text: string): AuditAnchor {
  const match = /^\s*(?:audit\s+)?([1-9]\d*)[\s:]+([0-9a-f]{8,64})\s*$/i.exec(text);
  if (!match) {
    throw new Error(
      `cannot read "${text}" as an audit head — pass an export manifest's datasetVersion, e.g. "audit 12 9f86d081884c7d65"`,
    );
  }
  return { seq: Number(match[1]), hashPrefix: match[2]!.toLowerCase() };
}

/**
 * An intact chain must still hold the anchored entry with that hash: a chain cut short, or rewritten from some
 * entry on, can verify by itself, but not against a head someone recorded before.
 */
function checkAuditAnchor(
  db: Database.Database,
  verification: AuditVerification,
  anchor: AuditAnchor,
): AuditVerification {
  const row = db.prepare('SELECT hash FROM audit_log WHERE seq = ?').get(anchor.seq) as
    { hash: string } | undefined;
  const recorded = `recorded elsewhere as ${anchor.hashPrefix.slice(0, 16)}…`;
  if (!row) {
    return {
      ok: false,
      entries: Math.min(verification.entries, anchor.seq - 1),
      brokenAt: {
        seq: anchor.seq,
        reason: `entry ${anchor.seq}, ${recorded}, is missing — the log ends at entry ${verification.entries}: its newest entries were removed`,
      },
    };
  }
  if (!row.hash.startsWith(anchor.hashPrefix)) {
    return {
      ok: false,
      entries: Math.min(verification.entries, anchor.seq - 1),
      brokenAt: {
        seq: anchor.seq,
        reason: `its hash ${row.hash.slice(0, 16)}… differs from the one ${recorded} — the log was rewritten from this entry or before`,
      },
    };
  }
  return verification;
}
