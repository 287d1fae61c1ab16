// The API with the desktop keychain composed in (as src/main/main.ts does): a secret saved with a server goes
// to the safeStorage-encrypted file and is reported as "keychain"; where the keychain refuses, the API says
// so (409), keeps the secret for this session only, and writes it nowhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { safeStorageSecretStore, SECRETS_FILE } from '../../src/main/pacs-secrets.ts';
import type { PacsServerList } from '../../src/shared/pacs-types.ts';
import { fakeSafeStorage } from '../main/fake-safe-storage.ts';
import { openTestApi } from './api-test-kit.ts';

const password = 'keychain-pw-1729';
const server = { baseUrl: 'http://127.0.0.1:9/dicom-web', auth: { type: 'basic', username: 'reader' } };

async function withApi(available: boolean, t: { after(fn: () => Promise<void> | void): void }) {
  const userData = mkdtempSync(join(tmpdir(), 'overread-keychain-'));
  const pacsDir = join(userData, 'pacs');
  const api = await openTestApi({
    pacsDataDir: pacsDir,
    pacsSecrets: safeStorageSecretStore(fakeSafeStorage({ available }), userData, 'linux'),
    env: {},
  });
  t.after(async () => {
    await api.close();
    rmSync(userData, { recursive: true, force: true });
  });
  return { api, userData, pacsDir };
}

test('a saved secret goes to the keychain file, encrypted, and is never answered', async (t) => {
  const { api, userData, pacsDir } = await withApi(true, t);
  const response = await api.call('PUT', '/api/pacs/servers/hospital', { ...server, secret: password });
  const text = await response.text();
  assert.equal(response.status, 200, text);
  assert.equal(JSON.parse(text).secretSource, 'keychain');
  const list = await api.json<PacsServerList>('GET', '/api/pacs/servers');
  assert.equal(list.keychain, true);
  assert.equal(list.servers[0]!.secretSource, 'keychain');
  assert.ok(!JSON.stringify(list).includes(password) && !text.includes(password));
  const file = readFileSync(join(userData, SECRETS_FILE), 'utf8');
  assert.ok(JSON.parse(file)['hospital/password'].ciphertext, 'an entry was written');
  assert.ok(!file.includes(password), 'the keychain file holds only ciphertext');
  assert.ok(!readFileSync(join(pacsDir, 'pacs-servers.json'), 'utf8').includes(password));

  await api.json('DELETE', '/api/pacs/servers/hospital');
  assert.equal(existsSync(join(userData, SECRETS_FILE)), false, 'removing the server forgets its secret');
});

test('without a keychain the API refuses to store the secret and keeps it for the session', async (t) => {
  const { api, userData } = await withApi(false, t);
  const response = await api.call('PUT', '/api/pacs/servers/hospital', { ...server, secret: password });
  const problem = (await response.json()) as { detail: string };
  assert.equal(response.status, 409);
  assert.match(
    problem.detail,
    /password for "hospital" was not saved: the operating system offers no keychain .* kept in memory until Overread closes/,
  );
  assert.ok(!problem.detail.includes(password));
  const list = await api.json<PacsServerList>('GET', '/api/pacs/servers');
  assert.equal(list.servers[0]!.secretSource, 'session');
  assert.equal(existsSync(join(userData, SECRETS_FILE)), false, 'nothing written');
});
