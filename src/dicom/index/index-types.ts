// Owns the shapes the header index produces: per-instance header facts, series/study/patient grouping, the
// ordered frame list and per-file errors. Later stages (decode, inference, export, UI) read only these.
import type { Vec3 } from '../volume.ts';

/** Where an instance's bytes live: a plain file, or an entry inside a zip file. */
export interface InstanceLocation {
  path: string;
  /** Entry name inside the zip at `path` (just a name: never used to build a file-system path). */
  zipEntry?: string;
}

export interface InstanceHeader extends InstanceLocation {
  fileSize: number;
  mtimeMs: number;
  patientId: string;
  patientName: string;
  studyInstanceUid: string;
  studyDate: string;
  studyDescription: string;
  accessionNumber: string;
  seriesInstanceUid: string;
  seriesNumber?: number;
  seriesDescription: string;
  sopInstanceUid: string;
  sopClassUid: string;
  transferSyntaxUid: string;
  modality: string;
  bodyPart: string;
  manufacturer: string;
  model: string;
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: number;
  photometric: string;
  numberOfFrames: number;
  instanceNumber?: number;
  imagePosition?: Vec3;
  /** Row direction then column direction (Image Orientation (Patient)). */
  imageOrientation?: [Vec3, Vec3];
  /** [row spacing, column spacing] in mm, as DICOM orders Pixel Spacing. */
  pixelSpacing?: [number, number];
  sliceThickness?: number;
  rescaleSlope: number;
  rescaleIntercept: number;
  windowCenter?: number;
  windowWidth?: number;
  /** Enhanced/multi-frame: Image Position (Patient) of each frame, from the per-frame functional groups. */
  framePositions?: (Vec3 | undefined)[];
  hasPixelData: boolean;
}

export interface FrameRef extends InstanceLocation {
  frameIndex: number;
  /** Position along the stacking direction (mm), when the geometry is known. */
  positionMm?: number;
  /** Image Position (Patient) of this frame, when known. */
  imagePosition?: Vec3;
  sopInstanceUid: string;
}

export interface IndexedSeries {
  seriesInstanceUid: string;
  seriesNumber?: number;
  modality: string;
  description: string;
  instances: InstanceHeader[];
  /** Frames in stacking order (ascending along the slice normal), or by Instance Number without geometry. */
  frames: FrameRef[];
  rows: number;
  columns: number;
  /** Unit slice normal (row × column) the frames were ordered along, when known. */
  normal?: Vec3;
  /** Things the UI should show next to the series; never fatal. */
  warnings: string[];
}

export interface IndexedStudy {
  studyInstanceUid: string;
  patientId: string;
  patientName: string;
  studyDate: string;
  description: string;
  /** Accession Number (0008,0050) of the study's first instance; '' when absent. */
  accessionNumber: string;
  series: IndexedSeries[];
}

export interface IndexedPatient {
  patientId: string;
  patientName: string;
  studies: IndexedStudy[];
}

export interface FileError {
  path: string;
  reason: string;
}

export interface DicomIndex {
  patients: IndexedPatient[];
  /** The same studies as under `patients`, flat. */
  studies: IndexedStudy[];
  /** Files that are not DICOM at all (counted, not errors). */
  skipped: number;
  errors: FileError[];
}
