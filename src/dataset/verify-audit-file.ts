// Owns checking a dataset file's audit chain without changing the file: opened read-only, not migrated, no
// orphaned runs repaired — a file under suspicion is evidence, and verifying it must not write to it.
import Database from 'better-sqlite3';
import type { AuditAnchor, AuditEntry, AuditVerification } from './dataset-types.ts';
import { auditEntries, verifyAuditChain } from './audit-chain.ts';
import { DatasetError } from './store-context.ts';

/** `anchor`: a head recorded outside the file (an export's datasetVersion) the chain must still hold. */
export function verifyAuditFile(
  file: string,
  anchor?: AuditAnchor,
): { verification: AuditVerification; brokenEntry?: AuditEntry } {
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    throw new DatasetError(`cannot open dataset ${file} to read: ${(error as Error).message}`, 'not-found');
  }
  try {
    const hasLog = db
      .prepare(`SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'audit_log'`)
      .get();
    if (!hasLog) throw new DatasetError(`${file} is not an Overread dataset (it has no audit log)`);
    const verification = verifyAuditChain(db, anchor);
    const seq = verification.brokenAt?.seq;
    return {
      verification,
      brokenEntry: seq === undefined ? undefined : auditEntries(db).find((e) => e.seq === seq),
    };
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_NOTADB') {
      throw new DatasetError(`${file} is not an Overread dataset (not an SQLite file)`);
    }
    throw error;
  } finally {
    db.close();
  }
}
