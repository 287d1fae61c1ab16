// The app:// protocol as Electron serves it: src/main/main.ts hands every app:// request to
// `openApi(...).fetch`, so this test sends the same Request objects (app://overread/…) to that handler. It
// checks that traversal in any spelling (../, %2e%2e, %2f, %5c, double-encoded, NUL) never reads a file
// outside the renderer folder, and that the paths the shell reveals or decodes must lie below an imported root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openApi, type OpenedApi } from '../../src/api/open-api.ts';
import type { Job } from '../../src/shared/api-types.ts';
import { sampleStudy } from '../helpers/sample-study.ts';

const SECRET = 'SECRET-OUTSIDE-THE-APP';

async function openAppProtocol(t: { after(fn: () => unknown): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'overread-app-protocol-'));
  const dist = join(dir, 'app', 'dist');
  mkdirSync(dist, { recursive: true });
  writeFileSync(join(dist, 'index.html'), '<!doctype html><title>Overread</title>');
  writeFileSync(join(dir, 'app', 'secret.txt'), SECRET);
  writeFileSync(join(dir, 'secret.txt'), SECRET);
  mkdirSync(join(dir, 'models'));
  const api: OpenedApi = await openApi({
    db: join(dir, 'overread.db'),
    dataDir: dir,
    bundledModels: join(dir, 'models'),
    rendererDir: dist,
    reader: 'reader-a',
    decodeWorkers: 1,
    autoTriage: false,
    electron: true,
  });
  t.after(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const get = (url: string) => api.fetch(new Request(url));
  return { api, dir, get };
}

test('app:// serves the renderer and nothing outside it, however the path is spelled', async (t) => {
  const { get } = await openAppProtocol(t);
  const index = await get('app://overread/');
  assert.equal(index.status, 200);
  assert.match(await index.text(), /<title>Overread<\/title>/);

  const traversals = [
    'app://overread/../secret.txt',
    'app://overread/../../secret.txt',
    'app://overread/../../etc/passwd',
    'app://overread/%2e%2e/secret.txt',
    'app://overread/%2e%2e/%2e%2e/secret.txt',
    'app://overread/..%2fsecret.txt',
    'app://overread/..%2f..%2fsecret.txt',
    'app://overread/..%5c..%5csecret.txt',
    'app://overread/%252e%252e%252fsecret.txt',
    'app://overread/%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd',
    'app://overread/..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd',
    'app://overread/%2fetc%2fpasswd',
    'app://overread//etc/passwd',
    'app://overread/index.html%00../../secret.txt',
    'app://overread/%E0%A4%A',
  ];
  for (const url of traversals) {
    const response = await get(url);
    const body = await response.text();
    assert.equal(response.status, 404, `${url} answered ${response.status}`);
    assert.ok(
      !body.includes(SECRET) && !body.includes('root:'),
      `${url} leaked a file: ${body.slice(0, 80)}`,
    );
    assert.match(response.headers.get('content-type') ?? '', /problem\+json/, url);
  }
  // API paths never fall through to files either.
  for (const url of ['app://overread/api/../secret.txt', 'app://overread/api/..%2f..%2fsecret.txt']) {
    const body = await (await get(url)).text();
    assert.ok(!body.includes(SECRET), url);
  }
});

test('only files below an imported root are decoded or revealed; traversal out of a root is refused', async (t) => {
  const { api, dir, get } = await openAppProtocol(t);
  const study = sampleStudy({ seed: 'app-protocol', size: 64, slices: 6 });
  const root = join(dir, 'study'); // a copy: the link below must not land in the shared sample cache
  cpSync(study.dir, root, { recursive: true });
  assert.equal(api.isInsideRoots(join(root, study.truth.slices[0]!.file)), false, 'nothing imported yet');

  const started = await api.fetch(
    new Request('app://overread/api/import', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ paths: [root] }),
    }),
  );
  assert.equal(started.status, 202, await started.clone().text());
  const job = (await started.json()) as Job;
  await (await get(`app://overread/api/jobs/${job.id}/events`)).text();
  const slice = await get(`app://overread/api/series/${study.truth.seriesInstanceUid}/slices/0`);
  assert.equal(slice.status, 200);

  assert.equal(api.isInsideRoots(join(root, study.truth.slices[0]!.file)), true);
  for (const outside of [
    join(dir, 'secret.txt'),
    '/etc/passwd',
    `${root}/../../../../../../etc/passwd`,
    `${root}/../${SECRET}`,
    `${root}/${study.truth.slices[0]!.file}\0`,
    `${root}-sibling/file.dcm`,
  ]) {
    assert.equal(api.isInsideRoots(outside), false, outside);
  }
  // A link placed inside the root that leads out of it is outside.
  const link = join(root, 'link-to-secret.txt');
  symlinkSync(join(dir, 'secret.txt'), link);
  assert.equal(api.isInsideRoots(link), false);
});
