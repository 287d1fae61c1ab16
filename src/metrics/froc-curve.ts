// Owns the FROC curve and its CPM. The threshold sweeps down over the scores of the reviewed model findings:
// at each distinct score t, sensitivity = kept findings scoring ≥ t / all lesions (kept + reader-added), and
// FP/scan = rejected findings scoring ≥ t / reviewed series. The sweep stops at the run threshold: findings
// below it were never proposed, so nobody judged them. Reader-added findings stay misses at every point.
//
// CPM (the LUNA16 competition's summary) is the mean sensitivity at 1/8, 1/4, 1/2, 1, 2, 4 and 8 FP/scan.
// Sensitivity at a rate r is the highest sensitivity among the curve's points with FP/scan ≤ r (0 when no
// point qualifies): a step reading, never credited with points the data do not have. Beyond the last point
// (the curve ends at the run threshold) it stays at the last point's sensitivity.
import type { FrocPoint } from '../shared/metrics-types.ts';
import { isFalseNegative, isFalsePositive, isTruePositive, type ReviewedSeries } from './decision-set.ts';

export const CPM_RATES: readonly number[] = [1 / 8, 1 / 4, 1 / 2, 1, 2, 4, 8];

interface Scored {
  score: number;
  truePositive: boolean;
}

/** Decided model findings (score, kept?) best first, and the number of lesions. */
function scoredFindings(series: readonly ReviewedSeries[]): { scored: Scored[]; lesions: number } {
  const scored: Scored[] = [];
  let lesions = 0;
  for (const s of series) {
    for (const f of s.findings) {
      if (isTruePositive(f) || isFalsePositive(f)) {
        if (f.score !== null) scored.push({ score: f.score, truePositive: isTruePositive(f) });
        if (isTruePositive(f)) lesions++;
      } else if (isFalseNegative(f)) {
        lesions++;
      }
    }
  }
  scored.sort((a, b) => b.score - a.score);
  return { scored, lesions };
}

/** One point per distinct score; also the cumulative counts, for the PR curve. */
export function sweep(
  series: readonly ReviewedSeries[],
): { threshold: number; truePositives: number; falsePositives: number; lesions: number }[] {
  const { scored, lesions } = scoredFindings(series);
  const points: { threshold: number; truePositives: number; falsePositives: number; lesions: number }[] = [];
  let truePositives = 0;
  let falsePositives = 0;
  for (let n = 0; n < scored.length; n++) {
    if (scored[n].truePositive) truePositives++;
    else falsePositives++;
    // Tied scores enter together: only the last of a tie makes a point.
    if (n + 1 < scored.length && scored[n + 1].score === scored[n].score) continue;
    points.push({ threshold: scored[n].score, truePositives, falsePositives, lesions });
  }
  return points;
}

export function frocCurve(series: readonly ReviewedSeries[]): FrocPoint[] {
  const scans = series.length;
  return sweep(series)
    .filter((p) => p.lesions > 0 && scans > 0)
    .map((p) => ({
      threshold: p.threshold,
      sensitivity: p.truePositives / p.lesions,
      fpPerScan: p.falsePositives / scans,
    }));
}

/** Sensitivity read off the curve at each CPM rate. */
export function cpmPoints(curve: readonly FrocPoint[]): { fpPerScan: number; sensitivity: number }[] {
  return CPM_RATES.map((rate) => {
    let best = 0;
    for (const point of curve)
      if (point.fpPerScan <= rate && point.sensitivity > best) best = point.sensitivity;
    return { fpPerScan: rate, sensitivity: best };
  });
}

/** CPM, or null when the series hold no lesion (sensitivity undefined). */
export function cpm(series: readonly ReviewedSeries[]): number | null {
  const hasLesion = series.some((s) => s.findings.some((f) => isTruePositive(f) || isFalseNegative(f)));
  if (!hasLesion) return null;
  const points = cpmPoints(frocCurve(series));
  return points.reduce((sum, p) => sum + p.sensitivity, 0) / points.length;
}
