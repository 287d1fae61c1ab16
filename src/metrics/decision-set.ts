// Owns the decision set the metrics are computed over: reviewed series, each with the model's findings and
// what readers decided about them, and the counting rules every figure shares:
// - a model finding confirmed or corrected is a true positive; rejected, a false positive (by reason);
// - a finding a reader added is a false negative (the model missed it);
// - a model finding nobody decided is left out (counted as undecided), so a half-read series does not pass
//   unread proposals off as true or false.
// A finding counts as proposed at threshold t when its score (peak probability) is ≥ t, the rule
// findingsAtThreshold applies to the kept probability map.
import type { FindingCounts, OperatingPoint, RejectReasonKey } from '../shared/metrics-types.ts';
import { REJECT_REASONS } from '../shared/review-vocabulary.ts';

export type ReviewKind = 'confirmed' | 'rejected' | 'corrected' | 'added';

export interface ReviewedFinding {
  source: 'model' | 'reader';
  /** Peak probability of a model finding; null for reader-added ones. */
  score: number | null;
  /** The latest decision, or null when nobody decided (model findings only). */
  kind: ReviewKind | null;
  reason: RejectReasonKey | null;
  /** Corrected findings: Dice between the model's proposal and the reader's final mask. */
  dice: number | null;
  /** Reader-added findings: the highest kept probability inside the added mask (null when no map is kept). */
  peakProbability: number | null;
}

export interface ReviewedSeries {
  seriesUid: string;
  modelId: string;
  modelVersion: string;
  /** The threshold the series' model run proposed findings at. */
  runThreshold: number;
  /** Series score of that run, null when unknown. */
  score: number | null;
  /** The reader who made most of the series' decisions (the latest on a tie), null when nobody decided. */
  reader: string | null;
  scannerModel: string;
  sliceThicknessMm: number | null;
  /** ISO time of the latest decision (or of arrival when there was none): what the weekly drift uses. */
  reviewedAt: string;
  findings: ReviewedFinding[];
}

export { REJECT_REASONS } from '../shared/review-vocabulary.ts';

export const isTruePositive = (f: ReviewedFinding) =>
  f.source === 'model' && (f.kind === 'confirmed' || f.kind === 'corrected');
export const isFalsePositive = (f: ReviewedFinding) => f.source === 'model' && f.kind === 'rejected';
export const isFalseNegative = (f: ReviewedFinding) => f.source === 'reader' && f.kind === 'added';

/** A series holds a lesion when any finding on it was kept or added (the study-level "positive"). */
export const isPositiveSeries = (s: ReviewedSeries) =>
  s.findings.some((f) => isTruePositive(f) || isFalseNegative(f));

export function countFindings(series: readonly ReviewedSeries[]): FindingCounts {
  const rejectedBy = Object.fromEntries(REJECT_REASONS.map((r) => [r, 0])) as Record<RejectReasonKey, number>;
  const counts: FindingCounts = {
    series: series.length,
    truePositives: 0,
    confirmed: 0,
    corrected: 0,
    falsePositives: 0,
    rejectedBy,
    falseNegatives: 0,
    undecided: 0,
  };
  for (const s of series) {
    for (const f of s.findings) {
      if (isTruePositive(f)) {
        counts.truePositives++;
        if (f.kind === 'confirmed') counts.confirmed++;
        else counts.corrected++;
      } else if (isFalsePositive(f)) {
        counts.falsePositives++;
        rejectedBy[f.reason ?? 'other']++;
      } else if (isFalseNegative(f)) {
        counts.falseNegatives++;
      } else if (f.source === 'model' && f.kind === null) {
        counts.undecided++;
      }
    }
  }
  return counts;
}

export const ratio = (numerator: number, denominator: number): number | null =>
  denominator > 0 ? numerator / denominator : null;

/**
 * Whether `threshold` would have proposed a reader-added finding of series `s`: the run's kept map reaches it
 * inside the finding, and it lies below the run's own threshold. At the run's threshold or above, the run saw
 * every component the map holds there and did not propose this one (smaller than the model's minimum finding
 * size, or part of a proposal the reader rejected) — so a reader's miss is not counted as caught there (a
 * higher threshold could only catch it by splitting a rejected proposal, which this does not model).
 */
export function wouldCatch(f: ReviewedFinding, s: ReviewedSeries, threshold: number): boolean {
  return f.peakProbability !== null && threshold < s.runThreshold && f.peakProbability >= threshold;
}

/**
 * The operating point the reviewed data show at `threshold` (default: as reviewed). Lesions are fixed (every
 * kept or added finding); a kept finding scoring below the threshold becomes a miss. Reader-added findings
 * count as found when `recoverAdded` and the threshold would have caught them (wouldCatch).
 */
export function operatingPoint(
  series: readonly ReviewedSeries[],
  threshold?: number,
  recoverAdded = false,
): OperatingPoint {
  let lesions = 0;
  let truePositives = 0;
  let falsePositives = 0;
  for (const s of series) {
    for (const f of s.findings) {
      const proposed = threshold === undefined || (f.score !== null && f.score >= threshold);
      if (isTruePositive(f)) {
        lesions++;
        if (proposed) truePositives++;
      } else if (isFalsePositive(f)) {
        if (proposed) falsePositives++;
      } else if (isFalseNegative(f)) {
        lesions++;
        if (recoverAdded && threshold !== undefined && wouldCatch(f, s, threshold)) truePositives++;
      }
    }
  }
  return {
    truePositives,
    falsePositives,
    falseNegatives: lesions - truePositives,
    series: series.length,
    sensitivity: ratio(truePositives, lesions),
    precision: ratio(truePositives, truePositives + falsePositives),
    fpPerScan: ratio(falsePositives, series.length),
  };
}
