// What the API acknowledged survives a power-cut-like kill: `overread serve` is killed with SIGKILL while four
// clients add findings and correct their masks over HTTP; reopened, the dataset holds every finding and mask
// the server had answered 2xx for, passes PRAGMA integrity_check, and its audit chain verifies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { openDataset } from '../../src/dataset/open-dataset.ts';
import type { FindingInfo, Job } from '../../src/shared/api-types.ts';
import { sampleStudy } from '../helpers/sample-study.ts';

const SIZE = 64;
const SLICES = 12;
const TARGET = 120;

function square(n: number): Uint8Array {
  const mask = new Uint8Array(SIZE * SIZE);
  const x = (n * 7) % (SIZE - 4);
  const y = (n * 13) % (SIZE - 4);
  for (let j = y; j < y + 3; j++) for (let i = x; i < x + 3; i++) mask[i + j * SIZE] = 1;
  return mask;
}

test('every change the server acknowledged survives SIGKILL', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'overread-serve-crash-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, 'overread.db');
  const study = sampleStudy({ seed: 'api-crash', size: SIZE, slices: SLICES });
  const uid = study.truth.seriesInstanceUid;
  const child = spawn(
    process.execPath,
    ['bin/overread.js', 'serve', '--db', db, '--port', '0', '--reader', 'crash-reader'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  t.after(() => child.kill('SIGKILL'));
  const url = new URL(
    await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
    }),
  );
  const headers = { authorization: `Bearer ${url.searchParams.get('token')}` };
  const post = (path: string, body: unknown) =>
    fetch(`${url.origin}${path}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  const job = (await (await post('/api/import', { paths: [study.dir] })).json()) as Job;
  await (await fetch(`${url.origin}/api/jobs/${job.id}/events`, { headers })).text();

  const added: number[] = [];
  const corrected: { id: number; k: number; mask: Uint8Array }[] = [];
  let killed = false;
  const client = async (c: number) => {
    for (let n = c; !killed; n += 4) {
      try {
        const k = n % SLICES;
        const response = await post(`/api/series/${uid}/findings`, {
          slice: k,
          maskBase64: Buffer.from(square(n)).toString('base64'),
        });
        if (response.status !== 201)
          throw new Error(`add answered ${response.status}: ${await response.text()}`);
        const finding = (await response.json()) as FindingInfo;
        added.push(finding.id);
        const mask = square(n + 1);
        const put = await fetch(`${url.origin}/api/findings/${finding.id}/mask/${k}`, {
          method: 'PUT',
          headers: { ...headers, 'content-type': 'application/octet-stream' },
          body: mask as Uint8Array<ArrayBuffer>,
        });
        if (put.ok) corrected.push({ id: finding.id, k, mask });
        else throw new Error(`mask answered ${put.status}`);
        if (added.length >= TARGET && !killed) {
          killed = true;
          child.kill('SIGKILL'); // while the other three clients still have requests in flight
        }
      } catch (error) {
        if (!killed) throw error;
      }
    }
  };
  await Promise.all([0, 1, 2, 3].map(client));
  assert.equal(await exited, 'SIGKILL');

  const raw = new Database(db, { readonly: true });
  assert.equal(raw.pragma('integrity_check', { simple: true }), 'ok');
  raw.close();
  const store = openDataset(db);
  try {
    for (const id of added) assert.equal(store.finding(id)?.source, 'reader', `finding ${id} was lost`);
    for (const { id, k, mask } of corrected) {
      assert.deepEqual(
        store.maskSlice(id, k, 'final', 'crash-reader'),
        mask,
        `the correction of finding ${id} was lost`,
      );
    }
    assert.ok(added.length >= TARGET && corrected.length >= TARGET - 4);
    const audit = store.verifyAudit();
    assert.equal(audit.ok, true, JSON.stringify(audit.brokenAt));
  } finally {
    store.close();
  }
});
