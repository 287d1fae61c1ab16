// Owns the store's schema and its forward-only migrations. PRAGMA user_version is the schema version; each
// migration runs in its own transaction with the version bump, so a crash mid-migration leaves the previous
// version intact. A file written by a newer Overread (user_version above the last migration) is refused
// rather than guessed at. Never edit a shipped migration: add the next one.
import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  description: string;
  sql: string;
}

const SERIES_STATUSES = `'unread','model-running','flagged','no-findings','outside-scope','in-review','done'`;

export const migrations: Migration[] = [
  {
    version: 1,
    description:
      'studies, series, instances, readers, roots, model runs, findings, masks, decisions, audit, undo',
    sql: `
      CREATE TABLE readers (name TEXT PRIMARY KEY, created_at TEXT NOT NULL) STRICT;
      CREATE TABLE roots (path TEXT PRIMARY KEY, added_at TEXT NOT NULL) STRICT;
      CREATE TABLE studies (
        study_uid TEXT PRIMARY KEY,
        patient_id TEXT NOT NULL,
        patient_name TEXT NOT NULL,
        study_date TEXT NOT NULL,
        description TEXT NOT NULL
      ) STRICT;
      CREATE TABLE series (
        series_uid TEXT PRIMARY KEY,
        study_uid TEXT NOT NULL REFERENCES studies(study_uid),
        description TEXT NOT NULL,
        modality TEXT NOT NULL,
        body_part TEXT NOT NULL,
        manufacturer TEXT NOT NULL,
        scanner_model TEXT NOT NULL,
        instance_count INTEGER NOT NULL,
        image_rows INTEGER NOT NULL,
        image_columns INTEGER NOT NULL,
        slice_count INTEGER NOT NULL,
        indexed_json TEXT NOT NULL,
        geometry_json TEXT,
        slice_thickness REAL,
        status TEXT NOT NULL CHECK (status IN (${SERIES_STATUSES})),
        score REAL,
        warnings_json TEXT NOT NULL,
        scope_warnings_json TEXT NOT NULL DEFAULT '[]',
        arrived_at TEXT NOT NULL,
        arrived_ms INTEGER NOT NULL,
        latest_run_id INTEGER REFERENCES model_runs(id),
        search TEXT NOT NULL
      ) STRICT;
      CREATE INDEX series_study ON series(study_uid);
      CREATE INDEX series_status_order ON series(status, score DESC, arrived_ms);
      CREATE INDEX series_order ON series(score DESC, arrived_ms);
      CREATE INDEX series_arrival ON series(arrived_ms);
      CREATE TABLE instances (
        series_uid TEXT NOT NULL REFERENCES series(series_uid) ON DELETE CASCADE,
        path TEXT NOT NULL,
        zip_entry TEXT NOT NULL DEFAULT '',
        sop_instance_uid TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime_ms REAL NOT NULL,
        PRIMARY KEY (series_uid, path, zip_entry)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE model_runs (
        id INTEGER PRIMARY KEY,
        series_uid TEXT NOT NULL REFERENCES series(series_uid),
        model_id TEXT NOT NULL,
        model_version TEXT NOT NULL,
        model_sha256 TEXT NOT NULL,
        threshold REAL NOT NULL,
        params_json TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        state TEXT NOT NULL CHECK (state IN ('running','complete','failed','skipped')),
        message TEXT,
        score REAL,
        seconds REAL,
        owner_pid INTEGER
      ) STRICT;
      CREATE INDEX model_runs_series ON model_runs(series_uid, id);
      CREATE TABLE findings (
        id INTEGER PRIMARY KEY,
        series_uid TEXT NOT NULL REFERENCES series(series_uid),
        run_id INTEGER REFERENCES model_runs(id),
        source TEXT NOT NULL CHECK (source IN ('model','reader')),
        added_by TEXT REFERENCES readers(name),
        score REAL,
        volume_mm3 REAL NOT NULL,
        diameter_mm REAL NOT NULL,
        center_x REAL NOT NULL,
        center_y REAL NOT NULL,
        center_z REAL NOT NULL,
        slice_first INTEGER NOT NULL,
        slice_last INTEGER NOT NULL,
        focus_slice INTEGER NOT NULL,
        focus_i INTEGER NOT NULL,
        focus_j INTEGER NOT NULL,
        retracted INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL
      ) STRICT;
      CREATE INDEX findings_series ON findings(series_uid, run_id);
      CREATE INDEX findings_run ON findings(run_id);
      CREATE TABLE mask_slices (
        finding_id INTEGER NOT NULL REFERENCES findings(id),
        kind TEXT NOT NULL CHECK (kind IN ('proposal','final')),
        reader TEXT NOT NULL,
        k INTEGER NOT NULL,
        runs BLOB NOT NULL,
        PRIMARY KEY (finding_id, kind, reader, k)
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE decisions (
        finding_id INTEGER NOT NULL REFERENCES findings(id),
        reader TEXT NOT NULL REFERENCES readers(name),
        kind TEXT NOT NULL CHECK (kind IN ('confirmed','rejected','corrected','added')),
        reason TEXT CHECK (reason IS NULL OR reason IN ('vessel','scar','artefact','benign','other')),
        note TEXT,
        at TEXT NOT NULL,
        PRIMARY KEY (finding_id, reader)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX decisions_reader ON decisions(reader, finding_id);
      CREATE TABLE audit_log (
        seq INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        reader TEXT,
        action TEXT NOT NULL,
        detail TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      ) STRICT;
      -- Append-only by construction; the hash chain catches whoever drops these triggers first.
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
      CREATE TABLE undo_actions (
        id INTEGER PRIMARY KEY,
        series_uid TEXT NOT NULL REFERENCES series(series_uid),
        reader TEXT NOT NULL,
        description TEXT NOT NULL,
        before_json TEXT NOT NULL,
        after_json TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('done','undone'))
      ) STRICT;
      CREATE INDEX undo_actions_stack ON undo_actions(series_uid, reader, state, id);
    `,
  },
  {
    version: 2,
    description: 'calibrated thresholds per model; probability maps per run and slice; run warnings',
    sql: `
      CREATE TABLE thresholds (
        model_id TEXT PRIMARY KEY,
        threshold REAL NOT NULL CHECK (threshold > 0 AND threshold <= 1),
        set_by TEXT NOT NULL REFERENCES readers(name),
        at TEXT NOT NULL
      ) STRICT;
      CREATE TABLE probability_slices (
        run_id INTEGER NOT NULL REFERENCES model_runs(id),
        k INTEGER NOT NULL,
        deflated BLOB NOT NULL,
        PRIMARY KEY (run_id, k)
      ) STRICT, WITHOUT ROWID;
      ALTER TABLE model_runs ADD COLUMN warnings_json TEXT NOT NULL DEFAULT '[]';
    `,
  },
  {
    version: 3,
    description: 'per-instance headers moved out of the series row, so worklist scans read small rows',
    // Measured: with the headers inline (tens of KiB per series, in overflow pages), counting 10,000 series
    // under a filter took 25–30 ms; the columns after them are read only by walking those pages.
    sql: `
      CREATE TABLE series_headers (
        series_uid TEXT PRIMARY KEY REFERENCES series(series_uid) ON DELETE CASCADE,
        indexed_json TEXT NOT NULL
      ) STRICT, WITHOUT ROWID;
      INSERT INTO series_headers (series_uid, indexed_json) SELECT series_uid, indexed_json FROM series;
      ALTER TABLE series DROP COLUMN indexed_json;
    `,
  },
  {
    version: 4,
    description: "the study's accession number, so the worklist can show and find it",
    // Studies imported before this version read '' until their folder is imported again (the upsert refreshes
    // it); their search text already holds the number, so the API's ?q= finds them meanwhile.
    sql: `ALTER TABLE studies ADD COLUMN accession_number TEXT NOT NULL DEFAULT '';`,
  },
  {
    version: 5,
    description:
      "a patient's studies by date, for the worklist's prior-study marker and the follow-up's priors",
    sql: `CREATE INDEX studies_patient ON studies(patient_id, study_date);`,
  },
  {
    version: 6,
    description:
      "each series' largest model finding, so that series whose scores tie (a map saturated at p = 1.0) rank the larger first",
    // Backfilled from each series' latest run; the worklist's two orders walk the new indexes as they walked
    // the old ones. NULL (no finding) sorts after every size under DESC.
    sql: `
      ALTER TABLE series ADD COLUMN largest_mm REAL;
      UPDATE series SET largest_mm =
        (SELECT max(f.diameter_mm) FROM findings f WHERE f.run_id = series.latest_run_id AND f.source = 'model');
      DROP INDEX series_status_order;
      DROP INDEX series_order;
      CREATE INDEX series_status_order ON series(status, score DESC, largest_mm DESC, arrived_ms);
      CREATE INDEX series_order ON series(score DESC, largest_mm DESC, arrived_ms);
    `,
  },
  {
    version: 7,
    description:
      'scores the worklist shows alike (≥ 0.9995, ">99.9%") tie, so that the largest finding ranks them',
    // Full-precision scores of saturated maps differ in the sixth decimal — noise the reader cannot see — so
    // the order indexes take the score capped at what the worklist shows (worklist-query.ts, RANK_SCORE).
    sql: `
      DROP INDEX series_status_order;
      DROP INDEX series_order;
      CREATE INDEX series_status_order ON series(status, min(score, 0.9995) DESC, largest_mm DESC, arrived_ms);
      CREATE INDEX series_order ON series(min(score, 0.9995) DESC, largest_mm DESC, arrived_ms);
    `,
  },
  {
    version: 8,
    description:
      "each follow-up's registration with its prior, kept across restarts (the worklist asks for every follow-up's)",
    // Keyed by the method that found it, so a changed search is not answered by an old one; a series imported
    // again drops its registrations (series-records.ts), since its slices may differ.
    sql: `
      CREATE TABLE registrations (
        series_uid TEXT NOT NULL REFERENCES series(series_uid),
        prior_uid TEXT NOT NULL REFERENCES series(series_uid),
        method TEXT NOT NULL,
        tx REAL NOT NULL,
        ty REAL NOT NULL,
        tz REAL NOT NULL,
        correlation REAL NOT NULL,
        overlap REAL NOT NULL,
        cell_mm REAL NOT NULL,
        seconds REAL NOT NULL,
        PRIMARY KEY (series_uid, prior_uid, method)
      ) STRICT;
      CREATE INDEX registrations_prior ON registrations(prior_uid);
    `,
  },
];

export const LATEST_SCHEMA_VERSION = migrations[migrations.length - 1].version;

export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/** Applies every migration above the file's version, up to `target` (tests build older files this way). */
export function migrate(db: Database.Database, file: string, target = LATEST_SCHEMA_VERSION): number {
  const current = schemaVersion(db);
  if (current > LATEST_SCHEMA_VERSION) {
    throw new Error(
      `dataset ${file} has schema version ${current}, newer than this Overread understands ` +
        `(${LATEST_SCHEMA_VERSION}) — update Overread, or open a different --db file`,
    );
  }
  for (const migration of migrations) {
    if (migration.version <= current || migration.version > target) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      // PRAGMA takes no bound parameters; the version is our own integer constant.
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return schemaVersion(db);
}
