import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { LATEST_SCHEMA_VERSION, migrate, migrations } from '../../src/dataset/dataset-schema.ts';
import { appendAudit } from '../../src/dataset/audit-chain.ts';
import { encodeMaskSlice } from '../../src/dataset/mask-codec.ts';
import { createStoreContext } from '../../src/dataset/store-context.ts';
import { openDataset } from '../../src/dataset/open-dataset.ts';
import { geometryOf, MODEL, tempDir } from './dataset-fixtures.ts';

/** Rows every schema version since 1 can hold, written with that version's SQL (not the current store). */
function fillVersion1(db: Database.Database): void {
  const ctx = createStoreContext(db, 'old.sqlite', () => new Date('2025-03-01T08:00:00Z'));
  const at = '2025-03-01T08:00:00.000Z';
  db.transaction(() => {
    db.prepare('INSERT INTO readers VALUES (?, ?)').run('alice', at);
    db.prepare('INSERT INTO studies VALUES (?, ?, ?, ?, ?)').run(
      '1.5',
      'P5',
      'Roe^R',
      '20250301',
      'CT CHEST',
    );
    db.prepare(
      `INSERT INTO series (series_uid, study_uid, description, modality, body_part, manufacturer, scanner_model,
         instance_count, image_rows, image_columns, slice_count, indexed_json, geometry_json, slice_thickness,
         status, score, warnings_json, arrived_at, arrived_ms, search)
       VALUES ('1.5.1', '1.5', 'AX', 'CT', 'CHEST', 'ACME', 'S9', 4, 8, 8, 4, ?, ?, 1.25, 'flagged', 0.8, '[]', ?, ?, 'p5')`,
    ).run(
      JSON.stringify({ seriesInstanceUid: '1.5.1', frames: [{ path: '/old/1.dcm' }] }),
      JSON.stringify(geometryOf(8, 8, 4)),
      at,
      Date.parse(at),
    );
    db.prepare(
      `INSERT INTO model_runs (id, series_uid, model_id, model_version, model_sha256, threshold, params_json,
         started_at, finished_at, state, score, seconds) VALUES (1, '1.5.1', ?, ?, ?, 0.5, '{"batch":2}', ?, ?, 'complete', 0.8, 2)`,
    ).run(MODEL.id, MODEL.version, MODEL.sha256, at, at);
    db.prepare(`UPDATE series SET latest_run_id = 1`).run();
    db.prepare(
      `INSERT INTO findings (id, series_uid, run_id, source, score, volume_mm3, diameter_mm, center_x, center_y,
         center_z, slice_first, slice_last, focus_slice, focus_i, focus_j, created_at)
       VALUES (7, '1.5.1', 1, 'model', 0.8, 3, 2, 0, 0, 0, 1, 1, 1, 2, 2, ?)`,
    ).run(at);
    const mask = new Uint8Array(64);
    mask[18] = mask[19] = 1;
    db.prepare(`INSERT INTO mask_slices VALUES (7, 'proposal', '', 1, ?)`).run(encodeMaskSlice(mask));
    db.prepare(`INSERT INTO decisions VALUES (7, 'alice', 'rejected', 'scar', NULL, ?)`).run(at);
    appendAudit(ctx, null, 'import', { studyUid: '1.5', series: ['1.5.1'], instances: 4 });
    appendAudit(ctx, 'alice', 'decide', {
      findingId: 7,
      seriesUid: '1.5.1',
      kind: 'rejected',
      reason: 'scar',
    });
  }).immediate();
}

test('migrations are numbered 1, 2, … with no gaps', () => {
  assert.deepEqual(
    migrations.map((m) => m.version),
    migrations.map((_, n) => n + 1),
  );
  assert.ok(LATEST_SCHEMA_VERSION >= 2);
});

for (let from = 0; from < LATEST_SCHEMA_VERSION; from++) {
  test(`a dataset at schema version ${from} opens at ${LATEST_SCHEMA_VERSION} with its data intact`, () => {
    const t = tempDir();
    try {
      const file = join(t.dir, 'old.sqlite');
      const db = new Database(file);
      db.pragma('journal_mode = WAL');
      db.pragma('foreign_keys = ON');
      // Rows written as version 1 wrote them, then the file taken up to `from` by the migrations of the day.
      assert.equal(migrate(db, file, Math.min(from, 1)), Math.min(from, 1));
      if (from >= 1) fillVersion1(db);
      assert.equal(migrate(db, file, from), from);
      db.close();

      const store = openDataset(file);
      assert.equal(store.schemaVersion, LATEST_SCHEMA_VERSION);
      if (from >= 1) {
        const series = store.series('1.5.1')!;
        assert.equal(series.status, 'flagged');
        assert.equal(series.score, 0.8);
        assert.equal(series.latestRunId, 1);
        assert.deepEqual(series.indexed.frames, [{ path: '/old/1.dcm' }], 'headers moved by version 3');
        assert.equal(series.accessionNumber, '', 'version 4: known once the folder is imported again');
        const [finding] = store.findings('1.5.1', 'alice');
        assert.equal(finding.id, 7);
        assert.deepEqual(finding.decision, {
          kind: 'rejected',
          reason: 'scar',
          note: null,
          reader: 'alice',
          at: '2025-03-01T08:00:00.000Z',
        });
        assert.deepEqual([...store.maskVoxels(7, 'proposal')], [64 + 18, 64 + 19]);
        assert.deepEqual(store.run(1)!.params, { batch: 2 });
        assert.equal(store.run(1)!.state, 'complete');
        assert.deepEqual(store.verifyAudit(), { ok: true, entries: 2 });
      }
      if (from >= 1) {
        // Version 6 backfilled the series' largest finding from its latest run (the worklist's tie-break).
        const raw = new Database(file, { readonly: true });
        const { largest } = raw.prepare(`SELECT largest_mm AS largest FROM series`).get() as {
          largest: number;
        };
        raw.close();
        assert.equal(largest, 2);
      }
      // What the newest version added works on the migrated file.
      store.addReader('alice');
      assert.equal(store.saveThreshold(MODEL.id, 0.42, 'alice').threshold, 0.42);
      assert.equal(store.threshold(MODEL.id)!.setBy, 'alice');
      assert.equal(store.verifyAudit().ok, true);
      store.close();
    } finally {
      t.remove();
    }
  });
}

test('a dataset from a newer Overread is refused, not downgraded', () => {
  const t = tempDir();
  try {
    const file = join(t.dir, 'new.sqlite');
    const db = new Database(file);
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 1}`);
    db.close();
    assert.throws(() => openDataset(file), /newer than this Overread understands.*update Overread/);
  } finally {
    t.remove();
  }
});
