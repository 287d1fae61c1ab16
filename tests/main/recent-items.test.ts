import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  existingRecent,
  readRecent,
  RECENT_LIMIT,
  withRecent,
  writeRecent,
} from '../../src/main/recent-items.ts';

test('opened paths move to the front without duplicates, and the list is capped', () => {
  assert.deepEqual(withRecent(['/a', '/b', '/c'], ['/c', '/d']), ['/c', '/d', '/a', '/b']);
  const many = Array.from({ length: 30 }, (_, i) => `/p${i}`);
  assert.equal(withRecent([], many).length, RECENT_LIMIT);
});

test('the list survives a restart; a damaged file is an empty list; vanished paths are not offered', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'overread-recent-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'sub', 'recent-items.json');
  assert.deepEqual(readRecent(file), []);
  writeRecent(file, [dir, join(dir, 'gone')]);
  assert.deepEqual(readRecent(file), [dir, join(dir, 'gone')]);
  assert.deepEqual(existingRecent(readRecent(file)), [dir]);
  writeFileSync(file, '{not json');
  assert.deepEqual(readRecent(file), []);
});
