// The shape of the model metrics that the API serves, the CLI prints and the renderer's Model page draws.
// Types only, so the renderer can import them (it imports nothing else from src/).
//
// GET  /api/metrics?model=ID                          → MetricsReport
// GET  /api/metrics/preview?model=ID&threshold=T      → ThresholdPreview
// GET  /api/metrics/calibrate?model=ID&sensitivity=S  → ThresholdChoice   (or &fpPerScan=F)
// PUT  /api/models/:id/threshold { threshold }        → ModelInfo (saved with the session's reader; later runs
//                                                      use it)
// POST /api/models/:id/threshold/apply                → Job re-deriving unreviewed series' proposals from their
//                                                      kept probability maps (ThresholdApplication, summed up
//                                                      in the job's final message)

import type { RejectReason } from './review-vocabulary.ts';

export type RejectReasonKey = RejectReason;

/** A figure with its bootstrap 95 % interval and what it rests on. */
export interface Estimate {
  /** null when undefined on these data (e.g. sensitivity with no lesions). */
  value: number | null;
  /** Percentile bootstrap 95 % interval (series resampled), null when it could not be formed. */
  low: number | null;
  high: number | null;
  /** The count the figure rests on: lesions for sensitivity, proposals for precision, scans for FP/scan… */
  count: number;
}

export interface FindingCounts {
  /** Reviewed series (scans). */
  series: number;
  /** Model findings confirmed or corrected: true positives. */
  truePositives: number;
  confirmed: number;
  corrected: number;
  /** Model findings rejected: false positives, and why. */
  falsePositives: number;
  rejectedBy: Record<RejectReasonKey, number>;
  /** Findings a reader added: the model missed them. */
  falseNegatives: number;
  /** Model findings nobody decided (left out of every figure). */
  undecided: number;
}

export interface FrocPoint {
  threshold: number;
  sensitivity: number;
  fpPerScan: number;
}

export interface PrPoint {
  threshold: number;
  recall: number;
  precision: number;
}

export interface MetricsFigures {
  counts: FindingCounts;
  sensitivity: Estimate;
  precision: Estimate;
  fpPerScan: Estimate;
  /** Mean sensitivity at 1/8 … 8 FP/scan on the FROC curve. */
  cpm: Estimate;
  /** Study-level AUC of the series score (positive: ≥ 1 confirmed, corrected or added finding). */
  auc: Estimate;
  /** Mean Dice between the model's proposal and the reader's final mask over corrected findings. */
  dice: Estimate;
  froc: FrocPoint[];
  pr: PrPoint[];
  /** The FROC sensitivity at each of the CPM's FP/scan rates. */
  cpmPoints: { fpPerScan: number; sensitivity: number }[];
}

export interface MetricsGroup extends MetricsFigures {
  /** What the group holds, e.g. "reader: ana" or "slice thickness: 1–2.5 mm". */
  label: string;
}

export interface WeekFigures {
  /** Monday of the ISO week (UTC), YYYY-MM-DD. */
  week: string;
  series: number;
  sensitivity: Estimate;
  precision: Estimate;
  fpPerScan: Estimate;
}

export interface ModelVersionMetrics extends MetricsFigures {
  modelId: string;
  version: string;
  /** Thresholds the reviewed runs used (normally one). */
  runThresholds: number[];
  byReader: MetricsGroup[];
  byScanner: MetricsGroup[];
  bySliceThickness: MetricsGroup[];
  weekly: WeekFigures[];
}

export interface MetricsReport {
  generatedAt: string;
  /** The model asked for, or null for all. */
  modelId: string | null;
  bootstrap: { resamples: number; seed: number };
  models: ModelVersionMetrics[];
  /** Definitions the figures follow, for people reading them. */
  notes: string[];
}

export interface OperatingPoint {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  series: number;
  sensitivity: number | null;
  precision: number | null;
  fpPerScan: number | null;
}

export interface ThresholdPreview {
  modelId: string;
  threshold: number;
  /** As reviewed: every decided finding at the threshold its run used. */
  current: OperatingPoint;
  /** What the reviewed data would have shown at `threshold`. */
  proposed: OperatingPoint;
  /** Reviewed findings that would not have been proposed (score below the threshold). */
  lost: { truePositives: number; falsePositives: number };
  /** Reader-added findings the kept probability maps would have proposed at `threshold`. */
  gained: { truePositives: number };
  /** Why part of the change cannot be known (e.g. false positives below a run's threshold were never reviewed). */
  caveats: string[];
}

export interface ThresholdChoice {
  target: { sensitivity: number } | { fpPerScan: number };
  /** The chosen threshold, or null when no threshold on the reviewed data can meet the target. */
  threshold: number | null;
  reached: boolean;
  preview: ThresholdPreview | null;
}

export interface SavedThresholdInfo {
  modelId: string;
  threshold: number;
  setBy: string;
  at: string;
}

export interface ThresholdApplication {
  modelId: string;
  threshold: number;
  /** Unreviewed series whose proposals were re-derived from their kept probability map. */
  updated: number;
  /** Series left as they are, and why (reviewed, no kept map, another model…). */
  skipped: { reason: string; count: number }[];
  findingsBefore: number;
  findingsAfter: number;
}
