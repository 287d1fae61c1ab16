// Owns finding where each zip entry's stored bytes lie (central directory → local header → data), so the index
// can inflate only the first kilobytes of an entry, as much as its header needs, instead of the whole entry: a
// 1 MB zip holding 1 GiB of zeros made the index allocate 1.1 GB. Zip64 and anything unusual return undefined,
// and the caller inflates those entries whole as before.
import { inflateRawSync, constants } from 'node:zlib';

export interface EntryData {
  /** Offset of the entry's compressed (or stored) bytes in the zip. */
  offset: number;
  compressedSize: number;
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** Data locations in central-directory order, or undefined when the directory cannot be read simply. */
export function entryData(zip: Uint8Array): EntryData[] | undefined {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = -1;
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 65535); at--) {
    if (view.getUint32(at, true) === EOCD) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) return undefined;
  const count = view.getUint16(eocd + 10, true);
  let at = view.getUint32(eocd + 16, true);
  if (count === 0xffff || at === 0xffffffff) return undefined; // Zip64
  const out: EntryData[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || view.getUint32(at, true) !== CENTRAL) return undefined;
    const compressedSize = view.getUint32(at + 20, true);
    const local = view.getUint32(at + 42, true);
    if (compressedSize === 0xffffffff || local === 0xffffffff) return undefined;
    if (local + 30 > zip.length || view.getUint32(local, true) !== LOCAL) return undefined;
    const offset = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (offset + compressedSize > zip.length) return undefined;
    out.push({ offset, compressedSize });
    at += 46 + view.getUint16(at + 28, true) + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
  }
  return out;
}

/**
 * The first bytes of a deflated entry, from at most `compressedBytes` of its data: never more than deflate can
 * make of those (about 1032 × their size), whatever size the entry declares. Throws on corrupt data.
 */
export function inflatePrefix(zip: Uint8Array, entry: EntryData, compressedBytes: number): Uint8Array {
  const take = Math.min(entry.compressedSize, compressedBytes);
  const data = zip.subarray(entry.offset, entry.offset + take);
  // A sync flush takes what the bytes so far yield, without asking for the rest of the stream.
  return new Uint8Array(
    inflateRawSync(data, take < entry.compressedSize ? { finishFlush: constants.Z_SYNC_FLUSH } : {}),
  );
}
