// An added finding the reader painted on further slices is a 3-D label: the findings the reader is shown and
// the exported table measure it as the reader left it, not as its first slice was painted (before, the table
// kept the first slice's volume and the viewer drew only that slice once the brush was put down).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { READER, reviewedDataset } from './helpers/reviewed-dataset.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));

test('an added finding painted on a second slice is measured over both, in the store and the CSV', async (t) => {
  const data = await reviewedDataset();
  const work = mkdtempSync(path.join(os.tmpdir(), 'overread-added-measure-'));
  t.after(() => {
    rmSync(work, { recursive: true, force: true });
    rmSync(path.dirname(data.db), { recursive: true, force: true });
  });
  const { store } = data;
  const before = store.finding(data.ids.added, READER)!;
  const [k] = before.sliceRange;
  assert.equal(before.sliceRange[1], k, 'the fixture paints the added finding on one slice');
  const painted = store.maskSlice(data.ids.added, k, 'final', READER);
  const voxels = painted.reduce((sum, v) => sum + v, 0);
  const next = k + 1 < data.reviewed.truth.geometry.size[2] ? k + 1 : k - 1;
  store.correctMaskSlice(data.ids.added, READER, next, painted);

  const [si, sj, sk] = data.reviewed.truth.geometry.spacing;
  const after = store.finding(data.ids.added, READER)!;
  assert.deepEqual(after.sliceRange, [Math.min(k, next), Math.max(k, next)]);
  assert.ok(Math.abs(after.volumeMm3 - 2 * voxels * si * sj * sk) < 1e-6, `${after.volumeMm3}`);
  assert.ok(after.diameterMm > before.diameterMm, `${after.diameterMm} vs ${before.diameterMm}`);
  assert.equal(after.decision?.kind, 'added', 'painting on keeps it the reader’s addition');
  store.close();

  const out = path.join(work, 'csv');
  const result = spawnSync(
    process.execPath,
    ['bin/overread.js', 'export', '--db', data.db, '--out', out, '--format', 'csv'],
    { cwd: repo, encoding: 'utf8' },
  );
  assert.equal(result.status, 0, result.stderr);
  const [header, ...lines] = readFileSync(path.join(out, 'findings.csv'), 'utf8').trim().split('\n');
  const columns = header!.split(',');
  const row = lines
    .map((line) => Object.fromEntries(line.split(',').map((v, i) => [columns[i], v])))
    .find((r) => Number(r['finding_id']) === data.ids.added)!;
  assert.equal(row['decision'], 'added');
  const volume = Number(row['volume_mm3']);
  assert.ok(Math.abs(volume - 2 * voxels * si * sj * sk) < 1e-3, `exported volume ${volume}`);
  assert.ok(Math.abs(Number(row['diameter_mm']) - after.diameterMm) < 1e-3);
});
