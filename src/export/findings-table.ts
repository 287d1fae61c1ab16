// Owns the findings table researchers get beside the images: one row per finding with its provenance (model,
// decision, reader) and measurements, as CSV (RFC 4180) or JSON. Plain rows in, text out; the store's types are
// adapted to FindingExportRow by the export orchestrator.
import type { Vec3 } from '../dicom/volume.ts';

export interface FindingExportRow {
  caseId: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  findingId: string;
  modelId?: string;
  modelVersion?: string;
  modelSha256?: string;
  /** Model score in [0, 1]; absent for reader-added findings. */
  score?: number;
  /** pending | confirmed | rejected | corrected | added (the store's vocabulary). */
  decision: string;
  reason?: string;
  reader?: string;
  /** ISO 8601 time of the decision. */
  decidedAt?: string;
  volumeMm3?: number;
  diameterMm?: number;
  /** Centre of the finding in DICOM patient coordinates (LPS, mm). */
  centreLps?: Vec3;
  /** Axial long and short axis on the slice where the label is largest (src/shared/finding-profile.ts), mm. */
  longAxisMm?: number;
  shortAxisMm?: number;
  /** Mean and standard deviation of the HU inside the label, and the share of its voxels at ≥ −300 HU (CT). */
  meanHu?: number;
  sdHu?: number;
  solidFraction?: number;
  /**
   * Change since the patient's most recent earlier study of the same modality (src/followup/): that series,
   * the finding there it pairs with, the days between the studies, the change's name (the follow-up's
   * vocabulary: new, grown, stable, shrunk, outside-prior), the mean axial diameter's and volume's change,
   * the volume doubling time of a grown one, and whether the scans lined up poorly. Empty without a prior,
   * and for rejected findings (a follow-up compares only what the reader kept or has still to decide).
   */
  priorSeriesInstanceUid?: string;
  priorFindingId?: string;
  priorIntervalDays?: number;
  changeSincePrior?: string;
  meanDiameterChangeMm?: number;
  volumeChangePercent?: number;
  doublingDays?: number;
  priorAlignment?: 'good' | 'uncertain';
}

export const FINDING_COLUMNS = [
  'case_id',
  'study_instance_uid',
  'series_instance_uid',
  'finding_id',
  'model_id',
  'model_version',
  'model_sha256',
  'score',
  'decision',
  'reason',
  'reader',
  'decided_at',
  'volume_mm3',
  'diameter_mm',
  'centre_lps_x',
  'centre_lps_y',
  'centre_lps_z',
  'long_axis_mm',
  'short_axis_mm',
  'mean_hu',
  'sd_hu',
  'solid_fraction',
  'prior_series_instance_uid',
  'prior_finding_id',
  'prior_interval_days',
  'change_since_prior',
  'mean_diameter_change_mm',
  'volume_change_pct',
  'volume_doubling_days',
  'prior_alignment',
] as const;

type Cell = string | number | undefined;

function cells(row: FindingExportRow): Cell[] {
  return [
    row.caseId,
    row.studyInstanceUid,
    row.seriesInstanceUid,
    row.findingId,
    row.modelId,
    row.modelVersion,
    row.modelSha256,
    row.score,
    row.decision,
    row.reason,
    row.reader,
    row.decidedAt,
    row.volumeMm3,
    row.diameterMm,
    row.centreLps?.[0],
    row.centreLps?.[1],
    row.centreLps?.[2],
    row.longAxisMm,
    row.shortAxisMm,
    row.meanHu,
    row.sdHu,
    row.solidFraction,
    row.priorSeriesInstanceUid,
    row.priorFindingId,
    row.priorIntervalDays,
    row.changeSincePrior,
    row.meanDiameterChangeMm,
    row.volumeChangePercent,
    row.doublingDays,
    row.priorAlignment,
  ];
}

function csvCell(cell: Cell): string {
  if (cell === undefined) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? String(Number(cell.toPrecision(10))) : '';
  // A text cell starting with = + - @ is a formula to a spreadsheet (CSV injection): make it literal text.
  const text = /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function findingsToCsv(rows: FindingExportRow[]): string {
  const lines = [FINDING_COLUMNS.join(','), ...rows.map((row) => cells(row).map(csvCell).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

/** JSON: the same columns as the CSV, one object per finding, missing values as null. */
export function findingsToJson(rows: FindingExportRow[]): string {
  const objects = rows.map((row) =>
    Object.fromEntries(cells(row).map((cell, i) => [FINDING_COLUMNS[i], cell ?? null])),
  );
  return `${JSON.stringify({ columns: FINDING_COLUMNS, findings: objects }, null, 2)}\n`;
}
