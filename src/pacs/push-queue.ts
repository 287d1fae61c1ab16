// Owns the pushes that have not reached their server yet. Each entry is a copy of the object's bytes plus a
// JSON record, both in <app data>/pacs-push-queue/ and both written atomically (temp, flush, rename), so an
// entry survives a crash, the original file being moved or deleted, and a second Overread process writing
// its own entries at the same time (one file per entry, no shared read-modify-write to lose an update).
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from './atomic-json.ts';
import { PacsError } from './pacs-error.ts';
import type { PushedObject } from './stow-result.ts';

export interface QueuedPush extends PushedObject {
  /** Entry id: server name and SOP Instance UID. */
  id: string;
  server: string;
  /** The queue's own copy of the bytes (what a retry sends). */
  file: string;
  /** Where the object was when it was first pushed (for the user's reference only). */
  originalPath: string;
  queuedAt: string;
  lastTriedAt: string;
  attempts: number;
  lastError: string;
}

export const QUEUE_FOLDER = 'pacs-push-queue';

export class PushQueue {
  readonly folder: string;
  constructor(dataDir: string) {
    this.folder = join(dataDir, QUEUE_FOLDER);
  }

  #id(server: string, sopInstanceUid: string): string {
    return `${server}--${sopInstanceUid}`.replace(/[^A-Za-z0-9._-]/g, '_');
  }

  /** Queues (or, when already queued, records another failed attempt of) one object. */
  async add(server: string, object: PushedObject, bytes: Uint8Array, originalPath: string, error: string) {
    const id = this.#id(server, object.sopInstanceUid);
    const now = new Date().toISOString();
    const existing = await this.get(id);
    const entry: QueuedPush = {
      ...object,
      id,
      server,
      file: join(this.folder, `${id}.dcm`),
      originalPath: existing?.originalPath ?? originalPath,
      queuedAt: existing?.queuedAt ?? now,
      lastTriedAt: now,
      attempts: (existing?.attempts ?? 0) + 1,
      lastError: error,
    };
    try {
      // Bytes first: a record never points at a copy that is not there.
      if (!existing) await writeFileAtomic(entry.file, bytes);
      await writeJsonAtomic(join(this.folder, `${id}.json`), entry);
    } catch (cause) {
      throw new PacsError(
        'config',
        `could not keep a failed push in the retry queue ${this.folder}: ${(cause as Error).message} — the original stays at ${originalPath}`,
        { cause },
      );
    }
    return entry;
  }

  async get(id: string): Promise<QueuedPush | undefined> {
    try {
      return JSON.parse(await readFile(join(this.folder, `${id}.json`), 'utf8')) as QueuedPush;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async list(server?: string): Promise<QueuedPush[]> {
    let names: string[];
    try {
      names = await readdir(this.folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const entries: QueuedPush[] = [];
    for (const name of names.filter((n) => n.endsWith('.json')).sort()) {
      const entry = await this.get(name.slice(0, -5));
      if (entry && (server === undefined || entry.server.toLowerCase() === server.toLowerCase()))
        entries.push(entry);
    }
    return entries.sort((a, b) => a.queuedAt.localeCompare(b.queuedAt));
  }

  /** Drops an entry once the server has confirmed it; the record goes first, then the copy. */
  async remove(id: string): Promise<void> {
    await rm(join(this.folder, `${id}.json`), { force: true });
    await rm(join(this.folder, `${id}.dcm`), { force: true });
  }
}
