// The contract between the renderer and the API (`app://api/...` in Electron, `/api/...` under `overread serve`).
// Types only (the vocabulary lists live in review-vocabulary.ts): the renderer imports nothing else from src/. Binary endpoints are described in comments here.

export type Vec3 = [number, number, number];

import type { DecisionKind, RejectReason, SeriesStatus, WorklistSort } from './review-vocabulary.ts';
export type { DecisionKind, RejectReason, SeriesStatus, WorklistSort };

/** GET /api/worklist?status=&q=&modality=&sort=&limit=&offset= → WorklistPage. */
export interface WorklistItem {
  seriesUid: string;
  studyUid: string;
  patientId: string;
  patientName: string;
  studyDate: string;
  /** Accession Number (0008,0050); '' when absent. */
  accessionNumber: string;
  studyDescription: string;
  seriesDescription: string;
  modality: string;
  instances: number;
  /** The model's highest probability anywhere in the series (full precision); null before the model ran. */
  score: number | null;
  /**
   * Longest diameter (mm) of the model's largest finding in its latest run; null before a run or when it found
   * nothing. Among scores shown alike (">99.9%") the worklist ranks by it.
   */
  largestMm: number | null;
  findingCount: number;
  reviewedCount: number;
  status: SeriesStatus;
  /** Why the series is outside the model's scope, or why it was skipped; empty when in scope. */
  scopeWarnings: string[];
  /** Index warnings (missing slices, uneven spacing…). */
  warnings: string[];
  /** ISO time the series arrived; low-score series rise in the list once they have waited too long. */
  arrivedAt: string;
  /** True when the series waited past the cap and was lifted above the score order. */
  overdue?: boolean;
  /**
   * Study date (YYYYMMDD) of the patient's latest earlier study in the dataset with a series of this modality
   * — what the viewer's Since prior box compares with — or null.
   */
  priorStudyDate: string | null;
}

export interface WorklistPage {
  items: WorklistItem[];
  total: number;
}

/** GET /api/series/:seriesUid */
export interface SeriesInfo {
  seriesUid: string;
  studyUid: string;
  patientId: string;
  patientName: string;
  studyDate: string;
  studyDescription: string;
  seriesDescription: string;
  modality: string;
  rows: number;
  columns: number;
  /** Slices in display order (k = 0 … slices-1), as in the volume geometry. */
  slices: number;
  geometry: { size: Vec3; spacing: Vec3; origin: Vec3; direction: [Vec3, Vec3, Vec3] };
  /** Position of each slice along the stacking direction, mm. */
  slicePositionsMm: number[];
  sliceThicknessMm: number | null;
  pixelSpacingMm: [number, number];
  windowCenter: number;
  windowWidth: number;
  photometric: 'MONOCHROME1' | 'MONOCHROME2' | 'RGB';
  status: SeriesStatus;
  warnings: string[];
  scopeWarnings: string[];
  hasProbabilityMap: boolean;
}

/**
 * GET /api/series/:seriesUid/slices/:k → binary modality values of slice k, little-endian, row-major,
 * `X-Pixel-Type: int16 | float32` (int16 whenever every value is an integer in range), `X-Rows`, `X-Columns`,
 * `X-Samples`. Cheap to fetch while scrolling (cacheable, immutable for a given series).
 *
 * GET /api/series/:seriesUid/probability/:k → binary uint8 (probability × 255) of slice k, rows × columns.
 * GET /api/findings/:id/mask/:k?kind=final|proposal[&reader=NAME] → binary uint8 (0/1) rows × columns (another
 * reader's final mask with reader=, for comparing second reads).
 * PUT /api/findings/:id/mask/:k → body binary uint8 (0/1) rows × columns: a correction of that slice.
 */

export interface DecisionInfo {
  kind: DecisionKind;
  reason: RejectReason | null;
  note: string | null;
  reader: string;
  at: string;
}

/** GET /api/series/:seriesUid/findings → FindingInfo[] */
export interface FindingInfo {
  id: number;
  source: 'model' | 'reader';
  score: number | null;
  volumeMm3: number;
  diameterMm: number;
  centerMm: Vec3;
  /** First and last slice index (k) the finding covers. */
  sliceRange: [number, number];
  /** The slice with the highest probability (or the middle slice for reader findings). */
  focusSlice: number;
  /** Voxel (i, j) of the centre on focusSlice, for centring the view. */
  focusPoint: [number, number];
  /** The current reader's latest decision, or null. */
  decision: DecisionInfo | null;
}

/** POST /api/findings/:id/decision */
export interface DecisionRequest {
  kind: 'confirmed' | 'rejected';
  reason?: RejectReason;
  note?: string;
}

/** POST /api/series/:seriesUid/findings — a finding the model missed; the mask slice is base64 uint8 0/1. */
export interface AddFindingRequest {
  slice: number;
  maskBase64: string;
}

/**
 * PUT /api/findings/:id/plane-mask — the reader's mask along a reformatted plane: image row `index` (axis
 * 'row', coronal for an axial stack) or column `index` ('column', sagittal) of each slice from `firstSlice`;
 * base64 of 0/1 bytes, one line per slice. → PlaneMaskInfo
 */
export interface PlaneMaskRequest {
  axis: 'row' | 'column';
  index: number;
  firstSlice: number;
  linesBase64: string;
}

/** The slices whose mask changed (ascending), and the reader's decision (null when none changed). */
export interface PlaneMaskInfo {
  decision: DecisionInfo | null;
  changed: number[];
}

/**
 * POST /api/series/:seriesUid/findings/outline — a missed nodule outlined in 3-D from a click inside it: the
 * voxels in `range` connected to the click, freed from a vessel or the chest wall it touches. → OutlineInfo
 */
export interface OutlineRequest {
  slice: number;
  /** The clicked pixel [column, row]. */
  point: [number, number];
  range: [number, number];
  /** The search sphere's diameter (45 mm unless given). */
  maxDiameterMm?: number;
}

/** How an outline was freed from what it touched; see src/segment/seeded-outline.ts Separation. */
export interface OutlineSeparation {
  kind: 'none' | 'opening' | 'wall' | 'sphere';
  mm: number;
}

export interface OutlineInfo {
  finding: FindingInfo;
  voxels: number;
  /** The voxel [column, row, slice] it grew from. */
  start: [number, number, number];
  separation: OutlineSeparation;
}

/** POST /api/series/:seriesUid/status */
export interface StatusRequest {
  status: 'in-review' | 'done';
}

/** POST /api/series/:seriesUid/undo and /redo → UndoResult */
export interface UndoResult {
  applied: boolean;
  description: string;
}

/** POST /api/import { paths } → Job; POST /api/series/:seriesUid/run-model → Job */
export interface Job {
  id: string;
  kind: 'import' | 'model' | 'export' | 'pull';
  state: 'running' | 'done' | 'failed' | 'cancelled';
  done: number;
  total: number;
  message: string;
}

/**
 * POST /api/export → Job (kind 'export'), followed over GET /api/jobs/:id/events like any job; its final
 * message says what was written where. Only final (reviewed) labels unless includeProposals.
 */
export interface ExportRequest {
  format: 'nnunet' | 'nifti' | 'dicom-seg' | 'csv' | 'json';
  /** Absolute path of the folder to create (it must not exist yet, or be empty). */
  outDir: string;
  deidentify?: boolean;
  /** With deidentify: an absolute path outside outDir for the pseudonym key. */
  keyFile?: string;
  /** Series review status to export (default 'done'); 'all' for every series. */
  status?: SeriesStatus | 'all';
  /** Whose decisions and outlines to export (default: the latest of any reader). */
  reader?: string;
  includeProposals?: boolean;
}

/** GET /api/jobs/:id/events → text/event-stream of `data: Job` lines until the job ends. */

/**
 * Also served (GET /api/openapi.json lists every route with its schemas):
 * GET /api/jobs/:id → Job; POST /api/jobs/:id/cancel → Job;
 * POST /api/sample → Job (kind 'import'): generates the bundled sample studies (first time) and imports them;
 * POST /api/session/reader { name } → SessionInfo (switch reader, e.g. for a second read);
 * GET /api/series/:seriesUid/findings?blind=true → FindingInfo[] without other readers' work;
 * GET /api/series/:seriesUid/agreement?a=READER&b=READER → per-finding agreement, kappa, Dice;
 * GET /api/models → { models: [{ id, version, sha256, source, defaultThreshold, threshold, active }], refused };
 * PUT /api/models/:id/threshold { threshold } → that model entry.
 */

/** GET /api/audit: the audit log's verification and head ("audit SEQ HASH", what exports record). */
export interface AuditStatus {
  ok: boolean;
  /** Entries that verify (before the broken one, when broken). */
  entries: number;
  head: string | null;
  /** The head that was asked for with ?expect=, if any. */
  expected: string | null;
  brokenAt?: { seq: number; reason: string };
}

/** GET /api/session → who is reading, which model is active. */
export interface SessionInfo {
  reader: string | null;
  readers: string[];
  model: { id: string; version: string; sha256: string; threshold: number } | null;
  sampleAvailable: boolean;
}

/** GET /api/series/:seriesUid/agreement?a=READER&b=READER: how two readers' reads of one series compare. */
export interface ReaderAgreement {
  seriesUid: string;
  readers: [string, string];
  /**
   * Per finding: both readers' decision kinds (null where one did not decide). A finding one of them added
   * ('added') that the other did not decide is one the other read past: it counts as a disagreement. Another
   * reader's addition neither decided is not listed.
   */
  findings: { findingId: number; a: DecisionKind | null; b: DecisionKind | null; agree: boolean }[];
  /**
   * Cohen's kappa (kept vs not) over the findings both decided and those one of them added, null when
   * undefined.
   */
  kappa: number | null;
  /** Dice between the two readers' final masks per finding both kept, null when neither kept it. */
  dice: { findingId: number; dice: number }[];
}

/** GET /api/series/:seriesUid/report: this reader's findings as text to paste into a report. */
export interface SeriesReport {
  text: string;
  kept: number;
  rejected: number;
  pending: number;
  /** Why density and axes are missing, or null. */
  unmeasured: string | null;
}

/** Another study's series of the same patient (GET /api/series/:seriesUid/priors). */
export interface PriorSeries {
  seriesUid: string;
  studyUid: string;
  studyDate: string;
  studyDescription: string;
  seriesDescription: string;
  modality: string;
  instances: number;
  status: string;
  /** Days from that study to this one (positive: it came before); null when a study date is missing. */
  daysBefore: number | null;
}

/** One nodule as a follow-up compares it: a finding the reader has not rejected, measured as the export does. */
export interface TrackedNodule {
  /** Finding id. */
  id: string;
  /** The viewer's number for it in its own series. */
  number: number;
  decision: string;
  centreLps: [number, number, number];
  sliceRange: [number, number];
  diameterMm?: number;
  longAxisMm?: number;
  shortAxisMm?: number;
  /** Mean of the axial long and short axes (Lung-RADS' size), else the 3-D diameter. */
  meanDiameterMm?: number;
  volumeMm3?: number;
}

/**
 * How one nodule changed since the prior: matched ('grown' | 'stable' | 'shrunk'), only now ('new'; or
 * 'outside-prior' where the prior did not scan its place), or only then ('resolved'; 'outside-current').
 */
export interface NoduleChange {
  change: 'new' | 'grown' | 'stable' | 'shrunk' | 'resolved' | 'outside-prior' | 'outside-current';
  /** Finding ids, in the current and the prior series. */
  current?: string;
  prior?: string;
  /** Between the prior's centre and the current one carried into the prior (mm). */
  distanceMm?: number;
  /** Mean axial diameter now minus then (mm). */
  meanDiameterChangeMm?: number;
  volumeChangePercent?: number;
  /** Volume doubling time (days), for a grown nodule with both study dates. */
  doublingDays?: number;
}

/** GET /api/series/:seriesUid/follow-up?prior=: this series' nodules against a prior's. */
export interface FollowUp {
  seriesUid: string;
  prior: PriorSeries;
  registration: {
    /** Add to a point of this series (LPS, mm) to find the same anatomy in the prior. */
    translationMm: [number, number, number];
    correlation: number;
    overlap: number;
    cellMm: number;
    /** Too little overlap or correlation to trust the matches blindly. */
    uncertain: boolean;
    seconds: number;
  };
  current: TrackedNodule[];
  priorNodules: TrackedNodule[];
  changes: NoduleChange[];
  /** Why axes are missing (diameters then fall back to 3-D), or null. */
  unmeasured: string | null;
}

/** Errors: application/problem+json */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
}
