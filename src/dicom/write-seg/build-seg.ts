// Owns the DICOM Segmentation (SEG) object Overread exports: one SEG per series, one segment per finding,
// BINARY frames only where a segment has voxels, each frame derived from (and positioned on) its source slice.
// Built as a dataset by hand rather than with dcmjs.derivations.Segmentation, which copies the source image's
// whole header (private tags, CT-only attributes) into the SEG and so fails dciodvfy; dcmjs only writes it.
import { randomUUID } from 'node:crypto';
import type { VolumeGeometry } from '../volume.ts';
import { voxelToPatient } from '../volume.ts';
import { DicomMetaDictionary, type DicomDict } from './dcmjs-dict.ts';
import { copyPatientStudy } from '../write/patient-study.ts';

export type SegmentAlgorithmType = 'AUTOMATIC' | 'SEMIAUTOMATIC' | 'MANUAL';

/**
 * A segment's voxels: a volume-sized array in the geometry's voxel order (non-zero inside), or the sparse form
 * the inference findings use — linear voxel indices i + j·cols + k·cols·rows — so a small nodule in a large
 * series never needs a volume-sized buffer.
 */
export type SegmentMask = ArrayLike<number> | { indices: Uint32Array };

/** In-slice pixel positions of a mask, per slice index k that holds any. */
export function maskSlices(mask: SegmentMask, sliceVoxels: number, slices: number): Map<number, number[]> {
  const bySlice = new Map<number, number[]>();
  const add = (index: number) => {
    const k = Math.floor(index / sliceVoxels);
    if (k < 0 || k >= slices)
      throw new Error(`SEG export: mask voxel ${index} lies outside the ${slices}-slice volume`);
    let positions = bySlice.get(k);
    if (!positions) bySlice.set(k, (positions = []));
    positions.push(index - k * sliceVoxels);
  };
  if ('indices' in mask) {
    for (const index of mask.indices) add(index);
  } else {
    if (mask.length !== sliceVoxels * slices) {
      throw new Error(`SEG export: a mask has ${mask.length} voxels, expected ${sliceVoxels * slices}`);
    }
    for (let index = 0; index < mask.length; index++) if (mask[index]) add(index);
  }
  return bySlice;
}

export interface SegSegment {
  /** Segment Label, e.g. "Nodule 3". */
  label: string;
  /** AUTOMATIC: unreviewed model proposal; SEMIAUTOMATIC: model finding a reader confirmed; MANUAL: drawn or corrected. */
  algorithmType: SegmentAlgorithmType;
  /** Required unless MANUAL: the model's id and version. */
  algorithmName?: string;
  description?: string;
  mask: SegmentMask;
}

export interface SegSourceImage {
  sopClassUid: string;
  sopInstanceUid: string;
  /** 1-based frame of a multi-frame source instance (Referenced Frame Number); absent for single-frame. */
  frameNumber?: number;
}

export interface SegInput {
  geometry: VolumeGeometry;
  /** The source image of each slice k (same order as the volume). */
  sourceImages: SegSourceImage[];
  /** Header of one source image: patient, study, series and frame-of-reference attributes are taken from it. */
  sourceHeader: DicomDict;
  segments: SegSegment[];
  /** Content Creator's Name: the reader who made the final labels. */
  contentCreatorName?: string;
  seriesNumber?: number;
  seriesDescription?: string;
  now?: Date;
  /** The SEG's own UIDs, when a report that references it is written beside it (fresh ones otherwise). */
  sopInstanceUid?: string;
  seriesInstanceUid?: string;
}

/** A fresh UID under the 2.25 root (PS3.5 B.2: the integer form of a random UUID). */
export function newUid(): string {
  return `2.25.${BigInt(`0x${randomUUID().replace(/-/g, '')}`).toString(10)}`;
}

export const SEG_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.66.4';
export const code = (value: string, scheme: string, meaning: string) => ({
  CodeValue: value,
  CodingSchemeDesignator: scheme,
  CodeMeaning: meaning,
});

export function dicomDateTime(now: Date): { date: string; time: string } {
  const iso = now.toISOString();
  return { date: iso.slice(0, 10).replace(/-/g, ''), time: iso.slice(11, 19).replace(/:/g, '') };
}

export function decimal(value: number): string {
  // DS holds at most 16 characters.
  const text = String(Number(value.toPrecision(10)));
  return text.length <= 16 ? text : value.toExponential(6);
}

/**
 * The SEG as a dataset, and the source slices its frames lie on (ascending): the images a report written beside
 * it references.
 */
export function buildSeg(input: SegInput): { dict: DicomDict; slices: number[] } {
  const { geometry, sourceImages, sourceHeader, segments } = input;
  const [columns, rows, slices] = geometry.size;
  if (sourceImages.length !== slices) {
    throw new Error(`SEG export: ${sourceImages.length} source images for a volume of ${slices} slices`);
  }
  const sliceVoxels = columns * rows;
  const now = dicomDateTime(input.now ?? new Date());
  const seriesUid = String(sourceHeader['0020000E']?.Value?.[0] ?? '');

  // Which slices each segment occupies, in segment-then-slice order (the dimension organisation below).
  const frames: { segment: number; slice: number; positions: number[] }[] = [];
  segments.forEach((segment, s) => {
    const bySlice = maskSlices(segment.mask, sliceVoxels, slices);
    for (const slice of [...bySlice.keys()].sort((a, b) => a - b)) {
      frames.push({ segment: s, slice, positions: bySlice.get(slice) ?? [] });
    }
  });
  if (frames.length === 0) throw new Error('SEG export: every segment is empty — nothing to write');

  // BINARY SEG: 1 bit per pixel, frames packed back to back, least significant bit first (PS3.5 8.1.1).
  const pixelData = new Uint8Array(Math.ceil((frames.length * sliceVoxels) / 8));
  frames.forEach(({ positions }, f) => {
    const base = f * sliceVoxels;
    for (const p of positions) {
      const bit = base + p;
      pixelData[bit >> 3] |= 1 << (bit & 7);
    }
  });

  const dimensionUid = newUid();
  const [rowDirection, columnDirection] = geometry.direction;
  const dataset = {
    SpecificCharacterSet: 'ISO_IR 192',
    ImageType: ['DERIVED', 'PRIMARY'],
    InstanceCreationDate: now.date,
    InstanceCreationTime: now.time,
    SOPClassUID: SEG_SOP_CLASS,
    SOPInstanceUID: input.sopInstanceUid ?? newUid(),
    SeriesDate: now.date,
    SeriesTime: now.time,
    ContentDate: now.date,
    ContentTime: now.time,
    Modality: 'SEG',
    Manufacturer: 'Overread',
    ManufacturerModelName: 'Overread',
    DeviceSerialNumber: '0',
    SoftwareVersions: '0.1.0',
    SeriesDescription: input.seriesDescription ?? 'Overread nodule segmentation',
    SeriesInstanceUID: input.seriesInstanceUid ?? newUid(),
    SeriesNumber: input.seriesNumber ?? 901,
    InstanceNumber: 1,
    ContentLabel: 'NODULES',
    ContentDescription: 'Lung nodule segmentation',
    ContentCreatorName: input.contentCreatorName ?? '',
    SegmentationType: 'BINARY',
    LossyImageCompression: '00',
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: rows,
    Columns: columns,
    BitsAllocated: 1,
    BitsStored: 1,
    HighBit: 0,
    PixelRepresentation: 0,
    NumberOfFrames: frames.length,
    SegmentSequence: segments.map((segment, s) => ({
      SegmentNumber: s + 1,
      SegmentLabel: segment.label.slice(0, 64),
      ...(segment.description ? { SegmentDescription: segment.description.slice(0, 64) } : {}),
      SegmentAlgorithmType: segment.algorithmType,
      ...(segment.algorithmType !== 'MANUAL'
        ? { SegmentAlgorithmName: (segment.algorithmName ?? 'Overread model').slice(0, 64) }
        : {}),
      SegmentedPropertyCategoryCodeSequence: [code('49755003', 'SCT', 'Morphologically abnormal structure')],
      SegmentedPropertyTypeCodeSequence: [code('27925004', 'SCT', 'Nodule')],
    })),
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: dimensionUid }],
    DimensionIndexSequence: [
      {
        DimensionOrganizationUID: dimensionUid,
        DimensionIndexPointer: 0x0062000b, // Referenced Segment Number
        FunctionalGroupPointer: 0x0062000a, // Segment Identification Sequence
        DimensionDescriptionLabel: 'Segment',
      },
      {
        DimensionOrganizationUID: dimensionUid,
        DimensionIndexPointer: 0x00200032, // Image Position (Patient)
        FunctionalGroupPointer: 0x00209113, // Plane Position Sequence
        DimensionDescriptionLabel: 'Position',
      },
    ],
    SharedFunctionalGroupsSequence: [
      {
        PlaneOrientationSequence: [
          { ImageOrientationPatient: [...rowDirection, ...columnDirection].map(decimal) },
        ],
        PixelMeasuresSequence: [
          {
            // Pixel Spacing is (between rows, between columns) = (j spacing, i spacing).
            PixelSpacing: [decimal(geometry.spacing[1]), decimal(geometry.spacing[0])],
            SliceThickness: decimal(Number(sourceHeader['00180050']?.Value?.[0] ?? geometry.spacing[2])),
            SpacingBetweenSlices: decimal(geometry.spacing[2]),
          },
        ],
      },
    ],
    PerFrameFunctionalGroupsSequence: frames.map(({ segment, slice }) => ({
      DerivationImageSequence: [
        {
          SourceImageSequence: [
            {
              ReferencedSOPClassUID: sourceImages[slice].sopClassUid,
              ReferencedSOPInstanceUID: sourceImages[slice].sopInstanceUid,
              ...(sourceImages[slice].frameNumber
                ? { ReferencedFrameNumber: sourceImages[slice].frameNumber }
                : {}),
              PurposeOfReferenceCodeSequence: [
                code('121322', 'DCM', 'Source image for image processing operation'),
              ],
            },
          ],
          DerivationCodeSequence: [code('113076', 'DCM', 'Segmentation')],
        },
      ],
      FrameContentSequence: [{ DimensionIndexValues: [segment + 1, slice + 1] }],
      PlanePositionSequence: [{ ImagePositionPatient: voxelToPatient(geometry, [0, 0, slice]).map(decimal) }],
      SegmentIdentificationSequence: [{ ReferencedSegmentNumber: segment + 1 }],
    })),
    ReferencedSeriesSequence: [
      {
        SeriesInstanceUID: seriesUid,
        // One entry per instance, even when several slices are frames of one multi-frame instance.
        ReferencedInstanceSequence: [...new Map(sourceImages.map((i) => [i.sopInstanceUid, i])).values()].map(
          (image) => ({
            ReferencedSOPClassUID: image.sopClassUid,
            ReferencedSOPInstanceUID: image.sopInstanceUid,
          }),
        ),
      },
    ],
  };
  const dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  copyPatientStudy(dict, sourceHeader, { frameOfReference: true });
  dict['7FE00010'] = { vr: 'OB', Value: [pixelData.buffer] };
  return { dict, slices: [...new Set(frames.map(({ slice }) => slice))].sort((a, b) => a - b) };
}
