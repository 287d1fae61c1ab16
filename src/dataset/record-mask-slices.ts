// Owns storing several slices of a reader's final mask as one review action: the slices, the painted
// decision, the series entering review, one undo entry and one audit entry, in the caller's transaction.
// "Fill between slices" and painting on a reformatted plane both change many slices with one gesture, and
// Ctrl+Z must take the whole gesture back.
import type { DecisionRecord } from './dataset-types.ts';
import { appendAudit } from './audit-chain.ts';
import { maskSliceCount } from './mask-codec.ts';
import { enterReview, paintedDecision, toRecord } from './review-actions.ts';
import type { StoreContext } from './store-context.ts';
import { currentDecision, currentFinalRow, recordAction, type Patch } from './undo-stack.ts';

export interface MaskSlicesAction {
  findingId: number;
  seriesUid: string;
  reader: string;
  /** Bytes per slice (rows × columns), to count the voxels for the audit. */
  plane: number;
  /** The new encoded rows (mask-codec), one per changed slice. */
  slices: { k: number; runs: Uint8Array }[];
  /** The undo entry's description, e.g. "fill 3 slices of finding 7". */
  description: string;
  /** The audit entry's action; its detail gets the finding, series, slices and voxel count. */
  audit: string;
  auditDetail?: Record<string, unknown>;
}

/** Must run inside ctx.write. Returns the reader's decision after the action. */
export function recordMaskSlices(ctx: StoreContext, action: MaskSlicesAction): DecisionRecord {
  const { findingId, reader, seriesUid, slices } = action;
  const at = ctx.now().toISOString();
  const previous = currentDecision(ctx, findingId, reader);
  const next = paintedDecision(previous, at); // as with the brush
  const review = enterReview(ctx, seriesUid);
  const before: Patch[] = slices.map(({ k }) => ({
    type: 'mask',
    findingId,
    reader,
    k,
    runs: currentFinalRow(ctx, findingId, reader, k),
  }));
  const after: Patch[] = slices.map(({ k, runs }) => ({
    type: 'mask',
    findingId,
    reader,
    k,
    runs: Buffer.from(runs).toString('base64'),
  }));
  recordAction(
    ctx,
    seriesUid,
    reader,
    action.description,
    [...before, { type: 'decision', findingId, reader, decision: previous }, ...review.before],
    [...after, { type: 'decision', findingId, reader, decision: next }, ...review.after],
  );
  const voxels = slices.reduce((sum, { runs }) => sum + maskSliceCount(runs, action.plane), 0);
  appendAudit(
    ctx,
    reader,
    action.audit,
    { findingId, seriesUid, slices: slices.map(({ k }) => k), voxels, ...action.auditDetail },
    at,
  );
  return toRecord(next, reader);
}
