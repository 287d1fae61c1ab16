// Owns reading just enough of a DICOM file to parse its header: the first 8 KB into a reused buffer, more
// only when the header runs past it, never the pixel data of an uncompressed image. Sync reads on purpose:
// for thousands of small reads they are several times faster than fs.promises, and the caller yields between
// batches so the event loop keeps breathing.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { parseDicom } from '../parse/parse-dicom.ts';
import { extractInstance } from './extract-instance.ts';
import type { InstanceHeader } from './index-types.ts';

const FIRST_READ = 8 * 1024;
/** A header longer than this is not a header we can use (enhanced series with ~100k frames stay below). */
const MAX_HEADER = 256 * 1024 * 1024;
let shared = Buffer.allocUnsafe(FIRST_READ);

/** Thrown for bytes that are not DICOM at all, so the caller counts them as skipped rather than errors. */
export class NotDicomError extends Error {}

const MEDIA_DIRECTORY = '1.2.840.10008.1.3.10';
const DICM = 0x4d434944; // "DICM" read as little-endian uint32

function claimsPart10(bytes: Uint8Array): boolean {
  const at = (offset: number) =>
    bytes.length >= offset + 4 &&
    bytes[offset] === 0x44 &&
    bytes[offset + 1] === 0x49 &&
    bytes[offset + 2] === 0x43 &&
    bytes[offset + 3] === 0x4d;
  return at(128) || at(0) || (bytes.length >= 2 && bytes[0] === 0x02 && bytes[1] === 0x00);
}

/** Cheap sniff before parsing: Part 10 prefix, a bare meta header, or a raw dataset starting at group 0008. */
export function looksLikeDicom(bytes: Uint8Array): boolean {
  if (
    bytes.length >= 132 &&
    bytes[128] === 0x44 &&
    bytes[129] === 0x49 &&
    bytes[130] === 0x43 &&
    bytes[131] === 0x4d
  )
    return true;
  if (bytes.length < 8) return false;
  if (new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true) === DICM) return true;
  // Meta header (0002) or a raw dataset's first groups (0008 is usual; even groups up to 0028 accepted), in
  // little- or big-endian byte order.
  const plausible = (group: number) => group % 2 === 0 && group <= 0x0028;
  const little = bytes[0] | (bytes[1] << 8);
  const big = (bytes[0] << 8) | bytes[1];
  if (little === 0 && big === 0) return bytes[2] !== 0 || bytes[3] !== 0; // group 0000 (command) elements
  return plausible(little) || plausible(big);
}

/**
 * Parses the header of `bytes` (a prefix of an object of `totalSize` bytes). Returns undefined when more bytes
 * are needed; throws when the object is broken.
 */
export function parseHeaderPrefix(
  bytes: Uint8Array,
  totalSize: number,
  location: { path: string; zipEntry?: string; fileSize: number; mtimeMs: number },
): InstanceHeader | undefined {
  const whole = bytes.length >= totalSize;
  if (!looksLikeDicom(bytes)) throw new NotDicomError('not a DICOM file');
  const name = location.zipEntry === undefined ? location.path : `${location.path}!${location.zipEntry}`;
  let parsed;
  try {
    parsed = parseDicom(name, bytes, { headerOnly: true });
  } catch (error) {
    if (!whole) return undefined;
    // Only bytes that claim to be DICOM (a DICM prefix or meta header) are broken DICOM; a binary file that
    // merely starts like a raw dataset is some other format.
    if (!claimsPart10(bytes)) throw new NotDicomError('not a DICOM file');
    throw error;
  }
  // Without Pixel Data in view, later header elements may lie beyond the bytes read so far.
  if (!whole && !parsed.dataSet.elements.x7fe00010) return undefined;
  if (parsed.dataSet.string('x00020002')?.trim() === MEDIA_DIRECTORY) {
    throw new NotDicomError('a DICOMDIR (followed only where found by its name)');
  }
  return extractInstance(parsed.dataSet, parsed.transferSyntaxUid, location);
}

/** Reads and parses the header of one file. Throws NotDicomError, DicomError or Error (with a reason). */
export function readHeader(path: string): InstanceHeader {
  const fd = openSync(path, 'r');
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new Error('not a regular file');
    const location = { path, fileSize: stat.size, mtimeMs: stat.mtimeMs };
    let want = Math.min(FIRST_READ, stat.size);
    for (;;) {
      // Grow the reused buffer only up to the file's real size, so no header claim makes us allocate more.
      if (shared.length < want)
        shared = Buffer.allocUnsafe(Math.min(stat.size, Math.max(want, shared.length * 2)));
      const got = readSync(fd, shared, 0, want, 0);
      const header = parseHeaderPrefix(shared.subarray(0, got), got < want ? got : stat.size, location);
      if (header) return header;
      if (want >= MAX_HEADER) throw new Error(`header longer than ${MAX_HEADER >> 20} MB — not indexable`);
      want = Math.min(stat.size, want * 4, MAX_HEADER);
    }
  } finally {
    closeSync(fd);
    // Do not keep a big buffer alive after one unusually long header.
    if (shared.length > 1 << 20) shared = Buffer.allocUnsafe(FIRST_READ);
  }
}
