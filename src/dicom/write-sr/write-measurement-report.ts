// Owns turning a measurement report into Part 10 bytes, de-identified on request with the same context (and so
// the same UID mapping) as the SEG and images it references. The Basic Profile would empty the Content
// Sequence; Overread keeps it under the Clean Structured Content option, since every item in it was written
// here from codes, numbers and fixed wording (no name, date or free text from the source): its UIDs are
// remapped like any reference.
import { deidentifyDataset, type DeidentifyContext } from '../deidentify/deidentify-dataset.ts';
import { deidentifyDicomDict } from '../deidentify/deidentify-dicom.ts';
import { writeDicomDict, type DicomDict } from '../write-seg/dcmjs-dict.ts';
import { buildMeasurementReportDict, type MeasurementReportInput } from './build-measurement-report.ts';

const EXPLICIT_LITTLE = '1.2.840.10008.1.2.1';
const CONTENT_SEQUENCE = '0040A730';
const PERFORMED_PROCEDURE_STEPS = '00081111'; // Referenced Performed Procedure Step Sequence

export interface WrittenReport {
  bytes: Uint8Array;
  sopInstanceUid: string;
}

export function writeMeasurementReport(
  input: MeasurementReportInput,
  deidentify?: DeidentifyContext,
): WrittenReport {
  const dict = buildMeasurementReportDict(input);
  if (deidentify) deidentifyReport(dict, deidentify);
  return {
    bytes: writeDicomDict(dict, EXPLICIT_LITTLE),
    sopInstanceUid: String(dict['00080018']?.Value?.[0] ?? ''),
  };
}

/** De-identifies a dataset except its Content Sequence, whose items are walked the same way, at every level. */
function withContent(
  dict: DicomDict,
  deidentify: (dict: DicomDict) => void,
  context: DeidentifyContext,
): void {
  const content = dict[CONTENT_SEQUENCE];
  delete dict[CONTENT_SEQUENCE];
  deidentify(dict);
  if (!content) return;
  for (const item of content.Value ?? [])
    withContent(item as DicomDict, (child) => deidentifyDataset(child, context), context);
  dict[CONTENT_SEQUENCE] = content;
}

function deidentifyReport(dict: DicomDict, context: DeidentifyContext): void {
  withContent(dict, (root) => deidentifyDicomDict(root, context), context);
  // Type 2 in the SR Document Series module, which the profile removes (X): present and empty, as written.
  dict[PERFORMED_PROCEDURE_STEPS] = { vr: 'SQ', Value: [] };
  // Say so: Clean Structured Content (PS3.16 CID 7050) beside the Basic Profile.
  const methods = dict['00120064']?.Value ?? [];
  methods.push({
    '00080100': { vr: 'SH', Value: ['113104'] },
    '00080102': { vr: 'SH', Value: ['DCM'] },
    '00080104': { vr: 'LO', Value: ['Clean Structured Content Option'] },
  });
  dict['00120064'] = { vr: 'SQ', Value: methods };
}
