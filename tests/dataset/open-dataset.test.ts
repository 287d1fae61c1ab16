import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultDatasetPath, openDataset, openDatasetConnection } from '../../src/dataset/open-dataset.ts';
import { indexDicom } from '../../src/dicom/index/index.ts';
import { seriesGeometry } from '../../src/dicom/index/series-geometry.ts';
import type { VolumeGeometry } from '../../src/dicom/volume.ts';
import { sampleStudy } from '../helpers/sample-study.ts';
import { syntheticStudy, tempDir } from './dataset-fixtures.ts';

test('creates the folder and file; a run for an unknown series is refused', () => {
  const t = tempDir();
  try {
    const store = openDataset(join(t.dir, 'nested', 'overread.sqlite'));
    store.close();
    const reopened = openDataset(join(t.dir, 'nested', 'overread.sqlite'));
    const { study, geometry } = syntheticStudy('1.9', { patientId: 'P', patientName: 'N' }, [
      { seriesUid: '1.9.1' },
    ]);
    reopened.importStudy(study, geometry);
    // A run for a series that is not there is refused by the foreign key, not stored dangling.
    assert.throws(
      () => reopened.startRun('1.9.404', { id: 'm', version: '1', sha256: 'x' }, 0.5, {}),
      /not in the dataset/,
    );
    reopened.close();
  } finally {
    t.remove();
  }
});

test('the store connection runs WAL with synchronous=FULL, foreign keys and a busy timeout', () => {
  const t = tempDir();
  try {
    const db = openDatasetConnection(join(t.dir, 'd.sqlite'));
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(db.pragma('synchronous', { simple: true }), 2, 'synchronous=FULL is 2');
    assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
    assert.equal(db.pragma('busy_timeout', { simple: true }), 5000);
    db.close();
  } finally {
    t.remove();
  }
});

test('default location is the per-user app-data folder of each OS', () => {
  assert.equal(
    defaultDatasetPath({ XDG_DATA_HOME: '/x/data' }, 'linux', '/home/a'),
    '/x/data/overread/overread-dataset.sqlite',
  );
  assert.equal(
    defaultDatasetPath({}, 'linux', '/home/a'),
    '/home/a/.local/share/overread/overread-dataset.sqlite',
  );
  // A relative XDG_DATA_HOME is to be ignored (XDG base directory spec).
  assert.equal(
    defaultDatasetPath({ XDG_DATA_HOME: 'rel' }, 'linux', '/home/a'),
    '/home/a/.local/share/overread/overread-dataset.sqlite',
  );
  assert.equal(
    defaultDatasetPath({}, 'darwin', '/Users/a'),
    '/Users/a/Library/Application Support/overread/overread-dataset.sqlite',
  );
  assert.equal(
    defaultDatasetPath({ APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'win32', 'C:\\Users\\a'),
    'C:\\Users\\a\\AppData\\Roaming\\overread\\overread-dataset.sqlite',
  );
});

test('refuses a file that is not SQLite, naming it', () => {
  const t = tempDir();
  try {
    const file = join(t.dir, 'notes.txt');
    writeFileSync(file, 'these are not the labels you are looking for '.repeat(200));
    assert.throws(() => openDataset(file), /is not an Overread dataset/);
  } finally {
    t.remove();
  }
});

test('imports a real indexed study; changedFiles notices a rewritten and a moved file', async () => {
  const sample = sampleStudy({ seed: 'dataset-import', slices: 12, size: 64, nodules: 1 });
  const t = tempDir();
  try {
    const copy = join(t.dir, 'study');
    cpSync(sample.dir, copy, { recursive: true });
    const index = await indexDicom([copy]);
    assert.equal(index.studies.length, 1);
    const study = index.studies[0];
    const geometry = new Map<string, VolumeGeometry | null>(
      study.series.map((s) => [s.seriesInstanceUid, seriesGeometry(s)]),
    );
    const store = openDataset(join(t.dir, 'd.sqlite'));
    store.addRoot(copy);
    assert.deepEqual(store.roots(), [copy]);
    const [uid] = store.importStudy(study, geometry);
    const stored = store.series(uid)!;
    assert.equal(stored.patientId, study.patientId);
    assert.equal(stored.instances, 12);
    assert.equal(stored.status, 'unread');
    assert.deepEqual(stored.geometry, geometry.get(uid));
    assert.equal(stored.indexed.frames.length, 12);
    assert.deepEqual(store.changedFiles(uid), []);

    const frames = stored.indexed.frames;
    appendFileSync(frames[3].path, Buffer.from([0]));
    renameSync(frames[7].path, `${frames[7].path}.moved`);
    const changed = store.changedFiles(uid);
    assert.deepEqual(
      changed.map((c) => [c.path, c.reason]).sort(),
      [
        [frames[3].path, 'changed'],
        [frames[7].path, 'missing'],
      ].sort(),
    );

    // Re-importing refreshes the files but keeps arrival time and status.
    store.setStatus(uid, 'in-review', null);
    const again = await indexDicom([copy]);
    store.importStudy(again.studies[0], geometry);
    assert.equal(store.series(uid)!.status, 'in-review');
    assert.equal(store.series(uid)!.arrivedAt, stored.arrivedAt);
    assert.deepEqual(store.changedFiles(uid), []);
    store.close();
  } finally {
    t.remove();
  }
});

test('the indexed headers are read lazily and never serialised with a series', () => {
  const t = tempDir();
  try {
    const store = openDataset(join(t.dir, 'd.sqlite'));
    const { study, geometry } = syntheticStudy('1.8', { patientId: 'P8', patientName: 'Doe^J' }, [
      { seriesUid: '1.8.1', slices: 30 },
    ]);
    store.importStudy(study, geometry);
    const series = store.series('1.8.1')!;
    assert.ok(!('indexed' in JSON.parse(JSON.stringify(series))));
    assert.equal(series.indexed.instances.length, 30);
    store.close();
  } finally {
    t.remove();
  }
});
