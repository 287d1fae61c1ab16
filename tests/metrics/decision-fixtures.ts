// Hand-built decision sets for the metrics tests: terse builders so each test's data reads like its comment.
import type { ReviewedFinding, ReviewedSeries } from '../../src/metrics/decision-set.ts';
import type { RejectReasonKey } from '../../src/shared/metrics-types.ts';

export const confirmed = (score: number): ReviewedFinding => ({
  source: 'model',
  score,
  kind: 'confirmed',
  reason: null,
  dice: null,
  peakProbability: null,
});
export const corrected = (score: number, dice: number): ReviewedFinding => ({
  ...confirmed(score),
  kind: 'corrected',
  dice,
});
export const rejected = (score: number, reason: RejectReasonKey = 'vessel'): ReviewedFinding => ({
  ...confirmed(score),
  kind: 'rejected',
  reason,
});
export const undecided = (score: number): ReviewedFinding => ({ ...confirmed(score), kind: null });
export const added = (peakProbability: number | null = null): ReviewedFinding => ({
  source: 'reader',
  score: null,
  kind: 'added',
  reason: null,
  dice: null,
  peakProbability,
});

let next = 0;
export function series(
  score: number | null,
  findings: ReviewedFinding[],
  extra: Partial<ReviewedSeries> = {},
) {
  next++;
  const s: ReviewedSeries = {
    seriesUid: `1.2.826.0.1.${next}`,
    modelId: 'lung-nodule-unet',
    modelVersion: '1.0.0',
    runThreshold: 0.5,
    score,
    reader: 'ana',
    scannerModel: 'Scanner A',
    sliceThicknessMm: 1.25,
    reviewedAt: '2026-11-02T10:00:00Z',
    findings,
    ...extra,
  };
  return s;
}

/**
 * The worked example of the tests (run threshold 0.5, 5 series, 4 lesions):
 *   S1 score 0.90: 0.90 confirmed, 0.60 rejected (vessel)
 *   S2 score 0.80: 0.80 corrected (Dice 0.5), one reader-added finding (peak probability 0.35 in the kept map)
 *   S3 score 0.70: 0.70 rejected (scar), 0.55 confirmed, 0.52 undecided
 *   S4 score 0.20: no findings
 *   S5 score 0.85: 0.85 rejected (artefact)
 */
export function workedExample(): ReviewedSeries[] {
  return [
    series(0.9, [confirmed(0.9), rejected(0.6, 'vessel')]),
    series(0.8, [corrected(0.8, 0.5), added(0.35)]),
    series(0.7, [rejected(0.7, 'scar'), confirmed(0.55), undecided(0.52)]),
    series(0.2, []),
    series(0.85, [rejected(0.85, 'artefact')]),
  ];
}
