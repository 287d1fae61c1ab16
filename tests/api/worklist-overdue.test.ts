// The worklist's wait cap as the renderer sees it: a series that has waited past 24 hours is marked overdue
// and listed before a fresh one, whatever their scores; a reader may pick a plain order instead.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openApi } from '../../src/api/open-api.ts';
import { openDataset } from '../../src/dataset/open-dataset.ts';
import type { WorklistPage } from '../../src/shared/api-types.ts';
import { syntheticStudy } from '../dataset/dataset-fixtures.ts';

test('a series waiting past the cap is marked overdue and listed first', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'overread-overdue-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, 'overread.db');
  let clock = new Date(Date.now() - 3 * 24 * 3_600_000);
  const store = openDataset(db, { now: () => clock });
  const old = syntheticStudy('7.1', { patientId: 'OLD', patientName: 'OLD^ONE' }, [{ seriesUid: '7.1.1' }]);
  store.importStudy(old.study, old.geometry);
  clock = new Date();
  const fresh = syntheticStudy('7.2', { patientId: 'NEW', patientName: 'NEW^ONE' }, [{ seriesUid: '7.2.1' }]);
  store.importStudy(fresh.study, fresh.geometry);
  store.close();
  mkdirSync(join(dir, 'none'));
  const api = await openApi({ db, dataDir: dir, bundledModels: join(dir, 'none'), rendererDir: false });
  t.after(() => api.close());

  const page = (await (await api.fetch(new Request('http://x/api/worklist'))).json()) as WorklistPage;

  assert.deepEqual(
    page.items.map((item) => [item.seriesUid, item.overdue ?? false]),
    [
      ['7.1.1', true],
      ['7.2.1', false],
    ],
  );

  // A reader's own order: patient name A–Z, no cap; an unknown order is a 400 naming the allowed ones.
  const byName = (await (
    await api.fetch(new Request('http://x/api/worklist?sort=patient'))
  ).json()) as WorklistPage;
  assert.deepEqual(
    byName.items.map((item) => [item.seriesUid, item.overdue ?? false]),
    [
      ['7.2.1', false],
      ['7.1.1', false],
    ],
  );
  // By largest finding: neither has a run yet, so no size (null), and arrival orders them.
  const byLargest = (await (
    await api.fetch(new Request('http://x/api/worklist?sort=largest'))
  ).json()) as WorklistPage;
  assert.deepEqual(
    byLargest.items.map((item) => [item.seriesUid, item.largestMm]),
    [
      ['7.1.1', null],
      ['7.2.1', null],
    ],
  );
  const bad = await api.fetch(new Request('http://x/api/worklist?sort=drop'));
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { detail: string }).detail, /sort/);
});
