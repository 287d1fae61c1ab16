// The desktop keychain store for PACS secrets, with a stand-in safeStorage that really encrypts
// (fake-safe-storage.ts), as Electron's does, so "the file holds no plain text" can fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { safeStorageSecretStore, SECRETS_FILE } from '../../src/main/pacs-secrets.ts';
import { fakeSafeStorage } from './fake-safe-storage.ts';
import type { PacsServer } from '../../src/pacs/index.ts';

const server: PacsServer = {
  name: 'Hospital',
  baseUrl: 'https://pacs.example.org/dicom-web',
  auth: { type: 'basic', username: 'reader' },
};

function folder(t: { after(fn: () => void): void }) {
  const dir = mkdtempSync(join(tmpdir(), 'overread-secrets-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('a saved password comes back, and the file holds only ciphertext (mode 0600)', async (t) => {
  const dir = folder(t);
  const store = safeStorageSecretStore(fakeSafeStorage(), dir, 'linux');
  const password = 'correct horse battery staple';
  await store.set(server, 'password', password);
  assert.equal(await store.get(server, 'password'), password);
  assert.equal(await store.get({ ...server, name: 'hospital' }, 'password'), password, 'names ignore case');
  assert.equal(await store.get(server, 'token'), undefined);
  const text = readFileSync(join(dir, SECRETS_FILE), 'utf8');
  for (const form of [password, Buffer.from(password).toString('base64'), 'horse'])
    assert.ok(!text.includes(form), `the file does not contain "${form}"`);
  assert.equal(statSync(join(dir, SECRETS_FILE)).mode & 0o777, 0o600);
});

test('a secret is not handed to a changed URL or user name', async (t) => {
  const store = safeStorageSecretStore(fakeSafeStorage(), folder(t), 'linux');
  await store.set(server, 'password', 'pw1');
  assert.equal(
    await store.get({ ...server, baseUrl: 'https://evil.example/dicom-web' }, 'password'),
    undefined,
  );
  assert.equal(
    await store.get({ ...server, auth: { type: 'basic', username: 'someone' } }, 'password'),
    undefined,
  );
});

test('without a keychain it refuses to save, says why, and writes nothing', async (t) => {
  const dir = folder(t);
  for (const [storage, why] of [
    [fakeSafeStorage({ available: false }), /not saved: the operating system offers no keychain/],
    [fakeSafeStorage({ backend: 'basic_text' }), /not saved: no keyring .* would store it readable/],
  ] as const) {
    const store = safeStorageSecretStore(storage, dir, 'linux');
    await assert.rejects(store.set(server, 'password', 'secret-pw'), why);
  }
  assert.equal(existsSync(join(dir, SECRETS_FILE)), false);
  // basic_text is a Linux-only notion: elsewhere the backend question does not arise.
  const mac = safeStorageSecretStore(fakeSafeStorage({ backend: 'basic_text' }), dir, 'darwin');
  await mac.set(server, 'password', 'secret-pw');
  assert.equal(await mac.get(server, 'password'), 'secret-pw');
});

test('delete forgets one server and keeps the others', async (t) => {
  const dir = folder(t);
  const store = safeStorageSecretStore(fakeSafeStorage(), dir, 'linux');
  const other: PacsServer = {
    name: 'research',
    baseUrl: 'http://127.0.0.1:8042/dicom-web',
    auth: { type: 'bearer' },
  };
  await store.set(server, 'password', 'a');
  await store.set(other, 'token', 'b');
  await store.delete(server);
  assert.equal(await store.get(server, 'password'), undefined);
  assert.equal(await store.get(other, 'token'), 'b');
  await store.delete(other);
  assert.equal(existsSync(join(dir, SECRETS_FILE)), false);
});
