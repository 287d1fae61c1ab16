// Owns the desktop app's PACS passwords and tokens: each is encrypted with Electron's safeStorage (the OS
// keychain on macOS, DPAPI on Windows, libsecret/kwallet on Linux) and only the ciphertext is written, to
// <userData>/pacs-secrets.json (mode 0600). Where safeStorage cannot encrypt — no keychain, or Linux falling
// back to its 'basic_text' backend, which is a fixed key — it refuses to save rather than keep plain text.
// A secret is bound to the server's base URL and user name: change either and it must be entered again, so
// a password is never sent to a host it was not typed for.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PacsServer, SecretKind, SecretStore } from '../pacs/index.ts';

/** The part of Electron's `safeStorage` used here (injected, so tests need no Electron binary). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only. */
  getSelectedStorageBackend?(): string;
}

interface SavedSecret {
  baseUrl: string;
  username?: string;
  /** base64 of safeStorage.encryptString's output. */
  ciphertext: string;
}

export const SECRETS_FILE = 'pacs-secrets.json';

const keyOf = (server: PacsServer, kind: SecretKind) => `${server.name.toLowerCase()}/${kind}`;
const usernameOf = (server: PacsServer) => (server.auth.type === 'basic' ? server.auth.username : undefined);

export function safeStorageSecretStore(
  safeStorage: SafeStorageLike,
  userDataDir: string,
  platform: NodeJS.Platform = process.platform,
): SecretStore & Required<Pick<SecretStore, 'set' | 'delete'>> {
  const file = join(userDataDir, SECRETS_FILE);
  const read = (): Record<string, SavedSecret> => {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as Record<string, SavedSecret>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new Error(
        `the saved PACS passwords in ${file} cannot be read (${(error as Error).message}) — delete the file and enter them again`,
      );
    }
  };
  const write = (entries: Record<string, SavedSecret>) => {
    mkdirSync(dirname(file), { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(entries, null, 2), { mode: 0o600 });
    renameSync(temporary, file);
  };
  const refusal = (): string | undefined => {
    if (!safeStorage.isEncryptionAvailable())
      return 'the operating system offers no keychain to encrypt it with';
    if (platform === 'linux' && safeStorage.getSelectedStorageBackend?.() === 'basic_text')
      return 'no keyring (GNOME Keyring or KWallet) is running, and the fallback would store it readable';
    return undefined;
  };
  return {
    async get(server, kind) {
      const saved = read()[keyOf(server, kind)];
      if (!saved || saved.baseUrl !== server.baseUrl || saved.username !== usernameOf(server))
        return undefined;
      if (!safeStorage.isEncryptionAvailable()) return undefined;
      try {
        return safeStorage.decryptString(Buffer.from(saved.ciphertext, 'base64'));
      } catch {
        return undefined; // a keychain reset or another OS user: the person is asked again
      }
    },
    async set(server, kind, secret) {
      const why = refusal();
      if (why) {
        throw new Error(
          `the ${kind} for "${server.name}" was not saved: ${why} — start the app where a keychain is available, or use "overread serve" with the environment variable instead`,
        );
      }
      const entries = read();
      entries[keyOf(server, kind)] = {
        baseUrl: server.baseUrl,
        username: usernameOf(server),
        ciphertext: safeStorage.encryptString(secret).toString('base64'),
      };
      write(entries);
    },
    async delete(server) {
      const entries = read();
      const prefix = `${server.name.toLowerCase()}/`;
      const kept = Object.fromEntries(Object.entries(entries).filter(([key]) => !key.startsWith(prefix)));
      if (Object.keys(kept).length === Object.keys(entries).length) return;
      if (Object.keys(kept).length === 0) rmSync(file, { force: true });
      else write(kept);
    },
  };
}
