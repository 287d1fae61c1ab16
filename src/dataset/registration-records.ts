// Owns the kept registrations of follow-ups with their priors (schema version 8): what src/followup found, by
// which method, so a restart does not decode and search both scans again. A series imported again drops its
// own (series-records.ts).
import type { StoredRegistration } from './dataset-types.ts';
import type { StoreContext } from './store-context.ts';

interface RegistrationRow {
  tx: number;
  ty: number;
  tz: number;
  correlation: number;
  overlap: number;
  cell_mm: number;
  seconds: number;
}

export function readRegistration(
  ctx: StoreContext,
  seriesUid: string,
  priorUid: string,
  method: string,
): StoredRegistration | undefined {
  const row = ctx
    .sql(
      `SELECT tx, ty, tz, correlation, overlap, cell_mm, seconds FROM registrations
       WHERE series_uid = ? AND prior_uid = ? AND method = ?`,
    )
    .get(seriesUid, priorUid, method) as RegistrationRow | undefined;
  return (
    row && {
      translationMm: [row.tx, row.ty, row.tz],
      correlation: row.correlation,
      overlap: row.overlap,
      cellMm: row.cell_mm,
      seconds: row.seconds,
    }
  );
}

export function saveRegistration(
  ctx: StoreContext,
  seriesUid: string,
  priorUid: string,
  method: string,
  found: StoredRegistration,
): void {
  ctx.write(() => {
    ctx
      .sql(
        `INSERT OR REPLACE INTO registrations
           (series_uid, prior_uid, method, tx, ty, tz, correlation, overlap, cell_mm, seconds)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        seriesUid,
        priorUid,
        method,
        ...found.translationMm,
        found.correlation,
        found.overlap,
        found.cellMm,
        found.seconds,
      );
  });
}
