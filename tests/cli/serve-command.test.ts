// `overread serve` as a user starts it: the first stdout line is the URL with a fresh token; the API answers
// with the token (bearer or the cookie traded for ?token=) and refuses without it; SIGTERM stops it cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

test(
  'serve prints its URL first, answers with the token and refuses without it',
  { timeout: 60_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'overread-serve-'));
    const child = spawn(
      process.execPath,
      ['bin/overread.js', 'serve', '--db', join(dir, 'overread.db'), '--port', '0', '--reader', 'Dr Serve'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const first = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${stderr}`)));
      });
      const url = new URL(first);
      assert.equal(url.hostname, '127.0.0.1');
      assert.ok(Number(url.port) > 0);
      const token = url.searchParams.get('token') ?? '';
      assert.ok(token.length >= 32, `no token in ${first}`);

      const session = await fetch(`${url.origin}/api/session`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(session.status, 200);
      const body = (await session.json()) as { reader: string; sampleAvailable: boolean };
      assert.equal(body.reader, 'Dr Serve');
      assert.equal(body.sampleAvailable, true, 'an empty dataset offers the sample');

      const refused = await fetch(`${url.origin}/api/session`);
      assert.equal(refused.status, 401);
      assert.match(((await refused.json()) as { detail: string }).detail, /token/);

      // The page's own address: ?token= is traded for an HttpOnly cookie that then carries the API calls.
      const page = await fetch(first, { redirect: 'manual' });
      assert.equal(page.status, 303);
      const cookie = (page.headers.get('set-cookie') ?? '').split(';')[0]!;
      const withCookie = await fetch(`${url.origin}/api/worklist`, { headers: { cookie } });
      assert.equal(withCookie.status, 200);
      assert.match(withCookie.headers.get('content-security-policy') ?? '', /default-src 'self'/);
    } finally {
      child.kill('SIGTERM');
      const code = await exited;
      rmSync(dir, { recursive: true, force: true });
      assert.equal(code, 0, `serve did not stop cleanly: ${stderr}`);
    }
  },
);
