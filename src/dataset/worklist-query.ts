// Owns the worklist query: filter, order by effective priority, page, count — at most six statements per
// page whatever its size (counts, the page's starved and scored parts, finding counts, prior studies), never
// one per row.
//
// Effective priority: model score, highest first — among scores the worklist shows alike (">99.9%": saturated
// maps are common, and their full-precision scores differ only in noise) the series with the larger largest
// finding first, size being what nodule follow-up guidelines grade urgency by — but a series not yet done that
// has waited longer than maxWaitHours (default 24) rises above every scored series, oldest first, because a
// false-negative score would otherwise sort a series to the end of the list for good. Baltruschat et al.,
// "Smart chest X-ray worklist prioritization using artificial intelligence: a clinical workflow simulation",
// Eur Radiol 2021; 31(6):3837–3845 (doi:10.1007/s00330-020-07480-7): AI
// prioritisation cut the mean report turnaround for critical findings but raised the maximum; an upper limit on
// waiting time, after which an exam gets the highest urgency, brought the maximum back down (pneumothorax 979
// vs 1293 min).
import type { WorklistQuery, WorklistRow, WorklistSort } from './dataset-types.ts';
import { SERIES_COLUMNS, toStoredSeries, type SeriesRow } from './series-records.ts';
import { DatasetError, type StoreContext } from './store-context.ts';
import { isSeriesStatus, SERIES_STATUSES, WORKLIST_SORTS } from '../shared/review-vocabulary.ts';

const MAX_PAGE = 500;

/**
 * The score the orders rank by: capped at what the worklist shows as ">99.9%" (renderer/format-probability.ts;
 * a test holds the two together). Written as schema 7's order indexes write it, so SQLite walks them.
 */
export const SHOWN_ALIKE = 0.9995;
const RANK_SCORE = `min(s.score, ${SHOWN_ALIKE})`;

export function worklistQuery(
  ctx: StoreContext,
  query: WorklistQuery,
  reader?: string,
): { rows: WorklistRow[]; total: number } {
  const limit = query.limit ?? 50;
  const offset = query.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) {
    throw new DatasetError(`worklist limit ${limit} must be a whole number from 1 to ${MAX_PAGE}`);
  }
  if (!Number.isInteger(offset) || offset < 0)
    throw new DatasetError(`worklist offset ${offset} must be ≥ 0`);
  if (query.status !== undefined && !isSeriesStatus(query.status)) {
    throw new DatasetError(`status "${query.status}" is not one of ${SERIES_STATUSES.join(', ')}`);
  }
  const maxWaitHours = query.maxWaitHours ?? 24;
  if (!(maxWaitHours >= 0 && Number.isFinite(maxWaitHours))) {
    throw new DatasetError(`maxWaitHours ${maxWaitHours} must be a number of hours ≥ 0`);
  }
  const cutoff = (query.now ?? ctx.now()).getTime() - maxWaitHours * 3_600_000;
  const q = query.q?.trim().toLowerCase();
  // LIKE wildcards in what the user typed are matched literally.
  const pattern = q ? `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const where = `WHERE (@status IS NULL OR s.status = @status)
      AND (@modality IS NULL OR s.modality = @modality)
      AND (@pattern IS NULL OR s.search LIKE @pattern ESCAPE '\\')`;
  const params = { status: query.status ?? null, modality: query.modality ?? null, pattern };
  const { total } = ctx.sql(`SELECT count(*) AS total FROM series s ${where}`).get(params) as {
    total: number;
  };
  // Starved series first (oldest first), then the rest by score: two ordered reads that walk the arrival and
  // score indexes and stop at the page, instead of sorting every matching series on each request.
  const starved = `s.status <> 'done' AND s.arrived_ms <= @cutoff`;
  const sort = query.sort ?? 'priority';
  if (sort !== 'priority') {
    const orderBy = PLAIN_ORDERS[sort];
    if (!orderBy)
      throw new DatasetError(`worklist sort "${sort}" is not one of ${WORKLIST_SORTS.join(', ')}`);
    const plain = ctx
      .sql(
        `SELECT ${SERIES_COLUMNS} FROM series s JOIN studies st USING (study_uid) ${where}
         ORDER BY ${orderBy} LIMIT @limit OFFSET @offset`,
      )
      .all({ ...params, limit, offset }) as SeriesRow[];
    return withCounts(ctx, plain, 0, total, reader);
  }
  const { starvedTotal } = ctx
    .sql(`SELECT count(*) AS starvedTotal FROM series s ${where} AND ${starved}`)
    .get({ ...params, cutoff }) as { starvedTotal: number };
  const rows: SeriesRow[] = [];
  let overdueRows = 0;
  if (offset < starvedTotal) {
    rows.push(
      ...(ctx
        .sql(
          `SELECT ${SERIES_COLUMNS} FROM series s JOIN studies st USING (study_uid) ${where} AND ${starved}
           ORDER BY s.arrived_ms, s.series_uid LIMIT @limit OFFSET @offset`,
        )
        .all({ ...params, cutoff, limit, offset }) as SeriesRow[]),
    );
    overdueRows = rows.length;
  }
  if (rows.length < limit) {
    // Unscored series (score NULL) sort last under DESC in SQLite.
    rows.push(
      ...(ctx
        .sql(
          `SELECT ${SERIES_COLUMNS} FROM series s JOIN studies st USING (study_uid) ${where} AND NOT (${starved})
           ORDER BY ${RANK_SCORE} DESC, s.largest_mm DESC, s.arrived_ms, s.series_uid
           LIMIT @limit OFFSET @offset`,
        )
        .all({
          ...params,
          cutoff,
          limit: limit - rows.length,
          offset: Math.max(0, offset - starvedTotal),
        }) as SeriesRow[]),
    );
  }
  return withCounts(ctx, rows, overdueRows, total, reader);
}

// The plain orders, from a fixed list (never SQL built from what the client sent); ties fall back to arrival.
const PLAIN_ORDERS: Record<Exclude<WorklistSort, 'priority'>, string> = {
  score: `${RANK_SCORE} DESC, s.largest_mm DESC, s.arrived_ms, s.series_uid`,
  // The largest model finding first (series without one last: NULL sorts low), then as by score.
  largest: `s.largest_mm DESC, ${RANK_SCORE} DESC, s.arrived_ms, s.series_uid`,
  arrived: 's.arrived_ms, s.series_uid',
  'study-date': 'st.study_date DESC, s.arrived_ms, s.series_uid',
  patient: 'st.patient_name COLLATE NOCASE, st.study_date DESC, s.series_uid',
};

function withCounts(
  ctx: StoreContext,
  rows: SeriesRow[],
  overdueRows: number,
  total: number,
  reader: string | undefined,
): { rows: WorklistRow[]; total: number } {
  if (rows.length === 0) return { rows: [], total };
  const counts = ctx
    .sql(
      `SELECT f.series_uid, count(*) AS findings, count(d.finding_id) AS reviewed
       FROM findings f JOIN series s USING (series_uid)
       LEFT JOIN (SELECT DISTINCT finding_id FROM decisions WHERE @reader IS NULL OR reader = @reader) d
         ON d.finding_id = f.id
       WHERE f.series_uid IN (SELECT value FROM json_each(@uids)) AND f.retracted = 0
         AND (f.run_id = s.latest_run_id OR f.source = 'reader')
       GROUP BY f.series_uid`,
    )
    .all({ uids: JSON.stringify(rows.map((r) => r.series_uid)), reader: reader ?? null }) as {
    series_uid: string;
    findings: number;
    reviewed: number;
  }[];
  const bySeries = new Map(counts.map((c) => [c.series_uid, c]));
  // The patient's latest earlier study holding this modality (the follow-up's default prior), by Patient ID;
  // an empty ID links nothing. Through the studies_patient index: a few rows per patient, not a scan.
  const priors = ctx
    .sql(
      `SELECT s.series_uid, max(st2.study_date) AS prior_date
       FROM series s JOIN studies st USING (study_uid)
       JOIN studies st2 ON st2.patient_id = st.patient_id
         AND st2.study_date != '' AND st2.study_date < st.study_date
       WHERE s.series_uid IN (SELECT value FROM json_each(@uids)) AND st.patient_id != ''
         AND EXISTS (SELECT 1 FROM series s2 WHERE s2.study_uid = st2.study_uid AND s2.modality = s.modality)
       GROUP BY s.series_uid`,
    )
    .all({ uids: JSON.stringify(rows.map((r) => r.series_uid)) }) as {
    series_uid: string;
    prior_date: string;
  }[];
  const priorOf = new Map(priors.map((p) => [p.series_uid, p.prior_date]));
  return {
    rows: rows.map((row, n) => ({
      series: toStoredSeries(ctx, row),
      overdue: n < overdueRows,
      findingCount: bySeries.get(row.series_uid)?.findings ?? 0,
      reviewedCount: bySeries.get(row.series_uid)?.reviewed ?? 0,
      priorStudyDate: priorOf.get(row.series_uid) ?? null,
    })),
    total,
  };
}
