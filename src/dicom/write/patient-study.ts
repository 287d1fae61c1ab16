// Owns the Patient and General Study modules (and, for images, the Frame of Reference) that an object Overread
// derives from a series carries over from the series' own header: a SEG or an SR of a study belongs to that
// study and patient, with the Type 2 attributes present even where the source lacks them.
import type { DicomDict } from '../write-seg/dcmjs-dict.ts';

/** Patient and General Study attributes copied from the source header. */
const PATIENT_STUDY = [
  '00100010', // Patient's Name
  '00100020', // Patient ID
  '00100021', // Issuer of Patient ID
  '00100030', // Patient's Birth Date
  '00100040', // Patient's Sex
  '0020000D', // Study Instance UID
  '00080020', // Study Date
  '00080030', // Study Time
  '00080090', // Referring Physician's Name
  '00200010', // Study ID
  '00080050', // Accession Number
  '00081030', // Study Description
];
/** Frame of Reference module: for objects positioned in the source's space (SEG), not for an SR. */
const FRAME_OF_REFERENCE = [
  '00200052', // Frame of Reference UID
  '00201040', // Position Reference Indicator
];
/** Type 2 attributes of those modules (present even when the source lacks them), with their VRs. */
const TYPE2_VR: Record<string, string> = {
  '00100010': 'PN',
  '00100020': 'LO',
  '00100030': 'DA',
  '00100040': 'CS',
  '00080020': 'DA',
  '00080030': 'TM',
  '00080090': 'PN',
  '00200010': 'SH',
  '00080050': 'SH',
  '00201040': 'LO',
};

/** Copies the source's Patient and General Study modules (and Frame of Reference when asked) into `dict`. */
export function copyPatientStudy(
  dict: DicomDict,
  source: DicomDict,
  options: { frameOfReference: boolean },
): void {
  const tags = options.frameOfReference ? [...PATIENT_STUDY, ...FRAME_OF_REFERENCE] : PATIENT_STUDY;
  for (const tag of tags) {
    const element = source[tag];
    if (element) dict[tag] = { vr: element.vr, Value: element.Value ?? [] };
  }
  for (const [tag, vr] of Object.entries(TYPE2_VR)) if (tags.includes(tag)) dict[tag] ??= { vr, Value: [] };
}
