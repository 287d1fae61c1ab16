// The retry queue on disk: entries from two queue objects (two Overread processes) written at once are all
// kept, a repeated failure counts attempts without losing the first date, the copy of the bytes is what stays,
// a write cut short (a leftover temporary file) is not an entry, and removal takes record and copy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PushQueue } from '../../src/pacs/push-queue.ts';

const object = (n: number) => ({ sopInstanceUid: `1.2.3.${n}`, sopClassUid: '1.2.840.10008.5.1.4.1.1.66.4' });

test('the retry queue keeps every entry, counts attempts and removes record and copy together', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'overread-push-queue-'));
  try {
    const [a, b] = [new PushQueue(dir), new PushQueue(dir)];
    await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        (n % 2 ? a : b).add(
          'hospital',
          object(n),
          Buffer.from(`bytes ${n}`),
          `/exports/${n}.dcm`,
          'HTTP 503',
        ),
      ),
    );
    assert.equal((await a.list()).length, 20);
    assert.equal((await a.list('HOSPITAL')).length, 20, 'server names match without case');
    assert.deepEqual(await a.list('other'), []);

    const first = (await a.list()).find((e) => e.sopInstanceUid === '1.2.3.4')!;
    assert.equal(readFileSync(first.file, 'utf8'), 'bytes 4');
    const again = await b.add('hospital', object(4), Buffer.from('ignored'), '/elsewhere.dcm', 'HTTP 500');
    assert.equal(again.attempts, 2);
    assert.equal(again.queuedAt, first.queuedAt);
    assert.equal(again.originalPath, '/exports/4.dcm');
    assert.equal(again.lastError, 'HTTP 500');
    assert.equal(readFileSync(again.file, 'utf8'), 'bytes 4', 'the first copy is kept');

    writeFileSync(join(a.folder, 'hospital--1.2.3.99.json.1234.abcd.partial'), '{"half');
    assert.equal((await a.list()).length, 20, 'a temporary file is not an entry');

    await a.remove(first.id);
    assert.equal((await a.list()).length, 19);
    assert.ok(!readdirSync(a.folder).some((name) => name.startsWith(`${first.id}.`)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
