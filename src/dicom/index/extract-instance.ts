// Owns reading the header facts later stages need out of one parsed dataset, including the enhanced
// multi-frame functional groups, and refusing headers whose sizes cannot be true for the bytes present.
import type dicomParser from 'dicom-parser';
import type { Vec3 } from '../volume.ts';
import type { InstanceHeader } from './index-types.ts';

type DataSet = dicomParser.DataSet;

const TAG = {
  perFrame: 'x52009230',
  shared: 'x52009229',
  planePosition: 'x00209113',
  planeOrientation: 'x00209116',
  pixelMeasures: 'x00289110',
  pixelValueTransform: 'x00289145',
  frameVoiLut: 'x00289132',
  pixelData: 'x7fe00010',
} as const;

/** Limits far above any real image; a header beyond them is corrupt or hostile. */
const MAX_FRAMES = 100_000;

function text(dataSet: DataSet | undefined, tag: string): string {
  if (!dataSet?.elements[tag]) return '';
  try {
    return dataSet.string(tag)?.trim() ?? '';
  } catch {
    return '';
  }
}

function numbers(dataSet: DataSet | undefined, tag: string): number[] {
  const value = text(dataSet, tag);
  if (!value) return [];
  return value.split('\\').map((part) => Number(part.trim()));
}

function firstNumber(dataSet: DataSet | undefined, tag: string): number | undefined {
  const value = numbers(dataSet, tag)[0];
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}

function uint16(dataSet: DataSet, tag: string): number | undefined {
  const element = dataSet.elements[tag];
  if (!element || element.length < 2) return undefined;
  return dataSet.uint16(tag);
}

function vector(dataSet: DataSet | undefined, tag: string, count: number): number[] | undefined {
  const values = numbers(dataSet, tag);
  return values.length >= count && values.slice(0, count).every(Number.isFinite)
    ? values.slice(0, count)
    : undefined;
}

function position(dataSet: DataSet | undefined): Vec3 | undefined {
  return vector(dataSet, 'x00200032', 3) as Vec3 | undefined;
}

function orientation(dataSet: DataSet | undefined): [Vec3, Vec3] | undefined {
  const v = vector(dataSet, 'x00200037', 6);
  if (!v) return undefined;
  const row: Vec3 = [v[0], v[1], v[2]];
  const column: Vec3 = [v[3], v[4], v[5]];
  // A zero or parallel pair spans no plane: treated as no orientation (the fuzzer's [0,0,0] row vector made
  // the series ordering throw).
  const normal = [
    row[1] * column[2] - row[2] * column[1],
    row[2] * column[0] - row[0] * column[2],
    row[0] * column[1] - row[1] * column[0],
  ];
  const spanned = Math.hypot(...normal) / (Math.hypot(...row) * Math.hypot(...column));
  return spanned > 0.5 ? [row, column] : undefined;
}

function spacing(dataSet: DataSet | undefined): [number, number] | undefined {
  const v = vector(dataSet, 'x00280030', 2);
  return v && v[0] > 0 && v[1] > 0 ? [v[0], v[1]] : undefined;
}

/** The first item of a functional-group macro sequence inside one functional-groups item. */
function macro(group: DataSet | undefined, tag: string): DataSet | undefined {
  return group?.elements[tag]?.items?.[0]?.dataSet;
}

function multiFrameFacts(dataSet: DataSet, frames: number) {
  const shared = dataSet.elements[TAG.shared]?.items?.[0]?.dataSet;
  const perFrame = dataSet.elements[TAG.perFrame]?.items ?? [];
  const firstFrame = perFrame[0]?.dataSet;
  const pick = <T>(read: (group: DataSet | undefined) => T | undefined): T | undefined =>
    read(shared) ?? read(firstFrame);
  const framePositions =
    perFrame.length > 0
      ? perFrame.slice(0, frames).map((item) => position(macro(item.dataSet, TAG.planePosition)))
      : undefined;
  return {
    framePositions,
    orientation: pick((g) => orientation(macro(g, TAG.planeOrientation))),
    spacing: pick((g) => spacing(macro(g, TAG.pixelMeasures))),
    thickness: pick((g) => firstNumber(macro(g, TAG.pixelMeasures), 'x00180050')),
    slope: pick((g) => firstNumber(macro(g, TAG.pixelValueTransform), 'x00281053')),
    intercept: pick((g) => firstNumber(macro(g, TAG.pixelValueTransform), 'x00281052')),
    windowCenter: pick((g) => firstNumber(macro(g, TAG.frameVoiLut), 'x00281050')),
    windowWidth: pick((g) => firstNumber(macro(g, TAG.frameVoiLut), 'x00281051')),
  };
}

/** Pixel bytes the header claims, for comparison with the bytes the file really holds. */
function checkPlausible(header: InstanceHeader, encapsulated: boolean, fileSize: number): void {
  const { rows, columns, numberOfFrames, samplesPerPixel, bitsAllocated } = header;
  if (!header.hasPixelData) return;
  if (rows === 0 || columns === 0)
    throw new Error(`Rows ${rows} × Columns ${columns} with pixel data present`);
  if (numberOfFrames > MAX_FRAMES) throw new Error(`Number of Frames ${numberOfFrames} is implausible`);
  if (samplesPerPixel < 1 || samplesPerPixel > 4)
    throw new Error(`Samples per Pixel ${samplesPerPixel} is invalid`);
  if (![1, 8, 16, 32, 64].includes(bitsAllocated))
    throw new Error(`Bits Allocated ${bitsAllocated} is invalid`);
  const claimed = encapsulated
    ? numberOfFrames * 8 // at least one item header per frame
    : (rows * columns * numberOfFrames * samplesPerPixel * bitsAllocated) / 8;
  if (claimed > fileSize) {
    throw new Error(
      `header claims ${rows}×${columns}×${numberOfFrames} frames (${Math.round(claimed)} bytes) but the file holds ${fileSize} bytes — truncated or corrupt`,
    );
  }
}

const UNCOMPRESSED = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1', '1.2.840.10008.1.2.2']);

/**
 * Header facts of one dataset. Throws an Error with a readable reason when a required UID is missing or the
 * sizes in the header cannot be true for a file of `fileSize` bytes.
 */
export function extractInstance(
  dataSet: DataSet,
  transferSyntaxUid: string,
  location: { path: string; zipEntry?: string; fileSize: number; mtimeMs: number },
): InstanceHeader {
  const rows = uint16(dataSet, 'x00280010') ?? 0;
  const columns = uint16(dataSet, 'x00280011') ?? 0;
  const numberOfFrames = Math.max(1, Math.floor(firstNumber(dataSet, 'x00280008') ?? 1));
  const seriesInstanceUid = text(dataSet, 'x0020000e');
  const studyInstanceUid = text(dataSet, 'x0020000d');
  const sopInstanceUid = text(dataSet, 'x00080018') || text(dataSet, 'x00020003');
  if (!seriesInstanceUid || !studyInstanceUid || !sopInstanceUid) {
    const missing = [
      !studyInstanceUid && 'Study Instance UID',
      !seriesInstanceUid && 'Series Instance UID',
      !sopInstanceUid && 'SOP Instance UID',
    ].filter(Boolean);
    throw new Error(`missing ${missing.join(', ')}`);
  }
  const enhanced = dataSet.elements[TAG.perFrame] || dataSet.elements[TAG.shared];
  const multi =
    enhanced && numberOfFrames <= MAX_FRAMES ? multiFrameFacts(dataSet, numberOfFrames) : undefined;
  const windowCenter = firstNumber(dataSet, 'x00281050') ?? multi?.windowCenter;
  const windowWidth = firstNumber(dataSet, 'x00281051') ?? multi?.windowWidth;
  const instanceNumber = firstNumber(dataSet, 'x00200013');
  const seriesNumber = firstNumber(dataSet, 'x00200011');
  // Every field always present (undefined when absent): one object shape keeps the hot path monomorphic.
  const header: InstanceHeader = {
    path: location.path,
    zipEntry: location.zipEntry,
    fileSize: location.fileSize,
    mtimeMs: location.mtimeMs,
    patientId: text(dataSet, 'x00100020'),
    patientName: text(dataSet, 'x00100010'),
    studyInstanceUid,
    studyDate: text(dataSet, 'x00080020'),
    studyDescription: text(dataSet, 'x00081030'),
    accessionNumber: text(dataSet, 'x00080050'),
    seriesInstanceUid,
    seriesNumber,
    seriesDescription: text(dataSet, 'x0008103e'),
    sopInstanceUid,
    sopClassUid: text(dataSet, 'x00080016') || text(dataSet, 'x00020002'),
    transferSyntaxUid,
    modality: text(dataSet, 'x00080060'),
    bodyPart: text(dataSet, 'x00180015'),
    manufacturer: text(dataSet, 'x00080070'),
    model: text(dataSet, 'x00081090'),
    rows,
    columns,
    samplesPerPixel: uint16(dataSet, 'x00280002') ?? 1,
    bitsAllocated: uint16(dataSet, 'x00280100') ?? 16,
    bitsStored: uint16(dataSet, 'x00280101') ?? uint16(dataSet, 'x00280100') ?? 16,
    pixelRepresentation: uint16(dataSet, 'x00280103') ?? 0,
    photometric: text(dataSet, 'x00280004'),
    numberOfFrames,
    instanceNumber,
    rescaleSlope: firstNumber(dataSet, 'x00281053') ?? multi?.slope ?? 1,
    rescaleIntercept: firstNumber(dataSet, 'x00281052') ?? multi?.intercept ?? 0,
    windowCenter,
    windowWidth,
    hasPixelData: Boolean(dataSet.elements[TAG.pixelData]),
  };
  const imagePosition = position(dataSet) ?? multi?.framePositions?.[0];
  const imageOrientation = orientation(dataSet) ?? multi?.orientation;
  const pixelSpacing = spacing(dataSet) ?? multi?.spacing;
  const sliceThickness = firstNumber(dataSet, 'x00180050') ?? multi?.thickness;
  header.imagePosition = imagePosition;
  header.imageOrientation = imageOrientation;
  header.pixelSpacing = pixelSpacing;
  header.sliceThickness = sliceThickness;
  header.framePositions = numberOfFrames > 1 ? multi?.framePositions : undefined;
  checkPlausible(header, !UNCOMPRESSED.has(transferSyntaxUid), location.fileSize);
  return header;
}
