// Owns where a server's password or token comes from. Settings never hold one (server-settings.ts); a
// SecretStore does:
//  - CLI and `overread serve`: an environment variable OVERREAD_PACS_<NAME>_PASSWORD (basic) or
//    OVERREAD_PACS_<NAME>_TOKEN (bearer), else a prompt on the terminal (never echoed).
//  - Electron: src/main implements SecretStore over `safeStorage` (encryptString / decryptString, the OS
//    keychain / DPAPI / libsecret), storing only the encrypted bytes in the app data folder; it must refuse
//    to save when safeStorage.isEncryptionAvailable() is false (or on Linux when
//    getSelectedStorageBackend() is 'basic_text') rather than fall back to plain text.
import type { PacsServer } from './server-settings.ts';
import { PacsError } from './pacs-error.ts';

export type SecretKind = 'password' | 'token';

export interface SecretStore {
  /** The secret for `server`, or undefined when this store has none. */
  get(server: PacsServer, kind: SecretKind): Promise<string | undefined>;
  /** Stores a secret (keychain stores only; the environment is read-only). */
  set?(server: PacsServer, kind: SecretKind, secret: string): Promise<void>;
  /** Forgets every secret of `server` (keychain stores only). */
  delete?(server: PacsServer): Promise<void>;
}

export function secretEnvName(serverName: string, kind: SecretKind): string {
  return `OVERREAD_PACS_${serverName.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${kind.toUpperCase()}`;
}

export function envSecretStore(env: NodeJS.ProcessEnv = process.env): SecretStore {
  return {
    async get(server, kind) {
      const value = env[secretEnvName(server.name, kind)];
      return value ? value : undefined;
    },
  };
}

/** Asks a person (the CLI passes a terminal prompt that does not echo). */
export function promptSecretStore(ask: (question: string) => Promise<string>): SecretStore {
  return {
    async get(server, kind) {
      const who = server.auth.type === 'basic' ? ` for ${server.auth.username}` : '';
      const answer = await ask(`${kind} for DICOMweb server "${server.name}"${who}: `);
      return answer ? answer : undefined;
    },
  };
}

/** The first store that has the secret wins. */
export function chainSecretStores(...stores: SecretStore[]): SecretStore {
  return {
    async get(server, kind) {
      for (const store of stores) {
        const value = await store.get(server, kind);
        if (value !== undefined) return value;
      }
      return undefined;
    },
  };
}

/** The Authorization header value for `server`, or undefined for no authentication. */
export async function authorizationFor(
  server: PacsServer,
  secrets: SecretStore,
): Promise<string | undefined> {
  if (server.auth.type === 'none') return undefined;
  const kind: SecretKind = server.auth.type === 'basic' ? 'password' : 'token';
  const secret = await secrets.get(server, kind);
  if (secret === undefined) {
    throw new PacsError(
      'config',
      `DICOMweb server "${server.name}" needs a ${kind}: set ${secretEnvName(server.name, kind)} or run from a terminal to be asked`,
    );
  }
  if (server.auth.type === 'basic')
    return `Basic ${Buffer.from(`${server.auth.username}:${secret}`, 'utf8').toString('base64')}`;
  return `Bearer ${secret}`;
}
