// Owns undo/redo of a reader's review actions, per (series, reader). Each action is stored as the state it
// replaced and the state it made ("patches"), so undo writes the before-state back and redo the after-state:
// no action needs its own inverse code, and an undone action is itself a change in the audit log. The redo
// entries of a stack are always the newest ones; a new action deletes them, as in any editor.
import type { DecisionKind, RejectReason, SeriesStatus, UndoOutcome } from './dataset-types.ts';
import { appendAudit } from './audit-chain.ts';
import type { StoreContext } from './store-context.ts';

export interface DecisionState {
  kind: DecisionKind;
  reason: RejectReason | null;
  note: string | null;
  at: string;
}

export type Patch =
  | { type: 'decision'; findingId: number; reader: string; decision: DecisionState | null }
  | { type: 'mask'; findingId: number; reader: string; k: number; runs: string | null }
  | { type: 'retracted'; findingId: number; retracted: boolean }
  | { type: 'status'; seriesUid: string; status: SeriesStatus };

export function currentDecision(ctx: StoreContext, findingId: number, reader: string): DecisionState | null {
  const row = ctx
    .sql('SELECT kind, reason, note, at FROM decisions WHERE finding_id = ? AND reader = ?')
    .get(findingId, reader) as DecisionState | undefined;
  return row ?? null;
}

/** The reader's own final row of slice k (base64), or null when the slice follows the proposal. */
export function currentFinalRow(
  ctx: StoreContext,
  findingId: number,
  reader: string,
  k: number,
): string | null {
  const row = ctx
    .sql(`SELECT runs FROM mask_slices WHERE finding_id = ? AND kind = 'final' AND reader = ? AND k = ?`)
    .get(findingId, reader, k) as { runs: Buffer } | undefined;
  return row ? Buffer.from(row.runs).toString('base64') : null;
}

export function applyPatch(ctx: StoreContext, patch: Patch): void {
  switch (patch.type) {
    case 'decision':
      if (patch.decision === null) {
        ctx
          .sql('DELETE FROM decisions WHERE finding_id = ? AND reader = ?')
          .run(patch.findingId, patch.reader);
      } else {
        const d = patch.decision;
        ctx
          .sql(
            `INSERT OR REPLACE INTO decisions (finding_id, reader, kind, reason, note, at) VALUES (?, ?, ?, ?, ?, ?)`,
          )
          .run(patch.findingId, patch.reader, d.kind, d.reason, d.note, d.at);
      }
      return;
    case 'mask':
      if (patch.runs === null) {
        ctx
          .sql(`DELETE FROM mask_slices WHERE finding_id = ? AND kind = 'final' AND reader = ? AND k = ?`)
          .run(patch.findingId, patch.reader, patch.k);
      } else {
        ctx
          .sql(
            `INSERT OR REPLACE INTO mask_slices (finding_id, kind, reader, k, runs) VALUES (?, 'final', ?, ?, ?)`,
          )
          .run(patch.findingId, patch.reader, patch.k, Buffer.from(patch.runs, 'base64'));
      }
      return;
    case 'retracted':
      ctx.sql('UPDATE findings SET retracted = ? WHERE id = ?').run(patch.retracted ? 1 : 0, patch.findingId);
      return;
    case 'status':
      ctx.sql('UPDATE series SET status = ? WHERE series_uid = ?').run(patch.status, patch.seriesUid);
      return;
  }
}

/**
 * Applies a review action and pushes it on the reader's stack for the series; call inside the action's
 * write transaction. Clears that stack's redo entries.
 */
export function recordAction(
  ctx: StoreContext,
  seriesUid: string,
  reader: string,
  description: string,
  before: Patch[],
  after: Patch[],
): number {
  for (const patch of after) applyPatch(ctx, patch);
  ctx
    .sql(`DELETE FROM undo_actions WHERE series_uid = ? AND reader = ? AND state = 'undone'`)
    .run(seriesUid, reader);
  const { lastInsertRowid } = ctx
    .sql(
      `INSERT INTO undo_actions (series_uid, reader, description, before_json, after_json, state)
       VALUES (?, ?, ?, ?, ?, 'done')`,
    )
    .run(seriesUid, reader, description, JSON.stringify(before), JSON.stringify(after));
  return Number(lastInsertRowid);
}

interface UndoRow {
  id: number;
  description: string;
  before_json: string;
  after_json: string;
}

export function undo(ctx: StoreContext, seriesUid: string, reader: string): UndoOutcome {
  return ctx.write(() => {
    const row = ctx
      .sql(
        `SELECT id, description, before_json, after_json FROM undo_actions
         WHERE series_uid = ? AND reader = ? AND state = 'done' ORDER BY id DESC LIMIT 1`,
      )
      .get(seriesUid, reader) as UndoRow | undefined;
    if (!row) return { applied: false, description: 'nothing to undo' };
    const before = JSON.parse(row.before_json) as Patch[];
    for (const patch of before.reverse()) applyPatch(ctx, patch);
    ctx.sql(`UPDATE undo_actions SET state = 'undone' WHERE id = ?`).run(row.id);
    appendAudit(ctx, reader, 'undo', { seriesUid, actionId: row.id, description: row.description });
    return { applied: true, description: `undid ${row.description}` };
  });
}

export function redo(ctx: StoreContext, seriesUid: string, reader: string): UndoOutcome {
  return ctx.write(() => {
    const row = ctx
      .sql(
        `SELECT id, description, before_json, after_json FROM undo_actions
         WHERE series_uid = ? AND reader = ? AND state = 'undone' ORDER BY id ASC LIMIT 1`,
      )
      .get(seriesUid, reader) as UndoRow | undefined;
    if (!row) return { applied: false, description: 'nothing to redo' };
    for (const patch of JSON.parse(row.after_json) as Patch[]) applyPatch(ctx, patch);
    ctx.sql(`UPDATE undo_actions SET state = 'done' WHERE id = ?`).run(row.id);
    appendAudit(ctx, reader, 'redo', { seriesUid, actionId: row.id, description: row.description });
    return { applied: true, description: `redid ${row.description}` };
  });
}
