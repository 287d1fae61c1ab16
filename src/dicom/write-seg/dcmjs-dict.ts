// Owns the narrow, typed slice of dcmjs that Overread uses to read and write whole DICOM objects (the SEG writer
// and de-identification). dcmjs ships no TypeScript types, hence the local interface; the import specifier is
// widened to string so TypeScript does not ask for a declaration file other helpers might also declare.
import { DicomError } from '../dicom-error.ts';

/** dcmjs's "denaturalized" element: tag-keyed, Value always an array (PN as {Alphabetic}, SQ as item dicts). */
export interface DicomElement {
  vr: string;
  Value?: unknown[];
}
export type DicomDict = Record<string, DicomElement>;

interface DcmjsApi {
  data: {
    DicomMessage: {
      readFile(buffer: ArrayBuffer, options?: object): { meta: DicomDict; dict: DicomDict };
    };
    DicomDict: new (meta: DicomDict) => { dict: DicomDict; write(options?: object): ArrayBuffer };
    DicomMetaDictionary: {
      denaturalizeDataset(dataset: object): DicomDict;
      naturalizeDataset(dict: DicomDict): Record<string, unknown>;
    };
  };
  log: { setLevel(level: string): void };
}

const dcmjs = ((await import('dcmjs' as string)) as { default: DcmjsApi }).default;
// dcmjs logs VR repairs on the console; those are ours to report, not its.
dcmjs.log.setLevel('error');

export const { DicomMetaDictionary } = dcmjs.data;

/** Our implementation class UID (2.25 form, fixed) and version, written in every file meta header we make. */
export const IMPLEMENTATION_CLASS_UID = '2.25.225149311290786417497063853926306046532';
export const IMPLEMENTATION_VERSION = 'OVERREAD_0_1';

export function readDicomDict(path: string, bytes: Uint8Array): { meta: DicomDict; dict: DicomDict } {
  try {
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    return dcmjs.data.DicomMessage.readFile(buffer, { ignoreErrors: false });
  } catch (error) {
    throw new DicomError(path, `not a readable DICOM Part 10 file (${(error as Error).message})`);
  }
}

/**
 * Part 10 bytes from a dataset: a fresh file meta header and a zero preamble (dcmjs writes 128 zero bytes; a
 * source preamble is never copied, so no polyglot "MZ…" executable survives an export — CVE-2019-11687).
 */
export function writeDicomDict(dict: DicomDict, transferSyntaxUid: string): Uint8Array {
  const sopClass = String(dict['00080016']?.Value?.[0] ?? '');
  const sopInstance = String(dict['00080018']?.Value?.[0] ?? '');
  const meta: DicomDict = {
    '00020001': { vr: 'OB', Value: [new Uint8Array([0, 1]).buffer] },
    '00020002': { vr: 'UI', Value: [sopClass] },
    '00020003': { vr: 'UI', Value: [sopInstance] },
    '00020010': { vr: 'UI', Value: [transferSyntaxUid] },
    '00020012': { vr: 'UI', Value: [IMPLEMENTATION_CLASS_UID] },
    '00020013': { vr: 'SH', Value: [IMPLEMENTATION_VERSION] },
  };
  const file = new dcmjs.data.DicomDict(meta);
  file.dict = dict;
  return new Uint8Array(file.write());
}
