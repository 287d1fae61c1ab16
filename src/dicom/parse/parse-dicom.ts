// Owns turning bytes into a dicom-parser DataSet: Part 10 files, Part 10 files missing their preamble or
// "DICM" prefix, and raw datasets with no meta header at all (old archives, some CD exporters). Deflated
// datasets are inflated with a hard output cap, so a deflate bomb is an error, not an out-of-memory crash.
import dicomParser from 'dicom-parser';
import { inflateRawSync } from 'node:zlib';
import { DicomError } from '../dicom-error.ts';
import { parserErrorText } from '../parser-error-text.ts';

export const TS = {
  implicitLittle: '1.2.840.10008.1.2',
  explicitLittle: '1.2.840.10008.1.2.1',
  deflatedExplicitLittle: '1.2.840.10008.1.2.1.99',
  explicitBig: '1.2.840.10008.1.2.2',
} as const;

export interface ParsedDicom {
  dataSet: dicomParser.DataSet;
  /** The transfer syntax of the dataset (from the meta header, or guessed for a raw dataset). */
  transferSyntaxUid: string;
  /** True when the file had no usable Part 10 meta header and the syntax was guessed. */
  rawDataset: boolean;
  /** The bytes dicom-parser read; differs from the input when a prefix was added or the body inflated. */
  bytes: Uint8Array;
}

export interface ParseOptions {
  /** Stop before the Pixel Data element (headers only, for indexing). */
  headerOnly?: boolean;
  /** Upper bound on an inflated deflate body, in bytes; default 64× the compressed size, at most 2 GiB. */
  maxInflatedBytes?: number;
}

const PIXEL_DATA = 'x7fe00010';
const VRS = new Set(
  'AE AS AT CS DA DS DT FL FD IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(
    ' ',
  ),
);

function ascii(bytes: Uint8Array, at: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + length));
}

function hasMetaGroupAt(bytes: Uint8Array, at: number): boolean {
  return (
    bytes.length >= at + 6 && bytes[at] === 0x02 && bytes[at + 1] === 0x00 && VRS.has(ascii(bytes, at + 4, 2))
  );
}

/** Adds the 128-byte preamble and/or "DICM" that some writers leave out, so dicom-parser reads the meta header. */
function withPart10Prefix(bytes: Uint8Array): Uint8Array | undefined {
  if (bytes.length > 132 && ascii(bytes, 128, 4) === 'DICM') return bytes;
  const fixed = (prefixLength: number, prefix: Uint8Array) => {
    const out = new Uint8Array(prefixLength + bytes.length);
    out.set(prefix, 0);
    out.set(bytes, prefixLength);
    return out;
  };
  if (ascii(bytes, 0, 4) === 'DICM' && hasMetaGroupAt(bytes, 4)) return fixed(128, new Uint8Array(128));
  if (hasMetaGroupAt(bytes, 0)) {
    const prefix = new Uint8Array(132);
    prefix.set([0x44, 0x49, 0x43, 0x4d], 128);
    return fixed(132, prefix);
  }
  return undefined;
}

/** Guesses the transfer syntax of a raw dataset from its first element. */
function guessRawSyntax(bytes: Uint8Array): string {
  if (bytes.length < 8) throw new Error('too short to be DICOM');
  const groupLE = bytes[0] | (bytes[1] << 8);
  const explicit = VRS.has(ascii(bytes, 4, 2));
  if (groupLE > 0x00ff && (bytes[0] | 0) === 0 && explicit) return TS.explicitBig;
  // A raw dataset starts at a low group (0008 usually): anything else is not DICOM at all.
  if (groupLE === 0 || groupLE > 0x0028 || groupLE % 2 === 1) throw new Error('no DICOM header found');
  return explicit ? TS.explicitLittle : TS.implicitLittle;
}

function boundedInflater(maxInflatedBytes: number | undefined) {
  return (bytes: Uint8Array, position: number): Uint8Array => {
    const body = bytes.subarray(position);
    const cap = maxInflatedBytes ?? Math.min(2 ** 31 - 1, Math.max(1 << 20, body.length * 64));
    let inflated: Buffer;
    try {
      inflated = inflateRawSync(body, { maxOutputLength: cap });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE')
        throw new Error(`deflated dataset inflates beyond ${cap} bytes (deflate bomb?)`);
      throw new Error(`deflated dataset is corrupt (${(error as Error).message})`);
    }
    const full = new Uint8Array(position + inflated.length);
    full.set(bytes.subarray(0, position), 0);
    full.set(inflated, position);
    return full;
  };
}

/** dicom-parser throws strings, Errors, or {exception, dataSet} mid-dataset; give every failure one readable reason. */
function reasonOf(error: unknown): string {
  const wrapped = error !== null && typeof error === 'object' && 'exception' in error;
  const inner = wrapped ? (error as { exception: unknown }).exception : error;
  const text = parserErrorText(inner) || 'unreadable';
  return wrapped ? `the dataset is corrupt (${text})` : text;
}

/**
 * Parses one DICOM object. Throws a DicomError naming `path` when the bytes are not DICOM or are broken
 * before the point the caller needs (the pixel data for headerOnly, the end of the dataset otherwise).
 */
export function parseDicom(path: string, input: Uint8Array, options: ParseOptions = {}): ParsedDicom {
  const untilTag = options.headerOnly ? PIXEL_DATA : undefined;
  const inflater = boundedInflater(options.maxInflatedBytes);
  try {
    const part10 = withPart10Prefix(input);
    if (part10) {
      const dataSet = dicomParser.parseDicom(part10, { untilTag, inflater });
      const transferSyntaxUid = dataSet.string('x00020010')?.trim() || TS.implicitLittle;
      return { dataSet, transferSyntaxUid, rawDataset: false, bytes: dataSet.byteArray as Uint8Array };
    }
    const transferSyntaxUid = guessRawSyntax(input);
    const dataSet = dicomParser.parseDicom(input, { untilTag, TransferSyntaxUID: transferSyntaxUid });
    return { dataSet, transferSyntaxUid, rawDataset: true, bytes: input };
  } catch (error) {
    if (error instanceof DicomError) throw error;
    throw new DicomError(path, reasonOf(error));
  }
}
