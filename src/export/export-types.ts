// Owns the shapes the export orchestrator consumes, independent of where they come from (the SQLite store in
// the app, in-memory fixtures in tests): a series with its source files, a lazy volume, and its findings.
import type { Volume, VolumeGeometry } from '../dicom/volume.ts';
import type { SegmentAlgorithmType, SegmentMask, SegSourceImage } from '../dicom/write-seg/build-seg.ts';
import type { NoduleChange } from '../shared/api-types.ts';
import type { FindingExportRow } from './findings-table.ts';

export type ExportFormat = 'nnunet' | 'nifti' | 'dicom-seg' | 'csv' | 'json';
export const EXPORT_FORMATS: ExportFormat[] = ['nnunet', 'nifti', 'dicom-seg', 'csv', 'json'];

export interface LoadedSeries {
  volume: Volume<ArrayLike<number>>;
  /** The source image of each slice k of the volume. */
  sourceImages: SegSourceImage[];
}

export interface ExportFinding {
  /** The table row, without the case id the orchestrator assigns. */
  row: Omit<FindingExportRow, 'caseId'>;
  /** Loads the finding's mask (the final label, or the proposal when proposals are included), volume-sized. */
  loadMask?: () => Promise<SegmentMask>;
  algorithmType: SegmentAlgorithmType;
  /** Model id and version, for non-MANUAL segments. */
  algorithmName?: string;
}

export interface ExportSourceFile {
  /** Shown in errors: a path, or "archive.zip!entry". */
  name: string;
  read: () => Promise<Uint8Array>;
}

export interface ExportSeries {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  /** Patient ID of the source (pseudonymised when de-identifying; never logged). */
  patientId?: string;
  /** Source DICOM files, in any order: plain paths, or a name plus a reader (an entry inside a zip). */
  files: (string | ExportSourceFile)[];
  /** Decodes the series; only called for formats that need voxels. */
  loadVolume: () => Promise<LoadedSeries>;
  /**
   * What measuring the findings' density and axes needs (finding-density.ts): the modality, the geometry, and
   * a decoder of single slices; absent where the source cannot be decoded (the table then leaves them empty).
   */
  measure?: {
    modality: string;
    geometry: VolumeGeometry;
    loadSlices: (ks: readonly number[]) => Promise<Map<number, Float32Array>>;
  };
  findings: ExportFinding[];
  /**
   * The series against the patient's most recent earlier study of its modality (src/followup/), or null when
   * there is none; absent where nobody attached one (tests, the PACS push). Fills the rows' prior columns.
   */
  compareWithPrior?: () => Promise<PriorChanges | null>;
}

/** What a follow-up says of a series' findings, as the table's prior columns need it. */
export interface PriorChanges {
  priorSeriesInstanceUid: string;
  /** Days from the prior study to this one; null when a study date is missing. */
  intervalDays: number | null;
  /** The scans lined up poorly: the pairing is worth a look. */
  uncertain: boolean;
  changes: NoduleChange[];
}

export interface ExportProgress {
  done: number;
  total: number;
  /** What is being written; never a patient name or id. */
  step: string;
}

export interface ExportOptions {
  format: ExportFormat;
  outDir: string;
  deidentify?: boolean;
  /** Where to write the pseudonym key (only with deidentify); must lie outside outDir. */
  keyFile?: string;
  datasetVersion?: string;
  selection?: Record<string, unknown>;
  onProgress?: (progress: ExportProgress) => void;
}

export interface SkippedCase {
  caseId: string;
  reason: string;
}

export interface ExportSummary {
  outDir: string;
  cases: number;
  findings: number;
  files: number;
  /** Cases left out because their source could not be read or written; the rest were exported. */
  skipped: SkippedCase[];
  keyFile?: string;
}
