// Hostile and broken input: truncated headers, wrong element lengths, absurd Rows/Columns/Number of Frames and
// garbage behind a DICM prefix each become one per-file error naming the file, while the good file beside them
// is still indexed; missing paths and unreadable folders are reported, not fatal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, copyFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { indexDicom } from '../../../src/dicom/index/index.ts';
import { indexFixtures } from './index-fixtures.ts';

const root = indexFixtures();

test('each broken file is one error; the good one still indexes', async () => {
  const folder = path.join(root, 'hostile');
  const index = await indexDicom([folder]);
  const reasons = Object.fromEntries(index.errors.map((e) => [path.basename(e.path), e.reason]));
  assert.deepEqual(Object.keys(reasons).sort(), [
    'bad-length.dcm',
    'garbage.dcm',
    'huge.dcm',
    'truncated.dcm',
  ]);
  assert.match(reasons['huge.dcm'], /65535×65535×99999 frames .* but the file holds \d+ bytes/);
  assert.match(reasons['bad-length.dcm'], /corrupt/);
  for (const reason of Object.values(reasons)) assert.ok(reason.length > 10 && !/object Object/.test(reason));
  assert.equal(index.studies.length, 1);
  assert.deepEqual(
    index.studies[0].series.map((s) => s.instances.map((i) => path.basename(i.path))),
    [['good.dcm']],
  );
});

test('a path that does not exist is an error entry, the rest indexes', async () => {
  const index = await indexDicom([path.join(root, 'no-such-folder'), path.join(root, 'two')]);
  assert.deepEqual(index.errors, [
    { path: path.join(root, 'no-such-folder'), reason: 'path does not exist' },
  ]);
  assert.equal(index.studies[0].series.length, 2);
});

test('an unreadable folder is reported and the walk goes on', async (t) => {
  if (process.getuid?.() === 0) {
    t.skip('running as root: folder permissions are not enforced, so this cannot be checked here');
    return;
  }
  const folder = mkdtempSync(path.join(os.tmpdir(), 'overread-perm-'));
  mkdirSync(path.join(folder, 'locked'));
  copyFileSync(path.join(root, 'hostile', 'good.dcm'), path.join(folder, 'good.dcm'));
  chmodSync(path.join(folder, 'locked'), 0);
  try {
    const index = await indexDicom([folder]);
    assert.equal(index.errors.length, 1);
    assert.match(index.errors[0].reason, /permission denied/);
    assert.equal(index.studies[0].series[0].instances.length, 1);
  } finally {
    chmodSync(path.join(folder, 'locked'), 0o755);
  }
});
