// Owns threshold calibration on reviewed data: what a threshold would have changed (findings lost, reader-
// added findings the kept maps would have caught, the new sensitivity and FP/scan) and the threshold that
// meets a target sensitivity or FP/scan. Nothing here saves anything: the preview comes before the choice.
//
// Limits, said in the preview's caveats rather than hidden: below the threshold a run used, the model's other
// proposals were never shown to a reader, so their false positives cannot be counted; and a component that
// shrinks under a higher threshold may fall below the model's minimum finding size and vanish, which this
// preview (which keeps every finding whose peak reaches the threshold) does not see; and a reader's miss is
// caught only by a threshold below the run's (decision-set.ts wouldCatch).
import type { ThresholdChoice, ThresholdPreview } from '../shared/metrics-types.ts';
import {
  isFalseNegative,
  isFalsePositive,
  isTruePositive,
  operatingPoint,
  wouldCatch,
  type ReviewedSeries,
} from './decision-set.ts';
import { sweep } from './froc-curve.ts';

export function previewThreshold(
  series: readonly ReviewedSeries[],
  modelId: string,
  threshold: number,
): ThresholdPreview {
  if (!(threshold > 0 && threshold <= 1)) {
    throw new Error(`threshold ${threshold} is outside (0, 1] — give a probability such as 0.5`);
  }
  const lost = { truePositives: 0, falsePositives: 0 };
  const gained = { truePositives: 0 };
  let unmappedAdded = 0;
  let seriesBelowRun = 0;
  for (const s of series) {
    if (threshold < s.runThreshold) seriesBelowRun++;
    for (const f of s.findings) {
      const below = f.score !== null && f.score < threshold;
      if (isTruePositive(f) && below) lost.truePositives++;
      else if (isFalsePositive(f) && below) lost.falsePositives++;
      else if (isFalseNegative(f)) {
        if (f.peakProbability === null) unmappedAdded++;
        else if (wouldCatch(f, s, threshold)) gained.truePositives++;
      }
    }
  }
  const caveats: string[] = [];
  if (seriesBelowRun > 0) {
    caveats.push(
      `${seriesBelowRun} series were run at a higher threshold: the extra proposals a threshold of ` +
        `${threshold} would add there were never reviewed, so their false positives are not counted`,
    );
  }
  if (unmappedAdded > 0 && seriesBelowRun > 0) {
    caveats.push(`${unmappedAdded} reader-added findings have no kept probability map to test`);
  }
  return {
    modelId,
    threshold,
    current: operatingPoint(series),
    proposed: operatingPoint(series, threshold, true),
    lost,
    gained,
    caveats,
  };
}

export type ThresholdTarget = { sensitivity: number } | { fpPerScan: number };

/**
 * For a sensitivity target: the highest threshold whose sensitivity reaches it (fewest false positives).
 * For an FP/scan target: the lowest threshold whose FP/scan stays within it (most sensitivity). Candidates
 * are the reviewed findings' scores, where the operating point changes.
 */
export function chooseThreshold(
  series: readonly ReviewedSeries[],
  modelId: string,
  target: ThresholdTarget,
): ThresholdChoice {
  const scans = series.length;
  const points = sweep(series).filter((p) => p.lesions > 0 && scans > 0);
  let chosen = -1;
  if ('sensitivity' in target) {
    chosen = points.findIndex((p) => p.truePositives / p.lesions >= target.sensitivity);
  } else {
    points.forEach((p, n) => {
      if (p.falsePositives / scans <= target.fpPerScan) chosen = n;
    });
  }
  const threshold =
    chosen < 0 ? null : roundedThreshold(points[chosen].threshold, points[chosen + 1]?.threshold);
  return {
    target,
    threshold,
    reached: threshold !== null,
    preview: threshold === null ? null : previewThreshold(series, modelId, threshold),
  };
}

/**
 * A threshold a person can type: the score rounded down to 3 decimals when that still lies above the next
 * lower score (so the operating point is the same), else the score itself. Scores are multiples of 1/255.
 */
function roundedThreshold(score: number, nextLower: number | undefined): number {
  const rounded = Math.floor(score * 1000 + 1e-9) / 1000;
  return rounded > (nextLower ?? 0) && rounded <= score ? rounded : score;
}
