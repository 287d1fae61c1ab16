// Server settings hold no secret (a file that tries is refused with a message), the secret comes from the
// environment (or a prompt), and the Authorization header is built only from those.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findServer, loadServers, saveServers, settingsPath } from '../../src/pacs/server-settings.ts';
import {
  authorizationFor,
  chainSecretStores,
  envSecretStore,
  promptSecretStore,
  secretEnvName,
} from '../../src/pacs/secret-store.ts';
import { PacsError } from '../../src/pacs/pacs-error.ts';

function withDir(body: (dir: string) => Promise<void>) {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'overread-pacs-settings-'));
    try {
      await body(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

test(
  'settings round-trip; the URL is normalised; lookup ignores case',
  withDir(async (dir) => {
    assert.deepEqual(await loadServers(dir), []);
    await saveServers(dir, [
      {
        name: 'Hospital',
        baseUrl: 'https://pacs.example.org/dicom-web/',
        auth: { type: 'basic', username: 'r1' },
      },
    ]);
    const server = await findServer(dir, 'hospital');
    assert.equal(server.baseUrl, 'https://pacs.example.org/dicom-web');
    await assert.rejects(findServer(dir, 'other'), /no DICOMweb server named "other" .*known: Hospital/);
  }),
);

test(
  'a settings file carrying a secret, or a URL with credentials, is refused',
  withDir(async (dir) => {
    const write = (servers: unknown) => writeFileSync(settingsPath(dir), JSON.stringify({ servers }));
    write([
      { name: 'a', baseUrl: 'http://h/dw', auth: { type: 'basic', username: 'u', password: 'hunter2' } },
    ]);
    await assert.rejects(loadServers(dir), (error: unknown) => {
      assert.ok(error instanceof PacsError && error.kind === 'config');
      assert.match(error.message, /"auth\.password" looks like a secret/);
      assert.ok(!error.message.includes('hunter2'));
      return true;
    });
    write([{ name: 'a', baseUrl: 'http://u:hunter2@h/dw', auth: { type: 'none' } }]);
    await assert.rejects(loadServers(dir), /must not carry a user name or password/);
    write([{ name: 'a', baseUrl: 'ftp://h', auth: { type: 'none' } }]);
    await assert.rejects(loadServers(dir), /must be http: or https:/);
    write([{ name: 'a', baseUrl: 'http://h', auth: { type: 'basic' } }]);
    await assert.rejects(loadServers(dir), /needs "auth.username"/);
    write([
      { name: 'a', baseUrl: 'http://h', auth: { type: 'none' } },
      { name: 'A', baseUrl: 'http://h', auth: { type: 'none' } },
    ]);
    await assert.rejects(loadServers(dir), /two servers are named "A"/);
    writeFileSync(settingsPath(dir), '{ nope');
    await assert.rejects(loadServers(dir), /is not valid JSON/);
    await assert.rejects(
      saveServers(dir, [{ name: 'a', baseUrl: 'http://h', auth: { type: 'bearer', token: 'x' } as never }]),
      /looks like a secret/,
    );
    assert.equal(
      readFileSync(settingsPath(dir), 'utf8'),
      '{ nope',
      'a refused save leaves the file as it was',
    );
  }),
);

test('secrets: environment first, then the prompt; the header for basic, bearer and none', async () => {
  const basic = {
    name: 'st-marys',
    baseUrl: 'http://h',
    auth: { type: 'basic' as const, username: 'alice' },
  };
  const bearer = { name: 'cloud', baseUrl: 'http://h', auth: { type: 'bearer' as const } };
  assert.equal(secretEnvName('st-marys', 'password'), 'OVERREAD_PACS_ST_MARYS_PASSWORD');
  const env = envSecretStore({ OVERREAD_PACS_ST_MARYS_PASSWORD: 'pä:ss', OVERREAD_PACS_CLOUD_TOKEN: 'tok' });
  assert.equal(await authorizationFor(basic, env), `Basic ${Buffer.from('alice:pä:ss').toString('base64')}`);
  assert.equal(await authorizationFor(bearer, env), 'Bearer tok');
  assert.equal(await authorizationFor({ ...bearer, auth: { type: 'none' } }, env), undefined);
  const asked: string[] = [];
  const prompt = promptSecretStore(async (question) => (asked.push(question), 'typed'));
  assert.equal(await authorizationFor(bearer, chainSecretStores(envSecretStore({}), prompt)), 'Bearer typed');
  assert.deepEqual(asked, ['token for DICOMweb server "cloud": ']);
  await assert.rejects(
    authorizationFor(basic, envSecretStore({})),
    /needs a password: set OVERREAD_PACS_ST_MARYS_PASSWORD/,
  );
});
