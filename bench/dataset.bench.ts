// `npm run bench -- dataset [--decisions 400] [--series 10000] [--slices 200]`: the labeled-dataset store
// beside bare better-sqlite3 doing the least that could be called the same operation, in the same run, on the
// same disk, with the same pragmas (WAL, synchronous=FULL):
// - a decision: ours is decide() (validation, the decision row, the undo entry, the chained audit entry, one
//   BEGIN IMMEDIATE commit); bare is one INSERT OR REPLACE of the decision row in its own commit.
// - a worklist page (50 rows) over N series: ours is worklist() (count, starvation-capped order, study join,
//   finding counts); bare is SELECT … ORDER BY score DESC LIMIT 50 on a one-table copy of the same series.
// - a 512×512 mask slice written / read: ours is correctMaskSlice() / maskSlice() (run-length codec, undo,
//   audit); bare writes / reads the raw 256 KiB 0/1 slice as one blob.
// Then the API bench (bench/api.bench.ts) runs with the same options: the same operations through the handler
// and over HTTP, beside the store call alone.
import { mkdtempSync, rmSync } from 'node:fs';
import { run as runApiBench } from './api.bench.ts';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { printTable } from './report.ts';
import { openDataset } from '../src/dataset/open-dataset.ts';
import type { DatasetStore } from '../src/dataset/dataset-types.ts';
import {
  ballFinding,
  importManySeries,
  MODEL,
  SERIES_PER_STUDY,
  outcomeOf,
  syntheticStudy,
} from '../tests/dataset/dataset-fixtures.ts';

function bareDatabase(file: string): Database.Database {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  return db;
}

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

function bestOf(runs: number, fn: () => void): number {
  let best = Infinity;
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint();
    fn();
    best = Math.min(best, seconds(start));
  }
  return best;
}

/** A store with one series of `count` model findings, and the reader 'bench'. */
function decisionStore(file: string, count: number): { store: DatasetStore; ids: number[] } {
  const store = openDataset(file);
  const size: [number, number, number] = [512, 512, 200];
  const { study, geometry } = syntheticStudy('9.1', { patientId: 'B', patientName: 'B' }, [
    { seriesUid: '9.1.1', rows: 512, columns: 512, slices: 200 },
  ]);
  store.importStudy(study, geometry);
  store.addReader('bench');
  const findings = Array.from({ length: count }, (_, n) =>
    ballFinding(n + 1, size, [10 + (n % 49) * 10, 10 + Math.floor(n / 49) * 10, n % 200], 2, 0.9),
  );
  const runId = store.startRun('9.1.1', MODEL, 0.5, {});
  const ids = store
    .finishRun(runId, { ...outcomeOf(size, findings), probability: new Uint8Array(0) })
    .map((f) => f.id);
  return { store, ids };
}

function benchDecisions(dir: string, count: number) {
  const { store, ids } = decisionStore(path.join(dir, 'decide.sqlite'), count);
  let start = process.hrtime.bigint();
  ids.forEach((id, n) =>
    store.decide(id, 'bench', n % 2 ? { kind: 'rejected', reason: 'vessel' } : { kind: 'confirmed' }),
  );
  const ours = count / seconds(start);
  store.close();

  const db = bareDatabase(path.join(dir, 'decide-bare.sqlite'));
  db.exec(`CREATE TABLE decisions (finding_id INTEGER, reader TEXT, kind TEXT, reason TEXT, note TEXT, at TEXT,
    PRIMARY KEY (finding_id, reader)) WITHOUT ROWID`);
  const insert = db.prepare('INSERT OR REPLACE INTO decisions VALUES (?, ?, ?, ?, NULL, ?)');
  start = process.hrtime.bigint();
  for (let n = 0; n < count; n++) {
    insert.run(
      n,
      'bench',
      n % 2 ? 'rejected' : 'confirmed',
      n % 2 ? 'vessel' : null,
      new Date().toISOString(),
    );
  }
  const bare = count / seconds(start);
  db.close();
  return { ours, bare };
}

function benchWorklist(dir: string, seriesCount: number) {
  const file = path.join(dir, 'worklist.sqlite');
  let clock = new Date('2025-01-01T00:00:00Z');
  const store = openDataset(file, { now: () => clock });
  const perStudy = SERIES_PER_STUDY;
  importManySeries(store, seriesCount, (s) => {
    clock = new Date(Date.parse('2025-01-01T00:00:00Z') + s * 3_600_000);
  });
  const size: [number, number, number] = [16, 16, 4];
  for (let n = 0; n < seriesCount / 10; n++) {
    const uid = `8.${n % (seriesCount / perStudy)}.${Math.floor(n / (seriesCount / perStudy)) % perStudy}`;
    const score = ((n * 7919) % 1000) / 1000;
    store.finishRun(store.startRun(uid, MODEL, 0.5, {}), {
      ...outcomeOf(size, [ballFinding(1, size, [3, 8, 2], 1, score)]),
      score,
    });
  }
  const now = new Date(clock.getTime() + 48 * 3_600_000);
  const ours = bestOf(20, () => store.worklist({ now, limit: 50 }));
  store.close();

  const db = bareDatabase(path.join(dir, 'worklist-bare.sqlite'));
  db.exec(`CREATE TABLE series (series_uid TEXT PRIMARY KEY, patient_id TEXT, patient_name TEXT,
    description TEXT, modality TEXT, status TEXT, score REAL, arrived_ms INTEGER)`);
  db.exec('CREATE INDEX series_score ON series(score DESC)');
  const insert = db.prepare('INSERT INTO series VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (let n = 0; n < seriesCount; n++) {
      insert.run(`8.${n}`, `P${n}`, `N^${n}`, 'AX', 'CT', 'unread', n % 10 ? null : Math.random(), n);
    }
  })();
  const page = db.prepare('SELECT * FROM series ORDER BY score DESC LIMIT 50');
  const count = db.prepare('SELECT count(*) FROM series');
  const bare = bestOf(20, () => {
    count.get();
    page.all();
  });
  db.close();
  return { ours, bare };
}

function benchMasks(dir: string, slices: number) {
  const { store, ids } = decisionStore(path.join(dir, 'masks.sqlite'), 1);
  const plane = 512 * 512;
  const masks = Array.from({ length: slices }, (_, k) => {
    const mask = new Uint8Array(plane);
    for (let j = 200; j < 240 + (k % 20); j++) mask.fill(1, j * 512 + 200, j * 512 + 230 + (k % 15));
    return mask;
  });
  let start = process.hrtime.bigint();
  masks.forEach((mask, k) => store.correctMaskSlice(ids[0], 'bench', k, mask));
  const oursWrite = seconds(start) / slices;
  start = process.hrtime.bigint();
  for (let k = 0; k < slices; k++) store.maskSlice(ids[0], k, 'final', 'bench');
  const oursRead = seconds(start) / slices;
  store.close();

  const db = bareDatabase(path.join(dir, 'masks-bare.sqlite'));
  db.exec(
    'CREATE TABLE masks (finding_id INTEGER, k INTEGER, bytes BLOB, PRIMARY KEY (finding_id, k)) WITHOUT ROWID',
  );
  const insert = db.prepare('INSERT OR REPLACE INTO masks VALUES (1, ?, ?)');
  const select = db.prepare('SELECT bytes FROM masks WHERE finding_id = 1 AND k = ?').pluck();
  start = process.hrtime.bigint();
  masks.forEach((mask, k) => insert.run(k, mask));
  const bareWrite = seconds(start) / slices;
  start = process.hrtime.bigint();
  for (let k = 0; k < slices; k++) select.get(k);
  const bareRead = seconds(start) / slices;
  db.close();
  return { oursWrite, oursRead, bareWrite, bareRead };
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { decisions: { type: 'string' }, series: { type: 'string' }, slices: { type: 'string' } },
  });
  const decisions = Number(values.decisions ?? 400);
  const seriesCount = Number(values.series ?? 10_000);
  const slices = Number(values.slices ?? 200);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'overread-bench-dataset-'));
  try {
    console.error(`deciding ${decisions} findings…`);
    const decide = benchDecisions(dir, decisions);
    console.error(`seeding ${seriesCount} series…`);
    const worklist = benchWorklist(dir, seriesCount);
    console.error(`writing and reading ${slices} mask slices…`);
    const masks = benchMasks(dir, slices);
    const bare = 'bare better-sqlite3 (same pragmas)';
    printTable(`Dataset store (SQLite WAL, synchronous=FULL, on ${os.tmpdir()})`, [
      {
        what: 'decisions committed (each its own transaction)',
        unit: 'decisions/s',
        ours: decide.ours,
        reference: decide.bare,
        referenceName: `${bare}: one INSERT per commit`,
        higherIsBetter: true,
        goal: 'within 2× of bare (a reader clicks ≤ 2/s)',
      },
      {
        what: `worklist page of 50 over ${seriesCount.toLocaleString('en')} series`,
        unit: 'ms',
        ours: worklist.ours * 1000,
        reference: worklist.bare * 1000,
        referenceName: `${bare}: count + ORDER BY score LIMIT 50, one table`,
        higherIsBetter: false,
        goal: '< 50 ms',
      },
      {
        what: 'mask slice 512×512 written (correction)',
        unit: 'ms/slice',
        ours: masks.oursWrite * 1000,
        reference: masks.bareWrite * 1000,
        referenceName: `${bare}: raw 256 KiB blob per commit`,
        higherIsBetter: false,
        goal: '< 20 ms',
      },
      {
        what: 'mask slice 512×512 read',
        unit: 'ms/slice',
        ours: masks.oursRead * 1000,
        reference: masks.bareRead * 1000,
        referenceName: `${bare}: raw 256 KiB blob`,
        higherIsBetter: false,
        goal: '< 5 ms (scrolling)',
      },
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // The same operations through the API (handler and HTTP) beside the store call, in this same run: with the
  // table above, each figure is tied to bare SQLite through the store.
  await runApiBench(argv);
}
