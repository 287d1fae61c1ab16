// The same handler serves the renderer's files for every path outside /api, with the security headers on
// every answer (page, API, problem), and never a file outside the renderer's folder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestApi } from './api-test-kit.ts';

test('pages come from the renderer folder; API paths never fall through to files', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'overread-pages-'));
  mkdirSync(join(root, 'dist'));
  writeFileSync(join(root, 'dist', 'index.html'), '<!doctype html><title>Overread</title>');
  writeFileSync(join(root, 'secret.txt'), 'not for the page');
  const api = await openTestApi({ rendererDir: join(root, 'dist'), autoTriage: false });
  t.after(async () => {
    await api.close();
    rmSync(root, { recursive: true, force: true });
  });

  const page = await api.call('GET', '/');
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<title>Overread/);
  assert.match(page.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  assert.equal(page.headers.get('x-content-type-options'), 'nosniff');

  for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/api/index.html', '/api/../secret.txt']) {
    const response = await api.call('GET', path);
    assert.equal(response.status, 404, path);
    assert.doesNotMatch(await response.text(), /not for the page/);
  }
  const missing = await api.call('GET', '/api/no-such-endpoint');
  assert.match(missing.headers.get('content-type') ?? '', /problem\+json/);
  assert.match((await missing.json()).detail, /no API endpoint GET \/api\/no-such-endpoint/);
  assert.match(missing.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  const session = await api.call('GET', '/api/session');
  assert.equal(session.headers.get('referrer-policy'), 'no-referrer');
});
