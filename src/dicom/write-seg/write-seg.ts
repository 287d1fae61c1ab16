// Owns turning a SEG description into Part 10 bytes, de-identified on request with the same context (and so
// the same UID mapping) as the images it references.
import { buildSeg, type SegInput } from './build-seg.ts';
import { readDicomDict, writeDicomDict, type DicomDict } from './dcmjs-dict.ts';
import { deidentifyDicomDict } from '../deidentify/deidentify-dicom.ts';
import type { DeidentifyContext } from '../deidentify/deidentify-dataset.ts';

const EXPLICIT_LITTLE = '1.2.840.10008.1.2.1';

export interface WrittenSeg {
  bytes: Uint8Array;
  sopInstanceUid: string;
  seriesInstanceUid: string;
  frames: number;
  /** The source slices (k) its frames lie on, ascending. */
  slices: number[];
}

export function writeSeg(input: SegInput, deidentify?: DeidentifyContext): WrittenSeg {
  const { dict, slices } = buildSeg(input);
  if (deidentify) deidentifyDicomDict(dict, deidentify);
  const value = (tag: string) => String(dict[tag]?.Value?.[0] ?? '');
  return {
    bytes: writeDicomDict(dict, EXPLICIT_LITTLE),
    sopInstanceUid: value('00080018'),
    seriesInstanceUid: value('0020000E'),
    frames: Number(value('00280008')),
    slices,
  };
}

/** The header of a source image (pixel data skipped is not needed: dcmjs reads it lazily as a view). */
export function readSourceHeader(path: string, bytes: Uint8Array): DicomDict {
  const { dict } = readDicomDict(path, bytes);
  delete dict['7FE00010'];
  return dict;
}
