// Owns model runs in the store. A run is inserted as 'running' when the model starts and becomes 'complete'
// only in the one transaction that also writes its findings, their proposed masks and its probability map,
// so a crash at any point leaves either a running run with nothing under it or a complete one with all of it.
// Probability maps are kept per slice, deflated (a CT slice is mostly zeros), so re-thresholding one slice or
// drawing it as a heat map reads one row.
import { deflateSync, inflateSync } from 'node:zlib';
import type { Finding } from '../inference/findings-at-threshold.ts';
import type { ModelRef, ModelRunRecord, RunOutcome, SeriesStatus, StoredFinding } from './dataset-types.ts';
import { appendAudit } from './audit-chain.ts';
import { encodeSortedIndices } from './mask-codec.ts';
import { findingsOfRun } from './finding-records.ts';
import { requireSeries } from './series-records.ts';
import { DatasetError, type StoreContext } from './store-context.ts';

interface RunRow {
  id: number;
  series_uid: string;
  model_id: string;
  model_version: string;
  model_sha256: string;
  threshold: number;
  params_json: string;
  started_at: string;
  finished_at: string | null;
  state: ModelRunRecord['state'];
  message: string | null;
  score: number | null;
  seconds: number | null;
  owner_pid: number | null;
}

function toRecord(row: RunRow): ModelRunRecord {
  return {
    id: row.id,
    seriesUid: row.series_uid,
    model: { id: row.model_id, version: row.model_version, sha256: row.model_sha256 },
    threshold: row.threshold,
    params: JSON.parse(row.params_json) as Record<string, unknown>,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    state: row.state,
    message: row.message,
    score: row.score,
    seconds: row.seconds,
  };
}

export function readRun(ctx: StoreContext, runId: number): ModelRunRecord | undefined {
  const row = ctx.sql('SELECT * FROM model_runs WHERE id = ?').get(runId) as RunRow | undefined;
  return row && toRecord(row);
}

export function listRuns(ctx: StoreContext, seriesUid?: string): ModelRunRecord[] {
  const rows = (
    seriesUid === undefined
      ? ctx.sql('SELECT * FROM model_runs ORDER BY id').all()
      : ctx.sql('SELECT * FROM model_runs WHERE series_uid = ? ORDER BY id').all(seriesUid)
  ) as RunRow[];
  return rows.map(toRecord);
}

function requireRunning(ctx: StoreContext, runId: number): RunRow {
  const row = ctx.sql('SELECT * FROM model_runs WHERE id = ?').get(runId) as RunRow | undefined;
  if (!row) throw new DatasetError(`model run ${runId} is not in the dataset`, 'not-found');
  if (row.state !== 'running') {
    throw new DatasetError(
      `model run ${runId} is already ${row.state}; start a new run to record another result`,
      'conflict',
    );
  }
  return row;
}

export function startRun(
  ctx: StoreContext,
  seriesUid: string,
  model: ModelRef,
  threshold: number,
  params: Record<string, unknown>,
): number {
  if (!(threshold > 0 && threshold <= 1)) {
    throw new DatasetError(`threshold ${threshold} is outside (0, 1] — give a probability such as 0.5`);
  }
  return ctx.write(() => {
    requireSeries(ctx, seriesUid);
    const startedAt = ctx.now().toISOString();
    const { lastInsertRowid } = ctx
      .sql(
        `INSERT INTO model_runs (series_uid, model_id, model_version, model_sha256, threshold, params_json,
           started_at, state, owner_pid) VALUES (?, ?, ?, ?, ?, ?, ?, 'running', ?)`,
      )
      .run(
        seriesUid,
        model.id,
        model.version,
        model.sha256,
        threshold,
        JSON.stringify(params),
        startedAt,
        process.pid,
      );
    const runId = Number(lastInsertRowid);
    ctx
      .sql(`UPDATE series SET status = 'model-running' WHERE series_uid = ? AND status = 'unread'`)
      .run(seriesUid);
    appendAudit(ctx, null, 'run-start', { runId, seriesUid, model, threshold }, startedAt);
    return runId;
  });
}

/** Splits a finding's sorted voxel list into per-slice run-length rows. */
function maskRows(finding: Finding, plane: number): { k: number; runs: Uint8Array }[] {
  const rows: { k: number; runs: Uint8Array }[] = [];
  const voxels = finding.voxels;
  let from = 0;
  while (from < voxels.length) {
    const k = Math.floor(voxels[from] / plane);
    let to = from;
    while (to < voxels.length && Math.floor(voxels[to] / plane) === k) to++;
    rows.push({ k, runs: encodeSortedIndices(voxels, from, to, k * plane, plane) });
    from = to;
  }
  return rows;
}

export function finishRun(ctx: StoreContext, runId: number, outcome: RunOutcome): StoredFinding[] {
  const before = requireRunning(ctx, runId);
  const series = requireSeries(ctx, before.series_uid);
  const plane = series.image_rows * series.image_columns;
  const slices = series.slice_count;
  if (outcome.probability.length !== 0 && outcome.probability.length !== plane * slices) {
    throw new DatasetError(
      `model run ${runId}: probability map holds ${outcome.probability.length} values but series ` +
        `${series.series_uid} has ${plane * slices} voxels (${series.image_columns}×${series.image_rows}×${slices})`,
    );
  }
  // Compress and encode before taking the write lock, so readers and the API wait only for the inserts.
  const deflated: Buffer[] = [];
  for (let k = 0; k < slices && outcome.probability.length; k++) {
    deflated.push(deflateSync(outcome.probability.subarray(k * plane, (k + 1) * plane), { level: 1 }));
  }
  const masks = outcome.findings.map((f) => maskRows(f, plane));
  return ctx.write(() => {
    requireRunning(ctx, runId);
    const at = ctx.now().toISOString();
    const insertSlice = ctx.sql('INSERT INTO probability_slices (run_id, k, deflated) VALUES (?, ?, ?)');
    deflated.forEach((blob, k) => insertSlice.run(runId, k, blob));
    const insertFinding = ctx.sql(
      `INSERT INTO findings (series_uid, run_id, source, score, volume_mm3, diameter_mm, center_x, center_y,
         center_z, slice_first, slice_last, focus_slice, focus_i, focus_j, created_at)
       VALUES (?, ?, 'model', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insertMask = ctx.sql(
      `INSERT INTO mask_slices (finding_id, kind, reader, k, runs) VALUES (?, 'proposal', '', ?, ?)`,
    );
    outcome.findings.forEach((f, n) => {
      const { lastInsertRowid } = insertFinding.run(
        series.series_uid,
        runId,
        f.score,
        f.volumeMm3,
        f.diameterMm,
        ...f.centerMm,
        ...f.sliceRange,
        f.focusSlice,
        ...f.focusPoint,
        at,
      );
      for (const row of masks[n]) insertMask.run(lastInsertRowid, row.k, row.runs);
    });
    ctx
      .sql(
        `UPDATE model_runs SET state = 'complete', finished_at = ?, score = ?, seconds = ?, warnings_json = ?
         WHERE id = ?`,
      )
      .run(at, outcome.score, outcome.seconds, JSON.stringify(outcome.warnings), runId);
    const { scopeWarnings } = outcome;
    const next: SeriesStatus =
      outcome.findings.length > 0
        ? 'flagged'
        : scopeWarnings && scopeWarnings.length > 0
          ? 'outside-scope'
          : 'no-findings';
    // A series already in review keeps its status: a re-run must not hide that a reader has started. A
    // model's own run also decides again whether the series is outside its scope; a run derived from a kept
    // map (a new threshold) leaves that, and the warnings shown, as they were.
    const own = scopeWarnings !== undefined;
    ctx
      .sql(
        `UPDATE series SET latest_run_id = @run, score = @score,
           largest_mm = (SELECT max(diameter_mm) FROM findings WHERE run_id = @run),
           scope_warnings_json = CASE WHEN @own THEN @warnings ELSE scope_warnings_json END,
           status = CASE WHEN status IN ('unread', 'model-running', 'flagged', 'no-findings')
                          OR (@own AND status = 'outside-scope') THEN @next ELSE status END
         WHERE series_uid = @series`,
      )
      .run({
        run: runId,
        score: outcome.score,
        own: own ? 1 : 0,
        warnings: JSON.stringify(outcome.warnings),
        next,
        series: series.series_uid,
      });
    appendAudit(
      ctx,
      null,
      'run-finish',
      { runId, seriesUid: series.series_uid, findings: outcome.findings.length, score: outcome.score },
      at,
    );
    return findingsOfRun(ctx, runId);
  });
}

export function failRun(
  ctx: StoreContext,
  runId: number,
  state: 'failed' | 'skipped',
  message: string,
): void {
  ctx.write(() => {
    const run = requireRunning(ctx, runId);
    const at = ctx.now().toISOString();
    ctx
      .sql('UPDATE model_runs SET state = ?, finished_at = ?, message = ? WHERE id = ?')
      .run(state, at, message, runId);
    ctx
      .sql(`UPDATE series SET status = ? WHERE series_uid = ? AND status = 'model-running'`)
      .run(state === 'skipped' ? 'outside-scope' : 'unread', run.series_uid);
    // Why it was skipped is shown with the series.
    if (state === 'skipped') {
      ctx
        .sql('UPDATE series SET scope_warnings_json = ? WHERE series_uid = ?')
        .run(JSON.stringify([`skipped: ${message}`]), run.series_uid);
    }
    appendAudit(
      ctx,
      null,
      `run-${state === 'skipped' ? 'skip' : 'fail'}`,
      { runId, seriesUid: run.series_uid },
      at,
    );
  });
}

/**
 * Runs left 'running' by a process that no longer exists (killed, crashed, power cut) are marked failed, so
 * the series does not sit at 'model-running' for ever. Only processes on this machine are checked.
 */
export function failOrphanedRuns(ctx: StoreContext): number {
  const running = ctx.sql(`SELECT id, owner_pid FROM model_runs WHERE state = 'running'`).all() as {
    id: number;
    owner_pid: number | null;
  }[];
  let failed = 0;
  for (const run of running) {
    if (run.owner_pid === null || run.owner_pid === process.pid || processAlive(run.owner_pid)) continue;
    try {
      failRun(ctx, run.id, 'failed', 'interrupted: the process running the model stopped before it finished');
      failed++;
    } catch (error) {
      // Another process finished or failed it meanwhile: nothing to repair.
      if (!(error instanceof DatasetError && error.code === 'conflict')) throw error;
    }
  }
  return failed;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function probabilitySlice(ctx: StoreContext, runId: number, k: number): Uint8Array | undefined {
  const row = ctx.sql('SELECT deflated FROM probability_slices WHERE run_id = ? AND k = ?').get(runId, k) as
    { deflated: Buffer } | undefined;
  return row && new Uint8Array(inflateSync(row.deflated));
}
