// Owns the imported index in the store: studies, series and their instance files (with size and mtime, so
// a file moved or rewritten since import is noticed), and turning a series row back into a StoredSeries.
import { statSync } from 'node:fs';
import type { IndexedSeries, IndexedStudy } from '../dicom/index/index-types.ts';
import type { VolumeGeometry } from '../dicom/volume.ts';
import type { ChangedFile, SeriesStatus, StoredSeries } from './dataset-types.ts';
import { appendAudit } from './audit-chain.ts';
import { DatasetError, parseJson, type StoreContext } from './store-context.ts';

/** The series columns StoredSeries needs, without indexed_json (read only when `indexed` is asked for). */
export const SERIES_COLUMNS = `s.series_uid, s.study_uid, st.patient_id, st.patient_name, st.study_date,
  st.accession_number,
  st.description AS study_description, s.description, s.modality, s.body_part, s.manufacturer,
  s.scanner_model, s.instance_count, s.image_rows, s.image_columns, s.slice_count, s.geometry_json,
  s.slice_thickness, s.status, s.score, s.largest_mm, s.warnings_json, s.scope_warnings_json, s.arrived_at,
  s.latest_run_id`;

export interface SeriesRow {
  series_uid: string;
  study_uid: string;
  patient_id: string;
  patient_name: string;
  study_date: string;
  accession_number: string;
  study_description: string;
  description: string;
  modality: string;
  body_part: string;
  manufacturer: string;
  scanner_model: string;
  instance_count: number;
  image_rows: number;
  image_columns: number;
  slice_count: number;
  geometry_json: string | null;
  slice_thickness: number | null;
  status: SeriesStatus;
  score: number | null;
  largest_mm: number | null;
  warnings_json: string;
  scope_warnings_json: string;
  arrived_at: string;
  latest_run_id: number | null;
}

/**
 * A StoredSeries whose `indexed` (every instance's header: large) is read on first access and is not
 * enumerable, so a worklist page costs no per-instance JSON and JSON.stringify of a row never sends headers.
 */
export function toStoredSeries(ctx: StoreContext, row: SeriesRow): StoredSeries {
  const stored = {
    seriesUid: row.series_uid,
    studyUid: row.study_uid,
    patientId: row.patient_id,
    patientName: row.patient_name,
    studyDate: row.study_date,
    accessionNumber: row.accession_number,
    studyDescription: row.study_description,
    seriesDescription: row.description,
    modality: row.modality,
    bodyPart: row.body_part,
    manufacturer: row.manufacturer,
    scannerModel: row.scanner_model,
    instances: row.instance_count,
    rows: row.image_rows,
    columns: row.image_columns,
    geometry: parseJson<VolumeGeometry>(row.geometry_json),
    sliceThicknessMm: row.slice_thickness,
    status: row.status,
    score: row.score,
    largestMm: row.largest_mm,
    warnings: JSON.parse(row.warnings_json) as string[],
    scopeWarnings: JSON.parse(row.scope_warnings_json) as string[],
    arrivedAt: row.arrived_at,
    latestRunId: row.latest_run_id,
  } as StoredSeries;
  let indexed: IndexedSeries | undefined;
  Object.defineProperty(stored, 'indexed', {
    enumerable: false,
    get() {
      if (!indexed) {
        const found = ctx
          .sql('SELECT indexed_json FROM series_headers WHERE series_uid = ?')
          .get(row.series_uid) as { indexed_json: string } | undefined;
        if (!found)
          throw new DatasetError(`series ${row.series_uid} is no longer in the dataset`, 'not-found');
        indexed = JSON.parse(found.indexed_json) as IndexedSeries;
      }
      return indexed;
    },
  });
  return stored;
}

export function readSeries(ctx: StoreContext, seriesUid: string): StoredSeries | undefined {
  const row = ctx
    .sql(`SELECT ${SERIES_COLUMNS} FROM series s JOIN studies st USING (study_uid) WHERE s.series_uid = ?`)
    .get(seriesUid) as SeriesRow | undefined;
  return row && toStoredSeries(ctx, row);
}

/**
 * The patient's other series (the priors and later scans a follow-up compares with): same Patient ID, another
 * study, newest study first. An empty Patient ID matches nothing — anonymous studies are never linked.
 */
export function patientSeries(ctx: StoreContext, seriesUid: string): StoredSeries[] {
  const rows = ctx
    .sql(
      `SELECT ${SERIES_COLUMNS} FROM series s JOIN studies st USING (study_uid)
       WHERE st.patient_id != '' AND st.patient_id = (
         SELECT st2.patient_id FROM series s2 JOIN studies st2 USING (study_uid) WHERE s2.series_uid = ?)
         AND s.study_uid != (SELECT study_uid FROM series WHERE series_uid = ?)
       ORDER BY st.study_date DESC, s.arrived_ms DESC`,
    )
    .all(seriesUid, seriesUid) as SeriesRow[];
  return rows.map((row) => toStoredSeries(ctx, row));
}

/** The series row or a not-found error naming it (every id from outside is checked this way). */
export function requireSeries(ctx: StoreContext, seriesUid: string): SeriesRow {
  const row = ctx
    .sql(`SELECT ${SERIES_COLUMNS} FROM series s JOIN studies st USING (study_uid) WHERE s.series_uid = ?`)
    .get(seriesUid) as SeriesRow | undefined;
  if (!row) {
    throw new DatasetError(
      `series ${seriesUid} is not in the dataset — import its folder first`,
      'not-found',
    );
  }
  return row;
}

function searchText(study: IndexedStudy, series: IndexedSeries): string {
  // Accession numbers are what a reader is often handed (RIS, a colleague's note); `?? ''` for studies
  // indexed before the field existed.
  return [
    study.patientId,
    study.patientName,
    study.accessionNumber ?? '',
    study.description,
    series.description,
  ]
    .join('\u0001')
    .toLowerCase();
}

export function importStudy(
  ctx: StoreContext,
  study: IndexedStudy,
  geometry: Map<string, VolumeGeometry | null>,
): string[] {
  return ctx.write(() => {
    const now = ctx.now();
    ctx
      .sql(
        `INSERT INTO studies (study_uid, patient_id, patient_name, study_date, description, accession_number)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (study_uid) DO UPDATE SET patient_id = excluded.patient_id,
           patient_name = excluded.patient_name, study_date = excluded.study_date,
           description = excluded.description, accession_number = excluded.accession_number`,
      )
      .run(
        study.studyInstanceUid,
        study.patientId,
        study.patientName,
        study.studyDate,
        study.description,
        study.accessionNumber ?? '',
      );
    let instanceCount = 0;
    for (const series of study.series) {
      const first = series.instances.find((i) => i.hasPixelData) ?? series.instances[0];
      const volume = geometry.get(series.seriesInstanceUid) ?? null;
      // Re-importing refreshes what the files say but keeps review state, runs and arrival time.
      ctx
        .sql(
          `INSERT INTO series (series_uid, study_uid, description, modality, body_part, manufacturer,
             scanner_model, instance_count, image_rows, image_columns, slice_count,
             geometry_json, slice_thickness, status, score, warnings_json, arrived_at, arrived_ms, search)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'unread', NULL, ?, ?, ?, ?)
           ON CONFLICT (series_uid) DO UPDATE SET study_uid = excluded.study_uid,
             description = excluded.description, modality = excluded.modality,
             body_part = excluded.body_part, manufacturer = excluded.manufacturer,
             scanner_model = excluded.scanner_model, instance_count = excluded.instance_count,
             image_rows = excluded.image_rows, image_columns = excluded.image_columns,
             slice_count = excluded.slice_count,
             geometry_json = excluded.geometry_json, slice_thickness = excluded.slice_thickness,
             warnings_json = excluded.warnings_json, search = excluded.search`,
        )
        .run(
          series.seriesInstanceUid,
          study.studyInstanceUid,
          series.description,
          series.modality,
          first?.bodyPart ?? '',
          first?.manufacturer ?? '',
          first?.model ?? '',
          series.instances.length,
          series.rows,
          series.columns,
          volume ? volume.size[2] : series.frames.length,
          volume ? JSON.stringify(volume) : null,
          first?.sliceThickness ?? null,
          JSON.stringify(series.warnings),
          now.toISOString(),
          now.getTime(),
          searchText(study, series),
        );
      ctx
        .sql('INSERT OR REPLACE INTO series_headers (series_uid, indexed_json) VALUES (?, ?)')
        .run(series.seriesInstanceUid, JSON.stringify(series));
      ctx.sql('DELETE FROM instances WHERE series_uid = ?').run(series.seriesInstanceUid);
      // Its slices may differ now: a follow-up's registration with it is found again when next asked.
      ctx
        .sql('DELETE FROM registrations WHERE series_uid = ? OR prior_uid = ?')
        .run(series.seriesInstanceUid, series.seriesInstanceUid);
      const insert = ctx.sql(
        `INSERT OR REPLACE INTO instances (series_uid, path, zip_entry, sop_instance_uid, size, mtime_ms)
         VALUES (?, ?, ?, ?, ?, ?)`,
      );
      for (const instance of series.instances) {
        insert.run(
          series.seriesInstanceUid,
          instance.path,
          instance.zipEntry ?? '',
          instance.sopInstanceUid,
          instance.fileSize,
          instance.mtimeMs,
        );
      }
      instanceCount += series.instances.length;
    }
    const uids = study.series.map((s) => s.seriesInstanceUid);
    // UIDs and counts only: the study's patient fields stay out of the log.
    appendAudit(ctx, null, 'import', {
      studyUid: study.studyInstanceUid,
      series: uids,
      instances: instanceCount,
    });
    return uids;
  });
}

export function changedFiles(ctx: StoreContext, seriesUid: string): ChangedFile[] {
  requireSeries(ctx, seriesUid);
  const rows = ctx
    .sql(
      'SELECT path, zip_entry, size, mtime_ms FROM instances WHERE series_uid = ? ORDER BY path, zip_entry',
    )
    .all(seriesUid) as { path: string; zip_entry: string; size: number; mtime_ms: number }[];
  const changed: ChangedFile[] = [];
  const stats = new Map<string, ReturnType<typeof statSync>>();
  for (const row of rows) {
    if (!stats.has(row.path)) stats.set(row.path, statSync(row.path, { throwIfNoEntry: false }));
    const stat = stats.get(row.path);
    const location = row.zip_entry ? { path: row.path, zipEntry: row.zip_entry } : { path: row.path };
    if (!stat) changed.push({ ...location, reason: 'missing' });
    // A zip entry's recorded size is the entry's, not the zip's; the zip's mtime still says it was rewritten.
    else if (stat.mtimeMs !== row.mtime_ms || (!row.zip_entry && stat.size !== row.size)) {
      changed.push({ ...location, reason: 'changed' });
    }
  }
  return changed;
}
