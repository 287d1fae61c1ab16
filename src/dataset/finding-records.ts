// Owns reading findings back: which findings a reader sees for a series (the latest complete run's proposals
// plus reader-added ones; blind reads hide other readers' decisions and additions), each with the decision
// asked about and — for the reader asked about — the extent and measurements of the mask as that reader left
// it, and their masks per slice ('final' = the reader's corrected slices over the proposal).
import type { VolumeGeometry } from '../dicom/volume.ts';
import type { DecisionKind, RejectReason, StoredFinding } from './dataset-types.ts';
import { decodeMaskSlice, maskSliceIndices } from './mask-codec.ts';
import { fullestSliceFocus, measureMask, sliceCounts } from './mask-measurements.ts';
import { requireSeries } from './series-records.ts';
import { DatasetError, type StoreContext } from './store-context.ts';

interface FindingRow {
  id: number;
  series_uid: string;
  run_id: number | null;
  source: 'model' | 'reader';
  added_by: string | null;
  score: number | null;
  volume_mm3: number;
  diameter_mm: number;
  center_x: number;
  center_y: number;
  center_z: number;
  slice_first: number;
  slice_last: number;
  focus_slice: number;
  focus_i: number;
  focus_j: number;
  retracted: number;
  d_kind: DecisionKind | null;
  d_reason: RejectReason | null;
  d_note: string | null;
  d_reader: string | null;
  d_at: string | null;
}

/**
 * The decision joined to each finding: the given reader's, or (no reader) the most recent of anyone's.
 * @reader is the reader (or NULL).
 */
const DECISION_JOIN = `LEFT JOIN decisions d ON d.finding_id = f.id AND d.reader = COALESCE(@reader,
    (SELECT reader FROM decisions WHERE finding_id = f.id ORDER BY at DESC, reader LIMIT 1))`;
const FINDING_COLUMNS = `f.*, d.kind AS d_kind, d.reason AS d_reason, d.note AS d_note, d.reader AS d_reader,
  d.at AS d_at`;

function toFinding(row: FindingRow): StoredFinding {
  return {
    id: row.id,
    seriesUid: row.series_uid,
    runId: row.run_id,
    source: row.source,
    addedBy: row.added_by,
    score: row.score,
    volumeMm3: row.volume_mm3,
    diameterMm: row.diameter_mm,
    centerMm: [row.center_x, row.center_y, row.center_z],
    sliceRange: [row.slice_first, row.slice_last],
    focusSlice: row.focus_slice,
    focusPoint: [row.focus_i, row.focus_j],
    decision:
      row.d_kind === null
        ? null
        : { kind: row.d_kind, reason: row.d_reason, note: row.d_note, reader: row.d_reader!, at: row.d_at! },
  };
}

export function findingsOfRun(ctx: StoreContext, runId: number): StoredFinding[] {
  const rows = ctx
    .sql(`SELECT ${FINDING_COLUMNS} FROM findings f ${DECISION_JOIN} WHERE f.run_id = @run ORDER BY f.id`)
    .all({ reader: null, run: runId }) as FindingRow[];
  return rows.map(toFinding);
}

export function seriesFindings(
  ctx: StoreContext,
  seriesUid: string,
  reader?: string,
  options: { blind?: boolean } = {},
): StoredFinding[] {
  if (options.blind && !reader) {
    throw new DatasetError('a blind read needs the reader: whose own decisions should it show?');
  }
  const rows = ctx
    .sql(
      `SELECT ${FINDING_COLUMNS} FROM findings f ${DECISION_JOIN}
       WHERE f.series_uid = @series AND f.retracted = 0
         AND (f.run_id = (SELECT latest_run_id FROM series WHERE series_uid = @series)
              OR (f.source = 'reader' AND (@blind = 0 OR f.added_by = @reader)))
       ORDER BY f.source = 'reader', f.score DESC,
         CASE f.source WHEN 'model' THEN f.volume_mm3 END DESC, f.id`,
    )
    .all({ reader: reader ?? null, series: seriesUid, blind: options.blind ? 1 : 0 }) as FindingRow[];
  return rows.map((row) => (reader ? asLeftBy(ctx, toFinding(row), reader) : toFinding(row)));
}

export function readFinding(
  ctx: StoreContext,
  findingId: number,
  reader?: string,
): StoredFinding | undefined {
  const row = ctx
    .sql(`SELECT ${FINDING_COLUMNS} FROM findings f ${DECISION_JOIN} WHERE f.id = @id`)
    .get({ reader: reader ?? null, id: findingId }) as FindingRow | undefined;
  if (!row) return undefined;
  return reader ? asLeftBy(ctx, toFinding(row), reader) : toFinding(row);
}

/**
 * The finding as `reader` left it. The row keeps the proposal's slice range and measurements; a reader who
 * painted slices beyond them (an added finding drawn over several slices, a nodule extended) or erased some
 * changed both. Then the range, volume, diameter and centre are the reader's final mask's — so the viewer fetches
 * and draws every slice the reader painted — and the focus moves to the final mask's fullest slice if its own
 * slice was erased. A finding the reader never painted, or erased entirely, is the row as it is.
 */
function asLeftBy(ctx: StoreContext, finding: StoredFinding, reader: string): StoredFinding {
  const painted = ctx
    .sql(`SELECT 1 FROM mask_slices WHERE finding_id = ? AND kind = 'final' AND reader = ? LIMIT 1`)
    .get(finding.id, reader);
  if (!painted) return finding;
  const row = requireSeries(ctx, finding.seriesUid);
  if (!row.geometry_json) return finding;
  const geometry = JSON.parse(row.geometry_json) as VolumeGeometry;
  const voxels = maskVoxels(ctx, finding.id, 'final', reader);
  const measured = measureMask(voxels, geometry);
  if (!measured) return finding;
  const [columns, rows] = geometry.size;
  const perSlice = sliceCounts(voxels, columns * rows);
  const slices = [...perSlice.keys()];
  const range: [number, number] = [Math.min(...slices), Math.max(...slices)];
  let { focusSlice, focusPoint } = finding;
  if (!perSlice.has(focusSlice))
    ({ slice: focusSlice, point: focusPoint } = fullestSliceFocus(voxels, columns, rows, perSlice));
  return {
    ...finding,
    volumeMm3: measured.volumeMm3,
    diameterMm: measured.diameterMm,
    centerMm: measured.centreLps,
    sliceRange: range,
    focusSlice,
    focusPoint,
  };
}

export interface FindingGrid {
  findingId: number;
  seriesUid: string;
  plane: number;
  slices: number;
  retracted: boolean;
}

export function requireFindingGrid(ctx: StoreContext, findingId: number): FindingGrid {
  const row = ctx
    .sql(
      `SELECT f.id, f.series_uid, f.retracted, s.image_rows * s.image_columns AS plane, s.slice_count
       FROM findings f JOIN series s USING (series_uid) WHERE f.id = ?`,
    )
    .get(findingId) as
    { id: number; series_uid: string; retracted: number; plane: number; slice_count: number } | undefined;
  if (!row) throw new DatasetError(`finding ${findingId} is not in the dataset`, 'not-found');
  return {
    findingId,
    seriesUid: row.series_uid,
    plane: row.plane,
    slices: row.slice_count,
    retracted: row.retracted === 1,
  };
}

export function checkSlice(grid: FindingGrid, k: number): void {
  if (!Number.isInteger(k) || k < 0 || k >= grid.slices) {
    throw new DatasetError(
      `slice ${k} is outside series ${grid.seriesUid} (slices 0–${grid.slices - 1})`,
      'invalid',
    );
  }
}

/** The encoded row of one slice, or null: the reader's final row first when asked for 'final'. */
export function maskSliceRuns(
  ctx: StoreContext,
  findingId: number,
  k: number,
  kind: 'final' | 'proposal',
  reader?: string,
): Uint8Array | null {
  const get = ctx.sql(
    'SELECT runs FROM mask_slices WHERE finding_id = ? AND kind = ? AND reader = ? AND k = ?',
  );
  if (kind === 'final' && reader) {
    const final = get.get(findingId, 'final', reader, k) as { runs: Uint8Array } | undefined;
    if (final) return final.runs;
  }
  const proposal = get.get(findingId, 'proposal', '', k) as { runs: Uint8Array } | undefined;
  return proposal?.runs ?? null;
}

export function maskSlice(
  ctx: StoreContext,
  findingId: number,
  k: number,
  kind: 'final' | 'proposal',
  reader?: string,
): Uint8Array {
  const grid = requireFindingGrid(ctx, findingId);
  checkSlice(grid, k);
  const runs = maskSliceRuns(ctx, findingId, k, kind, reader);
  return runs ? decodeMaskSlice(runs, grid.plane) : new Uint8Array(grid.plane);
}

/**
 * The encoded row of every slice that has one: the proposal's, with `reader`'s final rows in place of theirs
 * (no reader: the proposal alone).
 */
export function maskRowsBySlice(
  ctx: StoreContext,
  findingId: number,
  reader?: string,
): Map<number, Uint8Array> {
  const rows = ctx
    .sql(
      `SELECT kind, k, runs FROM mask_slices
       WHERE finding_id = ? AND ((kind = 'proposal' AND reader = '') OR (kind = 'final' AND reader = ?))`,
    )
    .all(findingId, reader ?? '\u0000') as { kind: string; k: number; runs: Uint8Array }[];
  const bySlice = new Map<number, Uint8Array>();
  // Final rows replace the proposal's slice, whatever order the rows come in.
  for (const row of rows) if (row.kind === 'proposal') bySlice.set(row.k, row.runs);
  for (const row of rows) if (row.kind === 'final') bySlice.set(row.k, row.runs);
  return bySlice;
}

export function maskVoxels(
  ctx: StoreContext,
  findingId: number,
  kind: 'final' | 'proposal',
  reader?: string,
): Uint32Array {
  const grid = requireFindingGrid(ctx, findingId);
  const bySlice = maskRowsBySlice(ctx, findingId, kind === 'final' ? reader : undefined);
  const indices: number[] = [];
  for (const k of [...bySlice.keys()].sort((a, b) => a - b)) {
    maskSliceIndices(bySlice.get(k)!, grid.plane, k * grid.plane, indices);
  }
  return Uint32Array.from(indices);
}
