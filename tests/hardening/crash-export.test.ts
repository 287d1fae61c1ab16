// SIGKILL during an export job, through the real app process: `overread serve` exports reviewed series as
// nnU-Net and DICOM SEG with de-identified image copies, and is killed once after the first case is written and
// once while the findings table and manifest are written. Neither leaves a folder that looks complete: the
// final folder either does not exist or every file in it matches manifest.json's sha256 (nothing more, nothing
// less); only `<out>.partial-…` folders remain. Restarted, the same export to the same folder completes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import type { ExportRequest, Job } from '../../src/shared/api-types.ts';
import { sampleStudy } from '../helpers/sample-study.ts';
import { integrityCheck, serve, type Served } from './crash-serve.ts';

const SIZE = 96;
const SLICES = 16;
const SEEDS = ['crash-export-1', 'crash-export-2', 'crash-export-3', 'crash-export-4'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

/** The folder is a complete export: manifest.json lists exactly the other files, each with its sha256. */
function assertVerifies(dir: string): number {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as {
    files: { path: string; bytes: number; sha256: string }[];
  };
  assert.deepEqual(
    manifest.files.map((f) => f.path).sort(),
    filesUnder(dir).filter((p) => p !== 'manifest.json'),
    `${dir} holds files the manifest does not list, or lacks some it lists`,
  );
  for (const file of manifest.files) {
    const bytes = readFileSync(join(dir, file.path));
    assert.equal(bytes.length, file.bytes, file.path);
    assert.equal(createHash('sha256').update(bytes).digest('hex'), file.sha256, file.path);
  }
  return manifest.files.length;
}

/** After a kill: each final folder is absent or verifies; anything else there is a `.partial-` folder. */
function assertNothingLooksComplete(parent: string, names: string[]): void {
  for (const entry of readdirSync(parent)) {
    if (names.includes(entry)) assertVerifies(join(parent, entry));
    else assert.ok(/^[a-z]+\.partial-[0-9a-f]+$/.test(entry), `unexpected ${entry} beside the exports`);
  }
}

test('an export killed midway never leaves a folder that looks complete', { timeout: 300_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'overread-crash-export-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, 'overread.db');
  const exports = join(dir, 'exports');
  const args = ['--reader', 'crash-reader'];
  const studies = SEEDS.map((seed) => sampleStudy({ seed, size: SIZE, slices: SLICES }));

  const first = await serve(db, args);
  t.after(() => first.kill());
  const imported = await first.json<Job>('POST', '/api/import', { paths: studies.map((s) => s.dir) });
  assert.equal((await first.follow(imported.id)).state, 'done');
  for (const study of studies) {
    const uid = study.truth.seriesInstanceUid;
    const mask = new Uint8Array(SIZE * SIZE);
    for (let j = 40; j < 48; j++) mask.fill(1, j * SIZE + 40, j * SIZE + 48);
    await first.json('POST', `/api/series/${uid}/findings`, {
      slice: SLICES / 2,
      maskBase64: Buffer.from(mask).toString('base64'),
    });
    await first.json('POST', `/api/series/${uid}/status`, { status: 'done' });
  }

  const rounds: { name: string; request: ExportRequest; killWhen: (job: Job) => boolean }[] = [
    {
      name: 'nnunet',
      request: { format: 'nnunet', outDir: join(exports, 'nnunet') },
      killWhen: (job) => job.done >= 1,
    },
    {
      name: 'seg',
      request: { format: 'dicom-seg', outDir: join(exports, 'seg'), deidentify: true },
      killWhen: (job) => /manifest/.test(job.message),
    },
  ];
  let server: Served = first;
  for (const round of rounds) {
    const job = await server.json<Job>('POST', '/api/export', round.request);
    const seen = await server.follow(job.id, (j) => round.killWhen(j) || j.state !== 'running');
    assert.equal(seen.state, 'running', `${round.name}: the export ended before the kill: ${seen.message}`);
    assert.equal(await server.kill(), 'SIGKILL');
    assert.ok(existsSync(exports));
    assertNothingLooksComplete(
      exports,
      rounds.map((r) => r.name),
    );
    assert.equal(integrityCheck(db), 'ok');
    server = await serve(db, args);
    t.after(() => server.kill());
  }

  // Restarted: the same exports into the same folders complete and verify.
  for (const round of rounds) {
    const job = await server.json<Job>('POST', '/api/export', round.request);
    const done = await server.follow(job.id);
    assert.equal(done.state, 'done', done.message);
    assert.ok(assertVerifies(round.request.outDir) > SEEDS.length, `${round.name} holds its cases`);
  }
  await server.stop();
});
