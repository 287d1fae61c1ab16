// Owns the DICOM Structured Report Overread writes beside a SEG: a TID 1500 "Imaging Measurement Report"
// (Comprehensive SR) with one TID 1411 volumetric measurement group per nodule, each referencing its segment
// in the SEG and carrying the measurements the findings table has — volume, 3-D diameter, axial long and short
// axis, mean and SD of the attenuation in HU — with the reader's decision and the model as a comment. This is
// how public nodule datasets are shared (LIDC-IDRI in the Imaging Data Commons is SEG + TID 1500 SR), and a
// PACS shows the figures beside the images. Built as a dataset by hand: dcmjs's SR templates (0.52) reject a
// TrackingIdentifier given as one (an inverted type check) and log every measurement to the console; dcmjs
// only writes the bytes here, as for the SEG.
import {
  code,
  decimal,
  dicomDateTime,
  newUid,
  SEG_SOP_CLASS,
  type SegSourceImage,
} from '../write-seg/build-seg.ts';
import { DicomMetaDictionary, type DicomDict } from '../write-seg/dcmjs-dict.ts';
import { copyPatientStudy } from '../write/patient-study.ts';

export const COMPREHENSIVE_SR_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.88.33';

/** One nodule's measurement group. Values left out are not measured (e.g. no density outside CT). */
export interface ReportedFinding {
  /** Tracking Identifier, e.g. "Nodule 12" — the SEG segment's label. */
  trackingId: string;
  /** The SEG's Segment Number of this finding. */
  segmentNumber: number;
  volumeMm3?: number;
  diameterMm?: number;
  longAxisMm?: number;
  shortAxisMm?: number;
  meanHu?: number;
  sdHu?: number;
  /** Free text: the decision and the model, e.g. "confirmed; model overread-nodule-2d5 1.4.3, p 0.97". */
  comment?: string;
}

export interface MeasurementReportInput {
  /** Header of one source image: Patient and General Study are taken from it. */
  sourceHeader: DicomDict;
  sourceSeriesUid: string;
  /** The source images the segments lie on (the Image Library and the evidence list). */
  sourceImages: SegSourceImage[];
  seg: { sopInstanceUid: string; seriesInstanceUid: string };
  findings: ReportedFinding[];
  now?: Date;
  seriesNumber?: number;
}

type Code = ReturnType<typeof code>;
type Item = Record<string, unknown>;

const MM = code('mm', 'UCUM', 'millimeter');
const MM3 = code('mm3', 'UCUM', 'cubic millimeter');
const HU = code("[hnsf'U]", 'UCUM', 'Hounsfield unit');

const container = (relationship: string, name: Code, children: Item[], template?: string): Item => ({
  RelationshipType: relationship,
  ValueType: 'CONTAINER',
  ConceptNameCodeSequence: [name],
  ContinuityOfContent: 'SEPARATE',
  ...(template
    ? { ContentTemplateSequence: [{ MappingResource: 'DCMR', TemplateIdentifier: template }] }
    : {}),
  ContentSequence: children,
});
const text = (relationship: string, name: Code, value: string): Item => ({
  RelationshipType: relationship,
  ValueType: 'TEXT',
  ConceptNameCodeSequence: [name],
  TextValue: value,
});
const coded = (relationship: string, name: Code, value: Code): Item => ({
  RelationshipType: relationship,
  ValueType: 'CODE',
  ConceptNameCodeSequence: [name],
  ConceptCodeSequence: [value],
});
const uidRef = (relationship: string, name: Code, uid: string): Item => ({
  RelationshipType: relationship,
  ValueType: 'UIDREF',
  ConceptNameCodeSequence: [name],
  UID: uid,
});
const num = (name: Code, value: number, unit: Code, derivation?: Code): Item => ({
  RelationshipType: 'CONTAINS',
  ValueType: 'NUM',
  ConceptNameCodeSequence: [name],
  MeasuredValueSequence: [{ NumericValue: decimal(value), MeasurementUnitsCodeSequence: [unit] }],
  ...(derivation
    ? { ContentSequence: [coded('HAS CONCEPT MOD', code('121401', 'DCM', 'Derivation'), derivation)] }
    : {}),
});

function measurementGroup(finding: ReportedFinding, input: MeasurementReportInput): Item {
  const measurements: Item[] = [];
  const add = (value: number | undefined, name: Code, unit: Code, derivation?: Code) => {
    if (value !== undefined && Number.isFinite(value)) measurements.push(num(name, value, unit, derivation));
  };
  add(finding.volumeMm3, code('118565006', 'SCT', 'Volume'), MM3);
  add(finding.diameterMm, code('81827009', 'SCT', 'Diameter'), MM);
  add(finding.longAxisMm, code('103339001', 'SCT', 'Long Axis'), MM);
  add(finding.shortAxisMm, code('103340004', 'SCT', 'Short Axis'), MM);
  const attenuation = code('112031', 'DCM', 'Attenuation Coefficient');
  add(finding.meanHu, attenuation, HU, code('373098007', 'SCT', 'Mean'));
  add(finding.sdHu, attenuation, HU, code('386136009', 'SCT', 'Standard Deviation'));
  return container(
    'CONTAINS',
    code('125007', 'DCM', 'Measurement Group'),
    [
      text('HAS OBS CONTEXT', code('112039', 'DCM', 'Tracking Identifier'), finding.trackingId.slice(0, 64)),
      uidRef('HAS OBS CONTEXT', code('112040', 'DCM', 'Tracking Unique Identifier'), newUid()),
      coded('CONTAINS', code('121071', 'DCM', 'Finding'), code('27925004', 'SCT', 'Nodule')),
      {
        RelationshipType: 'CONTAINS',
        ValueType: 'IMAGE',
        ConceptNameCodeSequence: [code('121191', 'DCM', 'Referenced Segment')],
        ReferencedSOPSequence: [
          {
            ReferencedSOPClassUID: SEG_SOP_CLASS,
            ReferencedSOPInstanceUID: input.seg.sopInstanceUid,
            ReferencedSegmentNumber: finding.segmentNumber,
          },
        ],
      },
      uidRef('CONTAINS', code('121232', 'DCM', 'Source series for segmentation'), input.sourceSeriesUid),
      ...measurements,
      ...(finding.comment ? [text('CONTAINS', code('121106', 'DCM', 'Comment'), finding.comment)] : []),
    ],
    '1411',
  );
}

export function buildMeasurementReportDict(input: MeasurementReportInput): DicomDict {
  if (input.findings.length === 0) throw new Error('SR export: no finding to report');
  const now = dicomDateTime(input.now ?? new Date());
  const studyUid = String(input.sourceHeader['0020000D']?.Value?.[0] ?? '');
  const images = [...new Map(input.sourceImages.map((i) => [i.sopInstanceUid, i])).values()];
  const root = container(
    '',
    code('126000', 'DCM', 'Imaging Measurement Report'),
    [
      coded(
        'HAS CONCEPT MOD',
        code('121049', 'DCM', 'Language of Content Item and Descendants'),
        code('eng', 'RFC5646', 'English'),
      ),
      coded('HAS OBS CONTEXT', code('121005', 'DCM', 'Observer Type'), code('121007', 'DCM', 'Device')),
      uidRef('HAS OBS CONTEXT', code('121012', 'DCM', 'Device Observer UID'), newUid()),
      text('HAS OBS CONTEXT', code('121013', 'DCM', 'Device Observer Name'), 'Overread'),
      coded(
        'HAS CONCEPT MOD',
        code('121058', 'DCM', 'Procedure reported'),
        code('25045-6', 'LN', 'CT unspecified body region'),
      ),
      container('CONTAINS', code('111028', 'DCM', 'Image Library'), [
        container(
          'CONTAINS',
          code('126200', 'DCM', 'Image Library Group'),
          images.map((image) => ({
            RelationshipType: 'CONTAINS',
            ValueType: 'IMAGE',
            ReferencedSOPSequence: [
              {
                ReferencedSOPClassUID: image.sopClassUid,
                ReferencedSOPInstanceUID: image.sopInstanceUid,
              },
            ],
          })),
        ),
      ]),
      container(
        'CONTAINS',
        code('126010', 'DCM', 'Imaging Measurements'),
        input.findings.map((finding) => measurementGroup(finding, input)),
      ),
    ],
    '1500',
  );
  delete root['RelationshipType']; // the root item has none
  const dataset = {
    SpecificCharacterSet: 'ISO_IR 192',
    InstanceCreationDate: now.date,
    InstanceCreationTime: now.time,
    SOPClassUID: COMPREHENSIVE_SR_SOP_CLASS,
    SOPInstanceUID: newUid(),
    Modality: 'SR',
    Manufacturer: 'Overread',
    SeriesDate: now.date,
    SeriesTime: now.time,
    SeriesDescription: 'Overread nodule measurements',
    SeriesInstanceUID: newUid(),
    SeriesNumber: input.seriesNumber ?? 902,
    ReferencedPerformedProcedureStepSequence: [],
    InstanceNumber: 1,
    CompletionFlag: 'COMPLETE',
    VerificationFlag: 'UNVERIFIED',
    ContentDate: now.date,
    ContentTime: now.time,
    PerformedProcedureCodeSequence: [],
    CurrentRequestedProcedureEvidenceSequence: [
      {
        StudyInstanceUID: studyUid,
        ReferencedSeriesSequence: [
          {
            SeriesInstanceUID: input.sourceSeriesUid,
            ReferencedSOPSequence: images.map((image) => ({
              ReferencedSOPClassUID: image.sopClassUid,
              ReferencedSOPInstanceUID: image.sopInstanceUid,
            })),
          },
          {
            SeriesInstanceUID: input.seg.seriesInstanceUid,
            ReferencedSOPSequence: [
              { ReferencedSOPClassUID: SEG_SOP_CLASS, ReferencedSOPInstanceUID: input.seg.sopInstanceUid },
            ],
          },
        ],
      },
    ],
    ...root,
  };
  const dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  copyPatientStudy(dict, input.sourceHeader, { frameOfReference: false });
  return dict;
}
