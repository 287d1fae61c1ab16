// Owns de-identifying one DICOM object end to end: parse, apply the profile, record what was done (Patient
// Identity Removed, De-identification Method + code DCM 113100), and write a new Part 10 file with a fresh meta
// header and a zeroed preamble.
import { readDicomDict, writeDicomDict, type DicomDict } from '../write-seg/dcmjs-dict.ts';
import { deidentifyDataset, type DeidentifyContext } from './deidentify-dataset.ts';

// LO: at most 64 characters.
export const DEIDENTIFICATION_METHOD = 'DICOM PS3.15 E.1 Basic Application Confidentiality Profile';

const DEFLATED = '1.2.840.10008.1.2.1.99';
const EXPLICIT_LITTLE = '1.2.840.10008.1.2.1';

/** Adds the attributes that say a dataset was de-identified and how (PS3.15 E.1.1 and C.7.1.1). */
export function markDeidentified(dict: DicomDict): void {
  dict['00120062'] = { vr: 'CS', Value: ['YES'] };
  dict['00120063'] = { vr: 'LO', Value: [DEIDENTIFICATION_METHOD] };
  dict['00120064'] = {
    vr: 'SQ',
    Value: [
      {
        '00080100': { vr: 'SH', Value: ['113100'] },
        '00080102': { vr: 'SH', Value: ['DCM'] },
        '00080104': { vr: 'LO', Value: ['Basic Application Confidentiality Profile'] },
      },
    ],
  };
  // Dates were replaced by dummies, not shifted.
  dict['00280303'] = { vr: 'CS', Value: ['REMOVED'] };
}

export interface DeidentifiedObject {
  bytes: Uint8Array;
  sopInstanceUid: string;
  seriesInstanceUid: string;
  studyInstanceUid: string;
}

export function deidentifyDicomDict(dict: DicomDict, context: DeidentifyContext): void {
  deidentifyDataset(dict, context);
  markDeidentified(dict);
}

/** De-identified Part 10 bytes of the DICOM file `bytes` (read from `path`, named in errors). */
export function deidentifyDicom(
  path: string,
  bytes: Uint8Array,
  context: DeidentifyContext,
): DeidentifiedObject {
  const { meta, dict } = readDicomDict(path, bytes);
  deidentifyDicomDict(dict, context);
  const sourceSyntax = String(meta['00020010']?.Value?.[0] ?? EXPLICIT_LITTLE);
  // dcmjs inflates deflated files on read but does not deflate on write.
  const syntax = sourceSyntax === DEFLATED ? EXPLICIT_LITTLE : sourceSyntax;
  const value = (tag: string) => String(dict[tag]?.Value?.[0] ?? '');
  return {
    bytes: writeDicomDict(dict, syntax),
    sopInstanceUid: value('00080018'),
    seriesInstanceUid: value('0020000E'),
    studyInstanceUid: value('0020000D'),
  };
}
