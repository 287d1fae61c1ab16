// SIGKILL during review writes, through the real app process: four HTTP clients fire hundreds of confirm /
// reject decisions and mask-slice PUTs at `overread serve`, each remembering which requests got a 2xx, and the
// server is killed while requests are in flight. Restarted on the same dataset: integrity_check is ok, every
// finding shows the last decision and mask its client had acknowledged (or the one still in flight, which
// may have committed just before the kill — never an older one), and the audit chain verifies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDataset } from '../../src/dataset/open-dataset.ts';
import type { FindingInfo, Job } from '../../src/shared/api-types.ts';
import { sampleStudy } from '../helpers/sample-study.ts';
import { integrityCheck, serve } from './crash-serve.ts';

const SIZE = 64;
const SLICES = 12;
const FINDINGS = 48; // half take decisions, half mask corrections (a mask edit turns a decision 'corrected')
const CLIENTS = 4;
const TARGET = 400; // acknowledged writes before the kill

function square(n: number): Uint8Array {
  const mask = new Uint8Array(SIZE * SIZE);
  const x = (n * 7) % (SIZE - 5);
  const y = (n * 13) % (SIZE - 5);
  for (let j = y; j < y + 4; j++) for (let i = x; i < x + 4; i++) mask[i + j * SIZE] = 1;
  return mask;
}

interface Tracked {
  id: number;
  k: number;
  /** The op number of the last acknowledged write, and of the one in flight at the kill. */
  acked?: number;
  inFlight?: number;
}

test('every decision and mask the server acknowledged survives SIGKILL', { timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'overread-crash-review-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, 'overread.db');
  const study = sampleStudy({ seed: 'crash-review', size: SIZE, slices: SLICES });
  const uid = study.truth.seriesInstanceUid;
  const args = ['--reader', 'crash-reader'];

  const first = await serve(db, args);
  t.after(() => first.kill());
  const imported = await first.json<Job>('POST', '/api/import', { paths: [study.dir] });
  assert.equal((await first.follow(imported.id)).state, 'done');
  const decided: Tracked[] = [];
  const masked: Tracked[] = [];
  for (let n = 0; n < FINDINGS; n++) {
    const k = n % SLICES;
    const finding = await first.json<FindingInfo>('POST', `/api/series/${uid}/findings`, {
      slice: k,
      maskBase64: Buffer.from(square(1000 + n)).toString('base64'),
    });
    (n % 2 === 0 ? decided : masked).push({ id: finding.id, k });
  }

  let acked = 0;
  let killed = false;
  let killing: Promise<NodeJS.Signals | null> | undefined;
  const client = async (c: number) => {
    const mine = {
      decided: decided.filter((_, i) => i % CLIENTS === c),
      masked: masked.filter((_, i) => i % CLIENTS === c),
    };
    for (let i = 0; !killed; i++) {
      const n = c + CLIENTS * i; // op numbers are unique across clients
      const decide = i % 2 === 0;
      const list = decide ? mine.decided : mine.masked;
      const target = list[Math.floor(i / 2) % list.length]!;
      target.inFlight = n;
      try {
        const response = decide
          ? await first.call(
              'POST',
              `/api/findings/${target.id}/decision`,
              n % 3 === 0
                ? { kind: 'rejected', reason: 'vessel', note: `op ${n}` }
                : { kind: 'confirmed', note: `op ${n}` },
            )
          : await first.call('PUT', `/api/findings/${target.id}/mask/${target.k}`, square(n));
        if (!response.ok) throw new Error(`op ${n} answered ${response.status}: ${await response.text()}`);
        await response.arrayBuffer();
        target.acked = n;
        target.inFlight = undefined;
        if (++acked >= TARGET && !killed) {
          killed = true;
          killing = first.kill(); // the other clients still have requests in flight
        }
      } catch (error) {
        if (!killed) throw error;
      }
    }
  };
  await Promise.all([...Array(CLIENTS).keys()].map(client));
  assert.equal(await killing, 'SIGKILL');
  assert.ok(acked >= TARGET);
  const inFlight = [...decided, ...masked].filter((f) => f.inFlight !== undefined).length;
  t.diagnostic(`${acked} writes acknowledged before the kill, ${inFlight} in flight`);
  assert.equal(integrityCheck(db), 'ok');

  const second = await serve(db, args);
  t.after(() => second.kill());
  const findings = await second.json<FindingInfo[]>('GET', `/api/series/${uid}/findings`);
  const byId = new Map(findings.map((f) => [f.id, f]));
  let checked = 0;
  for (const target of decided) {
    if (target.acked === undefined) continue;
    const note = byId.get(target.id)?.decision?.note;
    const allowed = [
      `op ${target.acked}`,
      ...(target.inFlight === undefined ? [] : [`op ${target.inFlight}`]),
    ];
    assert.ok(
      allowed.includes(note ?? ''),
      `finding ${target.id}: decision "${note}", acknowledged ${allowed[0]}`,
    );
    checked++;
  }
  for (const target of masked) {
    if (target.acked === undefined) continue;
    const response = await second.call('GET', `/api/findings/${target.id}/mask/${target.k}`);
    assert.equal(response.status, 200);
    const mask = new Uint8Array(await response.arrayBuffer());
    const allowed = [target.acked, ...(target.inFlight === undefined ? [] : [target.inFlight])];
    assert.ok(
      allowed.some((n) => Buffer.from(square(n)).equals(Buffer.from(mask))),
      `finding ${target.id}: the mask is not the acknowledged op ${target.acked}`,
    );
    checked++;
  }
  assert.equal(checked, FINDINGS, 'every finding got at least one acknowledged write');
  await second.stop();

  const store = openDataset(db);
  try {
    const audit = store.verifyAudit();
    assert.equal(audit.ok, true, JSON.stringify(audit.brokenAt));
  } finally {
    store.close();
  }
});
