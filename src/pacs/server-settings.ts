// Owns the list of DICOMweb servers the user has set up: name, base URL and kind of authentication, kept in
// <app data>/pacs-servers.json. The file holds no secret: a password or token lives in the OS keychain
// (Electron), an environment variable or a prompt (see secret-store.ts). A file that tries to carry one is
// refused rather than silently used, so a secret pasted there is noticed and moved.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from './atomic-json.ts';
import { PacsError } from './pacs-error.ts';

export type PacsAuth = { type: 'none' } | { type: 'basic'; username: string } | { type: 'bearer' };

export interface PacsServer {
  /** Short name used on the command line and in environment variable names, e.g. "hospital". */
  name: string;
  /** The DICOMweb root, e.g. https://pacs.example.org/dicom-web (QIDO, WADO and STOW paths are below it). */
  baseUrl: string;
  auth: PacsAuth;
}

export const SETTINGS_FILE = 'pacs-servers.json';
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;
const SECRET_KEYS = /pass|token|secret|credential|authorization/i;

export function settingsPath(dataDir: string): string {
  return join(dataDir, SETTINGS_FILE);
}

/** Checks one server entry; throws a PacsError naming the entry and the field. */
export function validateServer(input: unknown, where = 'server'): PacsServer {
  const fail = (why: string) => {
    throw new PacsError('config', `${where}: ${why}`);
  };
  if (!input || typeof input !== 'object') fail('is not an object');
  const entry = input as Record<string, unknown>;
  const walk = (value: unknown, path: string) => {
    if (!value || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) {
      if (SECRET_KEYS.test(key))
        fail(
          `"${path}${key}" looks like a secret — settings hold none; remove it and use the keychain or the environment variable (see docs/pacs.md)`,
        );
      walk(inner, `${path}${key}.`);
    }
  };
  walk(entry, '');
  const name = entry.name;
  if (typeof name !== 'string' || !NAME.test(name))
    fail('"name" must be 1–40 letters, digits, "-" or "_", starting with a letter or digit');
  let url: URL | undefined;
  try {
    url = new URL(String(entry.baseUrl));
  } catch {
    fail(`"baseUrl" ${JSON.stringify(entry.baseUrl)} is not a URL`);
  }
  if (url!.protocol !== 'http:' && url!.protocol !== 'https:') fail('"baseUrl" must be http: or https:');
  if (url!.username || url!.password) fail('"baseUrl" must not carry a user name or password');
  if (url!.search || url!.hash) fail('"baseUrl" must not carry a query or fragment');
  const auth = (entry.auth ?? { type: 'none' }) as Record<string, unknown>;
  let parsedAuth: PacsAuth;
  if (auth.type === 'none') parsedAuth = { type: 'none' };
  else if (auth.type === 'bearer') parsedAuth = { type: 'bearer' };
  else if (auth.type === 'basic') {
    if (typeof auth.username !== 'string' || !auth.username || auth.username.includes(':'))
      fail('basic authentication needs "auth.username" (without ":")');
    parsedAuth = { type: 'basic', username: auth.username as string };
  } else {
    fail('"auth.type" must be "none", "basic" or "bearer"');
  }
  return { name: name as string, baseUrl: url!.href.replace(/\/+$/, ''), auth: parsedAuth! };
}

export async function loadServers(dataDir: string): Promise<PacsServer[]> {
  const path = settingsPath(dataDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new PacsError('config', `could not read ${path}: ${(error as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new PacsError(
      'config',
      `${path} is not valid JSON (${(error as Error).message}) — fix or remove it`,
    );
  }
  const list = (data as { servers?: unknown })?.servers;
  if (!Array.isArray(list)) throw new PacsError('config', `${path}: expected {"servers": [...]}`);
  const servers = list.map((entry, n) => validateServer(entry, `${path} servers[${n}]`));
  const names = new Set<string>();
  for (const server of servers) {
    if (names.has(server.name.toLowerCase()))
      throw new PacsError('config', `${path}: two servers are named "${server.name}"`);
    names.add(server.name.toLowerCase());
  }
  return servers;
}

export async function saveServers(dataDir: string, servers: PacsServer[]): Promise<void> {
  const checked = servers.map((server, n) => validateServer(server, `servers[${n}]`));
  await writeJsonAtomic(settingsPath(dataDir), { servers: checked });
}

export async function findServer(dataDir: string, name: string): Promise<PacsServer> {
  const servers = await loadServers(dataDir);
  const server = servers.find((s) => s.name.toLowerCase() === name.toLowerCase());
  if (!server) {
    const known = servers.length ? `known: ${servers.map((s) => s.name).join(', ')}` : 'none is set up yet';
    throw new PacsError(
      'config',
      `no DICOMweb server named "${name}" in ${settingsPath(dataDir)} (${known}) — see docs/pacs.md`,
    );
  }
  return server;
}
