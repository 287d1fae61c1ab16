// Owns computing a group's figures fast enough to bootstrap: the decision set is summarised once (counts per
// series, findings sorted by score, series sorted by score), and each resample is then a vector of how many
// times each series was drawn. Sensitivity, precision, FP/scan, CPM, AUC and Dice of a resample are then one
// pass over those sorted lists — no per-resample sorting — which keeps 1000 resamples of a few thousand
// series to well under a second per group. The definitions are those of decision-set.ts, froc-curve.ts and
// series-auc.ts (the tests check both give the same figures).
import {
  isFalseNegative,
  isFalsePositive,
  isPositiveSeries,
  isTruePositive,
  type ReviewedSeries,
} from './decision-set.ts';
import { CPM_RATES } from './froc-curve.ts';

export const FIGURE_NAMES = ['sensitivity', 'precision', 'fpPerScan', 'cpm', 'auc', 'dice'] as const;

export class WeightedFigures {
  readonly size: number;
  private readonly tp: Float64Array;
  private readonly fp: Float64Array;
  private readonly lesions: Float64Array;
  private readonly diceSum: Float64Array;
  private readonly diceCount: Float64Array;
  /** Decided model findings, best score first: score, owning series, kept (1) or rejected (0). */
  private readonly findingScore: Float64Array;
  private readonly findingSeries: Uint32Array;
  private readonly findingKept: Uint8Array;
  /** Series with a score, lowest first: score, index, positive (1) or not. */
  private readonly seriesScore: Float64Array;
  private readonly seriesIndex: Uint32Array;
  private readonly seriesPositive: Uint8Array;

  constructor(series: readonly ReviewedSeries[]) {
    const n = series.length;
    this.size = n;
    this.tp = new Float64Array(n);
    this.fp = new Float64Array(n);
    this.lesions = new Float64Array(n);
    this.diceSum = new Float64Array(n);
    this.diceCount = new Float64Array(n);
    const found: { score: number; series: number; kept: boolean }[] = [];
    series.forEach((s, index) => {
      for (const f of s.findings) {
        if (isTruePositive(f)) {
          this.tp[index]++;
          this.lesions[index]++;
          if (f.score !== null) found.push({ score: f.score, series: index, kept: true });
        } else if (isFalsePositive(f)) {
          this.fp[index]++;
          if (f.score !== null) found.push({ score: f.score, series: index, kept: false });
        } else if (isFalseNegative(f)) {
          this.lesions[index]++;
        }
        if (f.kind === 'corrected' && f.dice !== null) {
          this.diceSum[index] += f.dice;
          this.diceCount[index]++;
        }
      }
    });
    found.sort((a, b) => b.score - a.score);
    this.findingScore = Float64Array.from(found, (f) => f.score);
    this.findingSeries = Uint32Array.from(found, (f) => f.series);
    this.findingKept = Uint8Array.from(found, (f) => (f.kept ? 1 : 0));
    const scored = series
      .map((s, index) => ({ score: s.score, index, positive: isPositiveSeries(s) }))
      .filter((s): s is { score: number; index: number; positive: boolean } => s.score !== null)
      .sort((a, b) => a.score - b.score);
    this.seriesScore = Float64Array.from(scored, (s) => s.score);
    this.seriesIndex = Uint32Array.from(scored, (s) => s.index);
    this.seriesPositive = Uint8Array.from(scored, (s) => (s.positive ? 1 : 0));
  }

  /** Every series once: the point figures. */
  ones(): Float64Array {
    return new Float64Array(this.size).fill(1);
  }

  /** [sensitivity, precision, FP/scan, CPM, AUC, Dice] with each series counted `weights[i]` times. */
  figures(weights: Float64Array | readonly number[]): (number | null)[] {
    // Locals rather than fields in the loops: this runs once per resample, a thousand times per group.
    const { tp: tps, fp: fps, lesions: lesionCounts, diceSum: diceSums, diceCount: diceCounts, size } = this;
    let scans = 0;
    let tp = 0;
    let fp = 0;
    let lesions = 0;
    let diceSum = 0;
    let diceCount = 0;
    for (let i = 0; i < size; i++) {
      const w = weights[i];
      if (w === 0) continue;
      scans += w;
      tp += w * tps[i];
      fp += w * fps[i];
      lesions += w * lesionCounts[i];
      diceSum += w * diceSums[i];
      diceCount += w * diceCounts[i];
    }
    return [
      lesions > 0 ? tp / lesions : null,
      tp + fp > 0 ? tp / (tp + fp) : null,
      scans > 0 ? fp / scans : null,
      lesions > 0 && scans > 0 ? this.cpm(weights, lesions, scans) : null,
      this.auc(weights),
      diceCount > 0 ? diceSum / diceCount : null,
    ];
  }

  /**
   * Mean sensitivity at the CPM rates. Along the sweep both sensitivity and FP/scan only grow, so the value
   * at a rate is the sensitivity of the last point within it: each rate is settled once, as the sweep
   * passes it.
   */
  private cpm(weights: Float64Array | readonly number[], lesions: number, scans: number): number {
    const { findingScore: scores, findingSeries: owners, findingKept: kept } = this;
    const rates = CPM_RATES;
    let sum = 0;
    let settled = 0;
    let previous = 0;
    let tp = 0;
    let fp = 0;
    const count = scores.length;
    for (let n = 0; n < count; n++) {
      const w = weights[owners[n]];
      if (kept[n]) tp += w;
      else fp += w;
      // Tied scores enter together: a point only after the last of a tie.
      if (n + 1 < count && scores[n + 1] === scores[n]) continue;
      const rate = fp / scans;
      while (settled < rates.length && rate > rates[settled]) {
        sum += previous;
        settled++;
      }
      previous = tp / lesions;
    }
    sum += previous * (rates.length - settled);
    return sum / rates.length;
  }

  /** Mann–Whitney AUC with ties counted one half, each series weighted. */
  private auc(weights: Float64Array | readonly number[]): number | null {
    const { seriesScore: scores, seriesIndex: index, seriesPositive: positive } = this;
    let positives = 0;
    let negatives = 0;
    let wins = 0;
    const count = scores.length;
    for (let start = 0; start < count;) {
      let end = start;
      while (end + 1 < count && scores[end + 1] === scores[start]) end++;
      let groupPositives = 0;
      let groupNegatives = 0;
      for (let n = start; n <= end; n++) {
        const w = weights[index[n]];
        if (positive[n]) groupPositives += w;
        else groupNegatives += w;
      }
      wins += groupPositives * negatives + 0.5 * groupPositives * groupNegatives;
      positives += groupPositives;
      negatives += groupNegatives;
      start = end + 1;
    }
    return positives > 0 && negatives > 0 ? wins / (positives * negatives) : null;
  }
}
