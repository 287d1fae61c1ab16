// Owns sending DICOM objects (SEG, findings reports) to a server with STOW-RS and making sure none is lost:
// each object's outcome is reported, and every object the server did not confirm goes to the retry queue
// with the reason. retryQueue() sends the queued ones again and drops only those the server then confirms.
import { readFile } from 'node:fs/promises';
import { readHeader } from '../dicom/index/index.ts';
import type { DicomwebClient } from './dicomweb-client.ts';
import { PacsError } from './pacs-error.ts';
import type { PushQueue } from './push-queue.ts';
import { stowOutcomes, type PushOutcome, type PushedObject } from './stow-result.ts';

export interface PushFileOutcome extends PushOutcome {
  file: string;
  /** True when the object is now in the retry queue. */
  queued: boolean;
}

interface PendingObject extends PushedObject {
  file: string;
  bytes: Uint8Array;
}

/** Objects per STOW request are limited by size, so one request never holds more than this in memory. */
const BATCH_BYTES = 64 * 1024 * 1024;

function batches(objects: PendingObject[]): PendingObject[][] {
  const out: PendingObject[][] = [];
  let current: PendingObject[] = [];
  let size = 0;
  for (const object of objects) {
    if (current.length && size + object.bytes.length > BATCH_BYTES) {
      out.push(current);
      current = [];
      size = 0;
    }
    current.push(object);
    size += object.bytes.length;
  }
  if (current.length) out.push(current);
  return out;
}

async function send(client: DicomwebClient, objects: PendingObject[], signal?: AbortSignal) {
  const outcomes: { object: PendingObject; outcome: PushOutcome }[] = [];
  for (const batch of batches(objects)) {
    let results: PushOutcome[];
    try {
      const response = await client.store(
        batch.map((o) => o.bytes),
        { signal },
      );
      results = stowOutcomes(batch, response, client.label);
    } catch (error) {
      if (error instanceof PacsError && error.kind === 'aborted') throw error;
      const reason = (error as Error).message;
      results = batch.map((o) => ({
        sopInstanceUid: o.sopInstanceUid,
        sopClassUid: o.sopClassUid,
        status: 'failed',
        reason,
      }));
    }
    results.forEach((outcome, n) => outcomes.push({ object: batch[n], outcome }));
  }
  return outcomes;
}

async function readObject(file: string): Promise<PendingObject> {
  let header;
  try {
    header = readHeader(file);
  } catch (error) {
    throw new PacsError(
      'config',
      `${file} cannot be pushed: not a readable DICOM file (${(error as Error).message})`,
    );
  }
  return {
    file,
    sopInstanceUid: header.sopInstanceUid,
    sopClassUid: header.sopClassUid,
    bytes: new Uint8Array(await readFile(file)),
  };
}

/** Pushes `files`; an unreadable file throws before anything is sent. */
export async function pushFiles(
  client: DicomwebClient,
  files: string[],
  queue: PushQueue,
  signal?: AbortSignal,
): Promise<PushFileOutcome[]> {
  const objects = await Promise.all(files.map(readObject));
  const results: PushFileOutcome[] = [];
  for (const { object, outcome } of await send(client, objects, signal)) {
    let queued = false;
    if (outcome.status === 'failed') {
      await queue.add(client.server.name, object, object.bytes, object.file, outcome.reason ?? 'failed');
      queued = true;
    }
    results.push({ ...outcome, file: object.file, queued });
  }
  return results;
}

/** Sends this server's queued objects again; confirmed ones leave the queue, the rest stay with the new reason. */
export async function retryQueue(
  client: DicomwebClient,
  queue: PushQueue,
  signal?: AbortSignal,
): Promise<PushFileOutcome[]> {
  const entries = await queue.list(client.server.name);
  const objects: PendingObject[] = [];
  for (const entry of entries) {
    objects.push({ ...entry, file: entry.file, bytes: new Uint8Array(await readFile(entry.file)) });
  }
  const byFile = new Map(entries.map((e) => [e.file, e]));
  const results: PushFileOutcome[] = [];
  for (const { object, outcome } of await send(client, objects, signal)) {
    const entry = byFile.get(object.file)!;
    if (outcome.status === 'failed') {
      await queue.add(entry.server, entry, object.bytes, entry.originalPath, outcome.reason ?? 'failed');
    } else {
      await queue.remove(entry.id);
    }
    results.push({ ...outcome, file: entry.originalPath, queued: outcome.status === 'failed' });
  }
  return results;
}
