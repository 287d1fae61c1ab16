// Owns indexing the DICOM objects inside a zip file with fflate, in bounded memory: entries whose declared
// size is absurd (beyond what deflate can produce from their compressed bytes, or over 1 GiB) are refused
// before anything is allocated, and entries are inflated in batches of at most 64 MB. Entry names are only
// names: nothing is ever written to disk, so "../" in a name cannot climb anywhere.
import { readFileSync, statSync } from 'node:fs';
import { unzipSync, type UnzipFileInfo } from 'fflate';
import type { FileError, InstanceHeader } from './index-types.ts';
import { NotDicomError, parseHeaderPrefix } from './read-header.ts';

const MAX_ZIP_BYTES = 2 * 1024 ** 3 - 1;
const MAX_ENTRY_BYTES = 1024 ** 3;
const MAX_DEFLATE_RATIO = 1032; // deflate's theoretical limit
const BATCH_BYTES = 64 * 1024 ** 2;

export interface ZipResult {
  instances: InstanceHeader[];
  errors: FileError[];
  skipped: number;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? ((error as { reason?: string }).reason ?? error.message) : String(error);
}

export function indexZip(path: string): ZipResult {
  const result: ZipResult = { instances: [], errors: [], skipped: 0 };
  const stat = statSync(path);
  if (stat.size > MAX_ZIP_BYTES) {
    result.errors.push({ path, reason: 'zip larger than 2 GiB — unzip it and index the folder instead' });
    return result;
  }
  const data = readFileSync(path);
  const entries: UnzipFileInfo[] = [];
  try {
    unzipSync(data, { filter: (info) => (entries.push(info), false) });
  } catch (error) {
    result.errors.push({ path, reason: `not a readable zip file (${reasonOf(error)})` });
    return result;
  }
  const accepted: { entry: UnzipFileInfo; position: number }[] = [];
  for (const [position, entry] of entries.entries()) {
    if (entry.name.endsWith('/')) continue;
    const where = `${path}!${entry.name}`;
    if (entry.originalSize > MAX_ENTRY_BYTES || entry.originalSize > entry.size * MAX_DEFLATE_RATIO + 65536) {
      result.errors.push({
        path: where,
        reason: `declared size ${entry.originalSize} bytes is absurd — entry refused`,
      });
    } else if (entry.compression !== 0 && entry.compression !== 8) {
      result.errors.push({ path: where, reason: `compression method ${entry.compression} is not supported` });
    } else accepted.push({ entry, position });
  }
  const handle = (name: string, bytes: Uint8Array) => {
    try {
      const header = parseHeaderPrefix(bytes, bytes.length, {
        path,
        zipEntry: name,
        fileSize: bytes.length,
        mtimeMs: stat.mtimeMs,
      });
      if (header) result.instances.push(header);
    } catch (error) {
      if (error instanceof NotDicomError) result.skipped++;
      else result.errors.push({ path: `${path}!${name}`, reason: reasonOf(error) });
    }
  };
  const extract = (batch: { entry: UnzipFileInfo; position: number }[]) => {
    const positions = new Set(batch.map((item) => item.position));
    let index = -1;
    const files = unzipSync(data, { filter: () => positions.has(++index) });
    for (const { entry } of batch) if (files[entry.name]) handle(entry.name, files[entry.name]);
  };
  for (let start = 0; start < accepted.length;) {
    let bytes = 0;
    let end = start;
    while (
      end < accepted.length &&
      (end === start || bytes + accepted[end].entry.originalSize <= BATCH_BYTES)
    ) {
      bytes += accepted[end++].entry.originalSize;
    }
    const batch = accepted.slice(start, end);
    try {
      extract(batch);
    } catch {
      // One broken entry spoils the batch: redo it entry by entry so the error names the culprit.
      for (const item of batch) {
        const entry = item.entry;
        try {
          extract([item]);
        } catch (error) {
          result.errors.push({
            path: `${path}!${entry.name}`,
            reason: `cannot inflate (${reasonOf(error)})`,
          });
        }
      }
    }
    start = end;
  }
  return result;
}
