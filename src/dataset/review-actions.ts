// Owns the reader's review actions: decide (confirm / reject with a reason), correct a slice of the final
// mask, add a missed finding, and set a series' status. Each is one write transaction holding the change, its
// undo entry and its audit entry, so an acknowledged action is durable and accounted for, or absent.
// The first review action on a series moves it to 'in-review' within the same action (and undo moves it back).
import { createHash } from 'node:crypto';
import { voxelToPatient, type VolumeGeometry } from '../dicom/volume.ts';
import type { DecisionRecord, RejectReason, SeriesStatus, StoredFinding } from './dataset-types.ts';
import { appendAudit } from './audit-chain.ts';
import { checkSlice, readFinding, requireFindingGrid, type FindingGrid } from './finding-records.ts';
import { encodeMaskSlice, maskSliceCount } from './mask-codec.ts';
import { focusPixel, fullestSliceFocus, measureMask } from './mask-measurements.ts';
import { requireSeries } from './series-records.ts';
import { DatasetError, type StoreContext } from './store-context.ts';
import {
  currentDecision,
  currentFinalRow,
  recordAction,
  type DecisionState,
  type Patch,
} from './undo-stack.ts';

import {
  isRejectReason,
  isSeriesStatus,
  REJECT_REASONS,
  SERIES_STATUSES,
} from '../shared/review-vocabulary.ts';
const NOTE_LIMIT = 2000;

export function requireReader(ctx: StoreContext, reader: string): void {
  if (!ctx.sql('SELECT 1 FROM readers WHERE name = ?').get(reader)) {
    throw new DatasetError(
      `reader "${reader}" is not known to this dataset — add the reader first`,
      'not-found',
    );
  }
}

/** Status patches that move a series into review when a reader acts on it while it waits. */
export function enterReview(ctx: StoreContext, seriesUid: string): { before: Patch[]; after: Patch[] } {
  const { status } = requireSeries(ctx, seriesUid);
  if (status === 'in-review' || status === 'done') return { before: [], after: [] };
  return {
    before: [{ type: 'status', seriesUid, status }],
    after: [{ type: 'status', seriesUid, status: 'in-review' }],
  };
}

export function liveFinding(ctx: StoreContext, findingId: number): FindingGrid {
  const grid = requireFindingGrid(ctx, findingId);
  if (grid.retracted) {
    throw new DatasetError(
      `finding ${findingId} was withdrawn (its addition was undone); redo to bring it back`,
      'conflict',
    );
  }
  return grid;
}

/** The decision a reader's painting leaves: their own addition stays 'added'; anything else is their correction. */
export function paintedDecision(previous: DecisionState | null, at: string): DecisionState {
  return previous?.kind === 'added'
    ? { ...previous, at }
    : { kind: 'corrected', reason: null, note: null, at };
}

export const toRecord = (state: DecisionState, reader: string): DecisionRecord => ({ ...state, reader });

export function decide(
  ctx: StoreContext,
  findingId: number,
  reader: string,
  decision: { kind: 'confirmed' | 'rejected'; reason?: RejectReason; note?: string },
): DecisionRecord {
  if (decision.kind !== 'confirmed' && decision.kind !== 'rejected') {
    throw new DatasetError(`decision "${String(decision.kind)}" is not one of confirmed, rejected`);
  }
  if (decision.kind === 'rejected' && !isRejectReason(decision.reason)) {
    throw new DatasetError(`a rejection needs a reason: one of ${REJECT_REASONS.join(', ')}`);
  }
  if (decision.kind === 'confirmed' && decision.reason !== undefined) {
    throw new DatasetError('a confirmation takes no rejection reason; use the note for remarks');
  }
  const note = decision.note?.trim() || null;
  if (note && note.length > NOTE_LIMIT)
    throw new DatasetError(`the note is longer than ${NOTE_LIMIT} characters`);
  return ctx.write(() => {
    requireReader(ctx, reader);
    const grid = liveFinding(ctx, findingId);
    const at = ctx.now().toISOString();
    const next: DecisionState = { kind: decision.kind, reason: decision.reason ?? null, note, at };
    const review = enterReview(ctx, grid.seriesUid);
    recordAction(
      ctx,
      grid.seriesUid,
      reader,
      `${decision.kind === 'confirmed' ? 'confirm' : `reject (${decision.reason})`} finding ${findingId}`,
      [
        { type: 'decision', findingId, reader, decision: currentDecision(ctx, findingId, reader) },
        ...review.before,
      ],
      [{ type: 'decision', findingId, reader, decision: next }, ...review.after],
    );
    // Free text may name anyone, so the log keeps only a digest of the note (it still proves which note).
    appendAudit(
      ctx,
      reader,
      'decide',
      {
        findingId,
        seriesUid: grid.seriesUid,
        kind: next.kind,
        reason: next.reason,
        noteSha256: note && createHash('sha256').update(note).digest('hex'),
      },
      at,
    );
    return toRecord(next, reader);
  });
}

function checkMask(grid: FindingGrid, mask: Uint8Array): void {
  if (!(mask instanceof Uint8Array) || mask.length !== grid.plane) {
    throw new DatasetError(
      `a mask slice of series ${grid.seriesUid} must hold ${grid.plane} bytes (rows × columns); got ${mask?.length}`,
    );
  }
}

export function correctMaskSlice(
  ctx: StoreContext,
  findingId: number,
  reader: string,
  k: number,
  mask: Uint8Array,
): DecisionRecord {
  return ctx.write(() => {
    requireReader(ctx, reader);
    const grid = liveFinding(ctx, findingId);
    checkSlice(grid, k);
    checkMask(grid, mask);
    return recordMaskSlices(ctx, {
      findingId,
      seriesUid: grid.seriesUid,
      reader,
      plane: grid.plane,
      slices: [{ k, runs: encodeMaskSlice(mask) }],
      description: `paint slice ${k + 1} of finding ${findingId}`,
      audit: 'correct-slice',
      where: { k },
    });
  });
}

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
  /**
   * The audit entry's action; its detail names the finding, the series, where (`where`, else the slices) and
   * how many voxels the new slices hold.
   */
  audit: string;
  where?: Record<string, unknown>;
}

/**
 * Stores slices of a reader's final mask as one review action: the slices, the painted decision, the series
 * entering review, one undo entry and one audit entry, in the caller's transaction (ctx.write). A brush stroke
 * is one slice; "fill between slices" and a stroke on a reformatted plane are many, and Ctrl+Z takes the whole
 * gesture back. Returns the reader's decision after it.
 */
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
    { findingId, seriesUid, ...(action.where ?? { slices: slices.map(({ k }) => k) }), voxels },
    at,
  );
  return toRecord(next, reader);
}

/**
 * Measures a painted slice: size, centre and diameter: the widest caliper of the painted pixel squares over
 * 180 directions a degree apart (within 0.004 % of the true maximum Feret diameter).
 */
function measurePainting(mask: Uint8Array, geometry: VolumeGeometry, k: number) {
  const [columns] = geometry.size;
  const [si, sj, sk] = geometry.spacing;
  let count = 0;
  let sumI = 0;
  let sumJ = 0;
  const turns = 180;
  const directions = Array.from({ length: turns }, (_, n) => [
    Math.cos((n * Math.PI) / turns),
    Math.sin((n * Math.PI) / turns),
  ]);
  const low = new Array<number>(turns).fill(Infinity);
  const high = new Array<number>(turns).fill(-Infinity);
  for (let n = 0; n < mask.length; n++) {
    if (!mask[n]) continue;
    const i = n % columns;
    const j = (n - i) / columns;
    count++;
    sumI += i;
    sumJ += j;
    for (let d = 0; d < turns; d++) {
      const projection = i * si * directions[d][0] + j * sj * directions[d][1];
      if (projection < low[d]) low[d] = projection;
      if (projection > high[d]) high[d] = projection;
    }
  }
  const centre: [number, number] = [sumI / count, sumJ / count];
  // Pixel centres span less than the painted squares: add a square's own width along each direction.
  const caliper = Math.max(
    ...high.map((h, d) => h - low[d] + si * Math.abs(directions[d][0]) + sj * Math.abs(directions[d][1])),
  );
  return {
    count,
    volumeMm3: count * si * sj * sk,
    diameterMm: caliper,
    centerMm: voxelToPatient(geometry, [centre[0], centre[1], k]),
    focus: focusPixel(mask, columns),
  };
}

export function addFinding(
  ctx: StoreContext,
  seriesUid: string,
  reader: string,
  k: number,
  mask: Uint8Array,
): StoredFinding {
  return insertReaderFinding(ctx, seriesUid, reader, new Map([[k, mask]]), undefined);
}

/**
 * A finding the model missed, outlined in 3-D from a click (src/segment/seeded-outline.ts): its slices' masks
 * are its proposal, as one painted slice is for addFinding; `how` (the click and how the outline was freed)
 * goes into the audit entry.
 */
export function addOutlinedFinding(
  ctx: StoreContext,
  seriesUid: string,
  reader: string,
  masks: Map<number, Uint8Array>,
  how: Record<string, unknown>,
): StoredFinding {
  return insertReaderFinding(ctx, seriesUid, reader, masks, how);
}

/** Measures a mask spread over several slices as a reader's final mask is measured, shown on its fullest slice. */
function measureOutline(masks: Map<number, Uint8Array>, geometry: VolumeGeometry) {
  const [columns, rows] = geometry.size;
  const plane = columns * rows;
  const indices: number[] = [];
  for (const k of [...masks.keys()].sort((x, y) => x - y)) {
    const mask = masks.get(k)!;
    for (let n = 0; n < plane; n++) if (mask[n]) indices.push(k * plane + n); // ascending, as maskVoxels gives
  }
  const voxels = Uint32Array.from(indices);
  const measured = measureMask(voxels, geometry);
  if (!measured) return undefined;
  const focus = fullestSliceFocus(voxels, columns, rows);
  return {
    count: voxels.length,
    volumeMm3: measured.volumeMm3,
    diameterMm: measured.diameterMm,
    centerMm: measured.centreLps,
    focusSlice: focus.slice,
    focus: focus.point,
  };
}

function insertReaderFinding(
  ctx: StoreContext,
  seriesUid: string,
  reader: string,
  masks: Map<number, Uint8Array>,
  outlined: Record<string, unknown> | undefined,
): StoredFinding {
  return ctx.write(() => {
    requireReader(ctx, reader);
    const series = requireSeries(ctx, seriesUid);
    const grid: FindingGrid = {
      findingId: 0,
      seriesUid,
      plane: series.image_rows * series.image_columns,
      slices: series.slice_count,
      retracted: false,
    };
    for (const [k, mask] of masks) {
      checkSlice(grid, k);
      checkMask(grid, mask);
    }
    if (!series.geometry_json) {
      throw new DatasetError(
        `series ${seriesUid} has no usable geometry (orientation, spacing, positions), so a painted finding ` +
          'cannot be measured or exported; findings can be added only on series the model could place in 3-D',
      );
    }
    const geometry = JSON.parse(series.geometry_json) as VolumeGeometry;
    const slices = [...masks.keys()].sort((x, y) => x - y);
    // One painted slice keeps its in-plane caliper (as it always has); an outline is measured in 3-D.
    const measured =
      slices.length === 1
        ? { ...measurePainting(masks.get(slices[0]!)!, geometry, slices[0]!), focusSlice: slices[0]! }
        : measureOutline(masks, geometry);
    if (!measured || measured.count === 0)
      throw new DatasetError('the painted mask is empty: paint the missed finding first');
    const first = slices[0]!;
    const last = slices[slices.length - 1]!;
    const at = ctx.now().toISOString();
    const { lastInsertRowid } = ctx
      .sql(
        `INSERT INTO findings (series_uid, run_id, source, added_by, score, volume_mm3, diameter_mm, center_x,
           center_y, center_z, slice_first, slice_last, focus_slice, focus_i, focus_j, created_at)
         VALUES (?, NULL, 'reader', ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        seriesUid,
        reader,
        measured.volumeMm3,
        measured.diameterMm,
        ...measured.centerMm,
        first,
        last,
        measured.focusSlice,
        ...measured.focus,
        at,
      );
    const findingId = Number(lastInsertRowid);
    // The painting is this finding's proposal (what a second reader reviews); the adder's later corrections
    // go to their final mask like anyone's.
    const insertMask = ctx.sql(
      `INSERT INTO mask_slices (finding_id, kind, reader, k, runs) VALUES (?, 'proposal', '', ?, ?)`,
    );
    for (const k of slices) insertMask.run(findingId, k, encodeMaskSlice(masks.get(k)!));
    const review = enterReview(ctx, seriesUid);
    recordAction(
      ctx,
      seriesUid,
      reader,
      outlined
        ? `outline finding ${findingId} over slices ${first + 1}–${last + 1}`
        : `add finding ${findingId} on slice ${first + 1}`,
      [
        { type: 'retracted', findingId, retracted: true },
        { type: 'decision', findingId, reader, decision: null },
        ...review.before,
      ],
      [
        { type: 'retracted', findingId, retracted: false },
        { type: 'decision', findingId, reader, decision: { kind: 'added', reason: null, note: null, at } },
        ...review.after,
      ],
    );
    const where = outlined ? { slices: [first, last], outlined } : { k: first };
    appendAudit(ctx, reader, 'add-finding', { findingId, seriesUid, ...where, voxels: measured.count }, at);
    return readFinding(ctx, findingId, reader)!;
  });
}

export function setStatus(
  ctx: StoreContext,
  seriesUid: string,
  status: SeriesStatus,
  reader: string | null,
): void {
  if (!isSeriesStatus(status)) {
    throw new DatasetError(`status "${status}" is not one of ${SERIES_STATUSES.join(', ')}`);
  }
  ctx.write(() => {
    const previous = requireSeries(ctx, seriesUid).status;
    const at = ctx.now().toISOString();
    if (reader === null) {
      ctx.sql('UPDATE series SET status = ? WHERE series_uid = ?').run(status, seriesUid);
    } else {
      requireReader(ctx, reader);
      recordAction(
        ctx,
        seriesUid,
        reader,
        `set status ${status}`,
        [{ type: 'status', seriesUid, status: previous }],
        [{ type: 'status', seriesUid, status }],
      );
    }
    appendAudit(ctx, reader, 'status', { seriesUid, from: previous, to: status }, at);
  });
}
