// Owns the contract of the labeled-dataset store: what the API, the CLI (triage --db, export, audit, metrics)
// and the tests may ask of it. The SQLite implementation lives beside it (open-dataset.ts); nothing outside
// src/dataset touches SQL. Masks cross this boundary as sparse voxel lists or per-slice 0/1 bytes, never as
// volume-sized buffers.
import type { IndexedSeries, IndexedStudy } from '../dicom/index/index-types.ts';
import type { Finding } from '../inference/findings-at-threshold.ts';
import type { VolumeGeometry } from '../dicom/volume.ts';

import type { DecisionKind, RejectReason, SeriesStatus, WorklistSort } from '../shared/review-vocabulary.ts';
export type { DecisionKind, RejectReason, SeriesStatus, WorklistSort };
import type { ReaderAgreement } from '../shared/api-types.ts';
import type { PlaneEdit, PlaneOutcome } from './paint-plane.ts';
export type { ReaderAgreement };

export interface ModelRef {
  id: string;
  version: string;
  sha256: string;
}

export interface StoredSeries {
  seriesUid: string;
  studyUid: string;
  patientId: string;
  patientName: string;
  studyDate: string;
  /** Accession Number (0008,0050) of the study; '' when absent. */
  accessionNumber: string;
  studyDescription: string;
  seriesDescription: string;
  modality: string;
  bodyPart: string;
  manufacturer: string;
  scannerModel: string;
  instances: number;
  rows: number;
  columns: number;
  /** The series' index entry as imported (frames in stacking order, per-instance headers). */
  indexed: IndexedSeries;
  /** Volume geometry (from the index at import), null when the series has no usable geometry. */
  geometry: VolumeGeometry | null;
  sliceThicknessMm: number | null;
  status: SeriesStatus;
  /** Highest finding score (or highest probability anywhere) of the latest complete run; null before one. */
  score: number | null;
  /**
   * Longest diameter (mm) of the largest model finding of the latest complete run (schema 6), which ranks series
   * whose scores read alike; null before a run or when it found nothing.
   */
  largestMm: number | null;
  warnings: string[];
  scopeWarnings: string[];
  arrivedAt: string;
  /** Id of the latest completed model run, or null. */
  latestRunId: number | null;
}

/** A file of an imported series whose size or mtime no longer matches what was imported. */
/** A follow-up's registration with its prior as found by a method (src/followup), kept across restarts. */
export interface StoredRegistration {
  translationMm: [number, number, number];
  correlation: number;
  overlap: number;
  cellMm: number;
  /** How long finding it took. */
  seconds: number;
}

export interface ChangedFile {
  path: string;
  zipEntry?: string;
  reason: 'missing' | 'changed';
}

export interface WorklistQuery {
  status?: SeriesStatus;
  sort?: WorklistSort;
  /** Matches patient id/name, accession number, study/series description (case-insensitive substring). */
  q?: string;
  modality?: string;
  limit?: number;
  offset?: number;
  /** Series waiting longer than this rise to the top regardless of score (starvation cap). Default 24 h. */
  maxWaitHours?: number;
  /** For tests: the clock. */
  now?: Date;
}

export interface WorklistRow {
  series: StoredSeries;
  findingCount: number;
  /** Findings the given reader has decided (or all readers when no reader is given). */
  reviewedCount: number;
  /** True when the series has waited past maxWaitHours and was lifted above the score order. */
  overdue?: boolean;
  /** Date (YYYYMMDD) of the patient's latest earlier study with a series of this modality, or null. */
  priorStudyDate: string | null;
}

export interface ModelRunRecord {
  id: number;
  seriesUid: string;
  model: ModelRef;
  threshold: number;
  params: Record<string, unknown>;
  startedAt: string;
  finishedAt: string | null;
  state: 'running' | 'complete' | 'failed' | 'skipped';
  message: string | null;
  score: number | null;
  seconds: number | null;
}

export interface DecisionRecord {
  kind: DecisionKind;
  reason: RejectReason | null;
  note: string | null;
  reader: string;
  at: string;
}

export interface StoredFinding {
  id: number;
  seriesUid: string;
  /** The model run that proposed it, or null for a reader-added finding. */
  runId: number | null;
  source: 'model' | 'reader';
  /** Reader who added it (source 'reader'). */
  addedBy: string | null;
  score: number | null;
  volumeMm3: number;
  diameterMm: number;
  centerMm: [number, number, number];
  sliceRange: [number, number];
  focusSlice: number;
  focusPoint: [number, number];
  /** The latest decision of the reader asked about (or of anyone when no reader was given), or null. */
  decision: DecisionRecord | null;
}

export interface AuditEntry {
  seq: number;
  at: string;
  reader: string | null;
  action: string;
  /** JSON of what changed (ids, kinds, reasons; never a patient name or id). */
  detail: string;
  prevHash: string;
  hash: string;
}

/** An audit entry recorded outside the dataset: an export manifest's datasetVersion ("audit 12 9f86d081884c7d65"). */
export interface AuditAnchor {
  seq: number;
  /** The entry's hash or its first characters (at least 8 hex digits). */
  hashPrefix: string;
}

export interface AuditVerification {
  ok: boolean;
  entries: number;
  /** First broken entry, with why. */
  brokenAt?: { seq: number; reason: string };
}

export interface UndoOutcome {
  applied: boolean;
  description: string;
}

export interface SavedThreshold {
  modelId: string;
  threshold: number;
  setBy: string;
  at: string;
}

/** What the store needs to record one finished model run. */
export interface RunOutcome {
  findings: Finding[];
  score: number;
  /** Probability × 255 on the series grid (slice-major, k then j then i); kept compressed per slice. */
  probability: Uint8Array;
  warnings: string[];
  /**
   * A model's own run (not one derived from a kept map): those of `warnings` about the series lying outside the
   * model's declared scope. Given, the run also sets what the worklist shows with the series (all of
   * `warnings`) and, when nothing was found and some are scope warnings, marks the series outside-scope
   * rather than "no findings" (issue 7); a run's other notes (int8-kernel-check.ts) never do.
   */
  scopeWarnings?: string[];
  seconds: number;
}

export interface DatasetStore {
  readonly path: string;
  readonly schemaVersion: number;
  close(): void;

  // Readers (a local identity; several per install).
  addReader(name: string): void;
  readers(): string[];

  // Import: roots the user opened (file access is allowed only below them) and the series found there.
  addRoot(path: string): void;
  roots(): string[];
  /** Upserts a study's series (and their instance files with size + mtime). Returns the series uids. */
  importStudy(study: IndexedStudy, geometry: Map<string, VolumeGeometry | null>): string[];
  series(seriesUid: string): StoredSeries | undefined;
  /** The same patient's series in other studies, newest study first (none for an empty Patient ID). */
  patientSeries(seriesUid: string): StoredSeries[];
  /** Instance files whose size/mtime differ from the import (moved or changed since). */
  changedFiles(seriesUid: string): ChangedFile[];
  worklist(query: WorklistQuery, reader?: string): { rows: WorklistRow[]; total: number };
  setStatus(seriesUid: string, status: SeriesStatus, reader: string | null): void;

  // Model runs: a run is 'running' until finishRun commits it with all its findings in one transaction, so
  // a crash never leaves a half-written run shown as complete.
  startRun(seriesUid: string, model: ModelRef, threshold: number, params: Record<string, unknown>): number;
  finishRun(runId: number, outcome: RunOutcome): StoredFinding[];
  failRun(runId: number, state: 'failed' | 'skipped', message: string): void;
  run(runId: number): ModelRunRecord | undefined;
  runs(seriesUid?: string): ModelRunRecord[];
  /** uint8 probability × 255 of slice k of a run (rows × columns), or undefined when not kept. */
  probabilitySlice(runId: number, k: number): Uint8Array | undefined;
  /** The registration of a series with a prior that `method` found and kept, or undefined. */
  registration(seriesUid: string, priorUid: string, method: string): StoredRegistration | undefined;
  /** Keeps a registration (until either series is imported again). */
  saveRegistration(seriesUid: string, priorUid: string, method: string, found: StoredRegistration): void;

  // Findings and review. Every change below is one transaction that also appends to the audit log.
  findings(seriesUid: string, reader?: string, options?: { blind?: boolean }): StoredFinding[];
  finding(findingId: number, reader?: string): StoredFinding | undefined;
  /** 0/1 bytes rows × columns; 'final' is the reader's corrected mask when there is one, else the proposal. */
  maskSlice(findingId: number, k: number, kind: 'final' | 'proposal', reader?: string): Uint8Array;
  /** Whole mask as ascending linear voxel indices (for export, Dice). */
  maskVoxels(findingId: number, kind: 'final' | 'proposal', reader?: string): Uint32Array;
  decide(
    findingId: number,
    reader: string,
    decision: { kind: 'confirmed' | 'rejected'; reason?: RejectReason; note?: string },
  ): DecisionRecord;
  /** Replaces slice k of the reader's final mask (a correction); the proposal is never overwritten. */
  correctMaskSlice(findingId: number, reader: string, k: number, mask: Uint8Array): DecisionRecord;
  /**
   * Fills the empty slices between the slices the reader's mask has (shape-based interpolation), as one
   * undoable action; a finding with no such gap is refused with what to paint first.
   */
  fillBetweenSlices(findingId: number, reader: string): { decision: DecisionRecord; filled: number[] };
  /**
   * Paints the reader's mask along a reformatted plane (image row or column) over consecutive slices, as one
   * undoable action; only slices whose line changed are stored.
   */
  paintPlane(findingId: number, reader: string, edit: PlaneEdit): PlaneOutcome;
  /** A finding the model missed, painted on slice k. */
  addFinding(seriesUid: string, reader: string, k: number, mask: Uint8Array): StoredFinding;
  /**
   * A finding the model missed, outlined in 3-D from a click: slice k → mask, one undoable action; `how` (the
   * click, how the outline was freed from what it touched) is kept in the audit entry.
   */
  addOutlinedFinding(
    seriesUid: string,
    reader: string,
    masks: Map<number, Uint8Array>,
    how: Record<string, unknown>,
  ): StoredFinding;
  undo(seriesUid: string, reader: string): UndoOutcome;
  redo(seriesUid: string, reader: string): UndoOutcome;
  agreement(seriesUid: string, readerA: string, readerB: string): ReaderAgreement;

  // Thresholds chosen in calibration, per model, with who and when.
  saveThreshold(modelId: string, threshold: number, reader: string): SavedThreshold;
  threshold(modelId: string): SavedThreshold | undefined;

  // Audit log.
  audit(): AuditEntry[];
  /** The newest entry (the head exports record), read alone rather than with the whole log. */
  lastAudit(): AuditEntry | undefined;
  /** Walks the hash chain; with `anchor`, the chain must also still hold that entry. */
  verifyAudit(anchor?: AuditAnchor): AuditVerification;
}
