import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { staticFiles } from '../../src/api/static-files.ts';

const root = mkdtempSync(join(tmpdir(), 'overread-static-'));
mkdirSync(join(root, 'dist'));
writeFileSync(join(root, 'dist', 'index.html'), '<!doctype html><title>x</title>');
writeFileSync(join(root, 'dist', 'app.js'), 'console.log(1)');
writeFileSync(join(root, 'secret.txt'), 'outside');
const serve = staticFiles(join(root, 'dist'));

test('serves index.html for / and files with their content type', async () => {
  const index = await serve('/');
  assert.equal(index?.status, 200);
  assert.match(index?.headers.get('content-type') ?? '', /text\/html/);
  assert.match((await serve('/app.js'))?.headers.get('content-type') ?? '', /javascript/);
});

test('never reads outside its folder', async () => {
  for (const path of [
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/..%2fsecret.txt',
    `/${root}/secret.txt`,
    '/%00',
    '/%E0%A4%A',
  ]) {
    assert.equal(await serve(path), undefined, path);
  }
  assert.equal(await serve('/missing.js'), undefined);
});
