import { test } from 'node:test';
import assert from 'node:assert/strict';
import { guardServe, newToken, TOKEN_COOKIE } from '../../src/api/serve-guard.ts';

const port = 41234;
const token = newToken();
const inner = async (request: Request) => new Response(`ok ${new URL(request.url).pathname}`);
const guarded = guardServe(inner, { token, port });
const at = (path: string, init: RequestInit & { host?: string } = {}) => {
  const headers = new Headers(init.headers);
  headers.set('host', init.host ?? `127.0.0.1:${port}`);
  return guarded(new Request(`http://127.0.0.1:${port}${path}`, { ...init, headers }));
};

test('a request without the token is refused with 401 and a problem body', async () => {
  const response = await at('/api/worklist');
  assert.equal(response.status, 401);
  assert.match(response.headers.get('content-type') ?? '', /problem\+json/);
  assert.match((await response.json()).detail, /token/);
});

test('a wrong token is refused, the right bearer token passes', async () => {
  assert.equal((await at('/api/worklist', { headers: { authorization: 'Bearer nope' } })).status, 401);
  const ok = await at('/api/worklist', { headers: { authorization: `Bearer ${token}` } });
  assert.equal(ok.status, 200);
  assert.equal(await ok.text(), 'ok /api/worklist');
});

test('a page load with ?token= trades it for an HttpOnly cookie and drops it from the URL', async () => {
  const response = await at(`/?token=${token}&x=1`);
  assert.equal(response.status, 303);
  assert.equal(response.headers.get('location'), '/?x=1');
  const cookie = response.headers.get('set-cookie') ?? '';
  assert.match(cookie, new RegExp(`^${TOKEN_COOKIE}=`));
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  const withCookie = await at('/api/session', { headers: { cookie: `a=b; ${TOKEN_COOKIE}=${token}` } });
  assert.equal(withCookie.status, 200);
});

test('a foreign Host header is refused even with the token (DNS rebinding)', async () => {
  for (const host of ['evil.example:41234', `127.0.0.1:${port + 1}`, '127.0.0.1', '']) {
    const response = await at('/api/worklist', { host, headers: { authorization: `Bearer ${token}` } });
    assert.equal(response.status, 403, `host "${host}"`);
  }
  const localhost = await at('/api/worklist', {
    host: `localhost:${port}`,
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(localhost.status, 200);
});

test('tokens are fresh and long', () => {
  const a = newToken();
  assert.notEqual(a, newToken());
  assert.ok(a.length >= 32);
});
