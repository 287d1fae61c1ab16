// Owns indexing the DICOM objects inside a zip file with fflate, in bounded memory: entries whose declared
// size is absurd (beyond what deflate can produce from their compressed bytes, or over 1 GiB) are refused
// before anything is allocated; each entry is inflated only as far as its header needs (zip-entry-data.ts), or,
// where the directory is unusual (Zip64), whole in batches of at most 64 MB. Entry names are only
// names: nothing is ever written to disk, so "../" in a name cannot climb anywhere.
import { readFileSync, statSync } from 'node:fs';
import { unzipSync, type UnzipFileInfo } from 'fflate';
import type { FileError, InstanceHeader } from './index-types.ts';
import { NotDicomError, parseHeaderPrefix } from './read-header.ts';
import { entryData, inflatePrefix, type EntryData } from './zip-entry-data.ts';

const MAX_ZIP_BYTES = 2 * 1024 ** 3 - 1;
const MAX_ENTRY_BYTES = 1024 ** 3;
const MAX_DEFLATE_RATIO = 1032; // deflate's theoretical limit
const BATCH_BYTES = 64 * 1024 ** 2;
const FIRST_COMPRESSED = 8 * 1024;
const MAX_HEADER_BYTES = 256 * 1024 ** 2;

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
  /** Reads one entry's header from as few of its bytes as it takes: 8 KB compressed, then 4× more each time. */
  const headerFromPrefix = (entry: UnzipFileInfo, where: EntryData) => {
    const entryPath = `${path}!${entry.name}`;
    for (let want = FIRST_COMPRESSED; ; want *= 4) {
      const complete = entry.compression === 0 || want >= where.compressedSize;
      let bytes: Uint8Array;
      try {
        bytes =
          entry.compression === 0
            ? data.subarray(where.offset, where.offset + where.compressedSize)
            : inflatePrefix(data, where, want);
      } catch (error) {
        result.errors.push({ path: entryPath, reason: `cannot inflate (${reasonOf(error)})` });
        return;
      }
      const size = complete ? bytes.length : entry.originalSize;
      try {
        const header = parseHeaderPrefix(bytes, size, {
          path,
          zipEntry: entry.name,
          fileSize: size,
          mtimeMs: stat.mtimeMs,
        });
        if (header) result.instances.push(header);
        if (header || complete) return;
      } catch (error) {
        if (error instanceof NotDicomError) result.skipped++;
        else result.errors.push({ path: entryPath, reason: reasonOf(error) });
        return;
      }
      if (bytes.length >= MAX_HEADER_BYTES) {
        result.errors.push({ path: entryPath, reason: 'header longer than 256 MB — not indexable' });
        return;
      }
    }
  };
  const extract = (batch: { entry: UnzipFileInfo; position: number }[]) => {
    const positions = new Set(batch.map((item) => item.position));
    let index = -1;
    const files = unzipSync(data, { filter: () => positions.has(++index) });
    for (const { entry } of batch) if (files[entry.name]) handle(entry.name, files[entry.name]);
  };
  // Where the directory can be read simply, each entry is inflated only as far as its header needs.
  const located = entryData(data);
  const whole: typeof accepted = [];
  for (const item of accepted) {
    const where = located?.[item.position];
    if (where && where.compressedSize === item.entry.size) headerFromPrefix(item.entry, where);
    else whole.push(item);
  }
  for (let start = 0; start < whole.length;) {
    let bytes = 0;
    let end = start;
    while (end < whole.length && (end === start || bytes + whole[end].entry.originalSize <= BATCH_BYTES)) {
      bytes += whole[end++].entry.originalSize;
    }
    const batch = whole.slice(start, end);
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
