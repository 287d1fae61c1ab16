// SIGKILL during an import, through the real app process: `overread serve` imports four studies and is killed
// at a series of short delays after the import starts (each trial on a fresh dataset), so the kills land while
// headers are read, between the studies' store writes, and after. Restarted, the database passes
// integrity_check and every listed series is whole (all its slices listed, the last one opens); an import
// after the last restart completes and lists all four.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job, SeriesInfo, WorklistPage } from '../../src/shared/api-types.ts';
import { sampleStudy } from '../helpers/sample-study.ts';
import { integrityCheck, serve, type Served } from './crash-serve.ts';

const SLICES = 16;
const SEEDS = ['crash-import-1', 'crash-import-2', 'crash-import-3', 'crash-import-4'];
const DELAYS_MS = [0, 5, 15, 30, 60, 120, 240];

async function assertWhole(server: Served, expected: Map<string, number>): Promise<number> {
  const page = await server.json<WorklistPage>('GET', '/api/worklist?limit=1000');
  for (const item of page.items) {
    const slices = expected.get(item.seriesUid);
    assert.ok(slices !== undefined, `an unknown series ${item.seriesUid} is listed`);
    const info = await server.json<SeriesInfo>('GET', `/api/series/${item.seriesUid}`);
    assert.equal(
      info.slices,
      slices,
      `series ${item.seriesUid} is listed with ${info.slices} of ${slices} slices`,
    );
    assert.equal(info.slicePositionsMm.length, slices);
    const response = await server.call('GET', `/api/series/${item.seriesUid}/slices/${slices - 1}`);
    assert.equal(response.status, 200, `the last slice of ${item.seriesUid} does not open`);
    await response.arrayBuffer();
  }
  return page.items.length;
}

test(
  'an import killed at any point leaves only whole series, and a new import completes',
  { timeout: 300_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'overread-crash-import-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const studies = SEEDS.map((seed) => sampleStudy({ seed, size: 64, slices: SLICES }));
    const expected = new Map(studies.map((s) => [s.truth.seriesInstanceUid, SLICES]));
    const paths = studies.map((s) => s.dir);
    const args = ['--reader', 'crash-reader'];

    const listed: number[] = [];
    let server: Served | undefined;
    t.after(() => server?.kill());
    for (const [trial, delay] of DELAYS_MS.entries()) {
      const db = join(dir, `trial-${trial}.db`);
      server = await serve(db, args);
      await server.json<Job>('POST', '/api/import', { paths });
      await new Promise((resolve) => setTimeout(resolve, delay));
      assert.equal(await server.kill(), 'SIGKILL');
      assert.equal(integrityCheck(db), 'ok', `after a kill ${delay} ms into the import`);
      server = await serve(db, args);
      listed.push(await assertWhole(server, expected));
      if (trial < DELAYS_MS.length - 1) await server.stop();
    }
    const last = await server!.json<Job>('POST', '/api/import', { paths });
    assert.equal((await server!.follow(last.id)).state, 'done');
    assert.equal(await assertWhole(server!, expected), SEEDS.length);
    t.diagnostic(`series listed after the kill at ${DELAYS_MS.join(', ')} ms: ${listed.join(', ')}`);
    await server!.stop();
  },
);
