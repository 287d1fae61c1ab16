import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHashCommand } from '../../renderer/hash-commands.ts';
import { importUrl } from '../../src/main/app-origin.ts';

test('the menu’s import fragment round-trips paths with spaces, # and non-ASCII', () => {
  const paths = ['/media/cd/DICOMDIR', '/home/ana/Études #2/scan.zip'];
  const hash = new URL(importUrl(paths)).hash;
  assert.deepEqual(parseHashCommand(hash), { kind: 'import', paths });
});

test('shortcuts, about and reader fragments are commands; anything else is ignored', () => {
  assert.deepEqual(parseHashCommand('#shortcuts'), { kind: 'shortcuts' });
  assert.deepEqual(parseHashCommand('#about'), { kind: 'about' });
  assert.deepEqual(parseHashCommand('#export'), { kind: 'export' });
  assert.deepEqual(parseHashCommand('#reader'), { kind: 'reader' });
  assert.equal(parseHashCommand(''), null);
  assert.equal(parseHashCommand('#delete-everything'), null);
  assert.equal(parseHashCommand('#import=not-json'), null);
  assert.equal(parseHashCommand(`#import=${encodeURIComponent('[1,2]')}`), null);
  assert.equal(parseHashCommand(`#import=${encodeURIComponent('[]')}`), null);
});
