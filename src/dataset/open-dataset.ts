// Owns opening the labeled-dataset store: one SQLite file through better-sqlite3, set up for durability
// (WAL with synchronous=FULL: better-sqlite3 leaves WAL at NORMAL, which can lose the last commits on power
// loss), foreign keys on, a busy timeout so the CLI and the app can share a file, the schema migrated
// forward, and runs orphaned by a dead process failed. The store's parts live in the modules imported here.
import { mkdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { DatasetStore, SavedThreshold } from './dataset-types.ts';
import { appendAudit, auditEntries, lastAuditEntry, verifyAuditChain } from './audit-chain.ts';
import { migrate } from './dataset-schema.ts';
import { maskSlice, maskVoxels, readFinding, seriesFindings } from './finding-records.ts';
import {
  failOrphanedRuns,
  failRun,
  finishRun,
  listRuns,
  probabilitySlice,
  readRun,
  startRun,
} from './model-runs.ts';
import { readerAgreement } from './reader-agreement.ts';
import { readRegistration, saveRegistration } from './registration-records.ts';
import {
  addFinding,
  addOutlinedFinding,
  correctMaskSlice,
  decide,
  requireReader,
  setStatus,
} from './review-actions.ts';
import { fillBetweenSlices } from './fill-between-slices.ts';
import { paintPlane } from './paint-plane.ts';
import { changedFiles, importStudy, patientSeries, readSeries } from './series-records.ts';
import { createStoreContext, DatasetError, type StoreContext } from './store-context.ts';
import { redo, undo } from './undo-stack.ts';
import { worklistQuery } from './worklist-query.ts';

export interface OpenDatasetOptions {
  /** The clock (tests). */
  now?: () => Date;
  /** How long a write waits for another process's write to finish before failing (ms). Default 5000. */
  busyTimeoutMs?: number;
}

/** Opens and configures the connection and migrates the schema (exported so tests can read its pragmas). */
export function openDatasetConnection(file: string, options: OpenDatasetOptions = {}): Database.Database {
  const resolved = path.resolve(file);
  mkdirSync(path.dirname(resolved), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(resolved);
  } catch (error) {
    throw new DatasetError(
      `cannot open dataset ${resolved}: ${(error as Error).message} — check the folder is writable, or pass --db`,
    );
  }
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') {
      throw new DatasetError(`dataset ${resolved}: the file system refused WAL mode (got ${String(mode)})`);
    }
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db, resolved);
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_NOTADB') {
      throw new DatasetError(
        `${resolved} is not an Overread dataset (not an SQLite file) — pass another --db`,
      );
    }
    throw error;
  }
  return db;
}

export function openDataset(file: string, options: OpenDatasetOptions = {}): DatasetStore {
  const db = openDatasetConnection(file, options);
  const ctx = createStoreContext(db, path.resolve(file), options.now ?? (() => new Date()));
  failOrphanedRuns(ctx);
  return createStore(ctx);
}

function createStore(ctx: StoreContext): DatasetStore {
  const { db } = ctx;
  return {
    path: ctx.file,
    get schemaVersion() {
      return db.pragma('user_version', { simple: true }) as number;
    },
    close: () => db.close(),

    addReader(name) {
      const trimmed = name.trim();
      if (!trimmed || trimmed.length > 100 || [...trimmed].some((c) => c.charCodeAt(0) < 0x20)) {
        throw new DatasetError('a reader name must be 1–100 printable characters');
      }
      ctx.write(() => {
        const { changes } = ctx
          .sql('INSERT OR IGNORE INTO readers (name, created_at) VALUES (?, ?)')
          .run(trimmed, ctx.now().toISOString());
        if (changes) appendAudit(ctx, trimmed, 'reader-add', { reader: trimmed });
      });
    },
    readers: () =>
      (ctx.sql('SELECT name FROM readers ORDER BY name').all() as { name: string }[]).map((r) => r.name),

    addRoot(root) {
      const resolved = path.resolve(root);
      ctx.write(() => {
        const { changes } = ctx
          .sql('INSERT OR IGNORE INTO roots (path, added_at) VALUES (?, ?)')
          .run(resolved, ctx.now().toISOString());
        // Folder names often carry patient names: the log keeps a digest of the path only.
        if (changes) {
          appendAudit(ctx, null, 'root-add', {
            rootSha256: createHash('sha256').update(resolved).digest('hex'),
          });
        }
      });
    },
    roots: () =>
      (ctx.sql('SELECT path FROM roots ORDER BY path').all() as { path: string }[]).map((r) => r.path),

    importStudy: (study, geometry) => importStudy(ctx, study, geometry),
    series: (seriesUid) => readSeries(ctx, seriesUid),
    patientSeries: (seriesUid) => patientSeries(ctx, seriesUid),
    changedFiles: (seriesUid) => changedFiles(ctx, seriesUid),
    worklist: (query, reader) => worklistQuery(ctx, query, reader),
    setStatus: (seriesUid, status, reader) => setStatus(ctx, seriesUid, status, reader),

    startRun: (seriesUid, model, threshold, params) => startRun(ctx, seriesUid, model, threshold, params),
    finishRun: (runId, outcome) => finishRun(ctx, runId, outcome),
    failRun: (runId, state, message) => failRun(ctx, runId, state, message),
    run: (runId) => readRun(ctx, runId),
    runs: (seriesUid) => listRuns(ctx, seriesUid),
    probabilitySlice: (runId, k) => probabilitySlice(ctx, runId, k),
    registration: (seriesUid, priorUid, method) => readRegistration(ctx, seriesUid, priorUid, method),
    saveRegistration: (seriesUid, priorUid, method, found) =>
      saveRegistration(ctx, seriesUid, priorUid, method, found),

    findings: (seriesUid, reader, options) => seriesFindings(ctx, seriesUid, reader, options),
    finding: (findingId, reader) => readFinding(ctx, findingId, reader),
    maskSlice: (findingId, k, kind, reader) => maskSlice(ctx, findingId, k, kind, reader),
    maskVoxels: (findingId, kind, reader) => maskVoxels(ctx, findingId, kind, reader),
    decide: (findingId, reader, decision) => decide(ctx, findingId, reader, decision),
    correctMaskSlice: (findingId, reader, k, mask) => correctMaskSlice(ctx, findingId, reader, k, mask),
    fillBetweenSlices: (findingId, reader) => fillBetweenSlices(ctx, findingId, reader),
    paintPlane: (findingId, reader, edit) => paintPlane(ctx, findingId, reader, edit),
    addFinding: (seriesUid, reader, k, mask) => addFinding(ctx, seriesUid, reader, k, mask),
    addOutlinedFinding: (seriesUid, reader, masks, how) =>
      addOutlinedFinding(ctx, seriesUid, reader, masks, how),
    undo: (seriesUid, reader) => undo(ctx, seriesUid, reader),
    redo: (seriesUid, reader) => redo(ctx, seriesUid, reader),
    agreement: (seriesUid, readerA, readerB) => readerAgreement(ctx, seriesUid, readerA, readerB),

    saveThreshold(modelId, threshold, reader) {
      if (!(threshold > 0 && threshold <= 1)) {
        throw new DatasetError(`threshold ${threshold} is outside (0, 1] — give a probability such as 0.5`);
      }
      return ctx.write(() => {
        requireReader(ctx, reader);
        const previous = this.threshold(modelId);
        const saved: SavedThreshold = { modelId, threshold, setBy: reader, at: ctx.now().toISOString() };
        ctx
          .sql('INSERT OR REPLACE INTO thresholds (model_id, threshold, set_by, at) VALUES (?, ?, ?, ?)')
          .run(modelId, threshold, reader, saved.at);
        appendAudit(
          ctx,
          reader,
          'threshold',
          { modelId, threshold, previous: previous?.threshold ?? null },
          saved.at,
        );
        return saved;
      });
    },
    threshold(modelId) {
      const row = ctx
        .sql('SELECT model_id, threshold, set_by, at FROM thresholds WHERE model_id = ?')
        .get(modelId) as { model_id: string; threshold: number; set_by: string; at: string } | undefined;
      return row && { modelId: row.model_id, threshold: row.threshold, setBy: row.set_by, at: row.at };
    },

    audit: () => auditEntries(db),
    lastAudit: () => lastAuditEntry(ctx),
    verifyAudit: (anchor) => verifyAuditChain(db, anchor),
  };
}

export { defaultDatasetPath } from './default-dataset-path.ts';
export { DatasetError } from './store-context.ts';
