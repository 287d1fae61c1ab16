// Owns the study-level AUC: how well the series score (the run's highest finding score, or highest
// probability anywhere) ranks series holding a lesion (≥ 1 kept or added finding) above series without one.
// Computed as the Mann–Whitney statistic from mid-ranks, so tied scores count one half; series without a
// score are left out.
import { isPositiveSeries, type ReviewedSeries } from './decision-set.ts';

export interface AucInput {
  score: number;
  positive: boolean;
}

export function aucInputs(series: readonly ReviewedSeries[]): AucInput[] {
  return series
    .filter((s) => s.score !== null)
    .map((s) => ({ score: s.score as number, positive: isPositiveSeries(s) }));
}

/** AUC of the scores, or null when there are no positives or no negatives. */
export function auc(inputs: readonly AucInput[]): number | null {
  const positives = inputs.filter((i) => i.positive).length;
  const negatives = inputs.length - positives;
  if (positives === 0 || negatives === 0) return null;
  const sorted = [...inputs].sort((a, b) => a.score - b.score);
  let rankSum = 0;
  for (let start = 0; start < sorted.length;) {
    let end = start;
    while (end + 1 < sorted.length && sorted[end + 1].score === sorted[start].score) end++;
    const midRank = (start + end) / 2 + 1; // ranks are 1-based
    for (let n = start; n <= end; n++) if (sorted[n].positive) rankSum += midRank;
    start = end + 1;
  }
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

export const seriesAuc = (series: readonly ReviewedSeries[]) => auc(aucInputs(series));
