// Owns the figures of one group of reviewed series: counts, sensitivity, precision, FP/scan, CPM, study AUC
// and correction Dice, each with its bootstrap interval and the count it rests on, plus the FROC and PR
// curves. The point figures come from all the series; the intervals from resampling them.
import type { Estimate, MetricsFigures } from '../shared/metrics-types.ts';
import { bootstrapIntervals, type BootstrapOptions } from './bootstrap-interval.ts';
import { countFindings, operatingPoint, ratio, type ReviewedSeries } from './decision-set.ts';
import { cpm, cpmPoints, frocCurve } from './froc-curve.ts';
import { prCurve } from './pr-curve.ts';
import { aucInputs, seriesAuc } from './series-auc.ts';

function meanDice(series: readonly ReviewedSeries[]): { mean: number | null; count: number } {
  let sum = 0;
  let count = 0;
  for (const s of series)
    for (const f of s.findings)
      if (f.kind === 'corrected' && f.dice !== null) {
        sum += f.dice;
        count++;
      }
  return { mean: ratio(sum, count), count };
}

/** The point figures, in the order the bootstrap reports them. */
function pointFigures(series: readonly ReviewedSeries[]): (number | null)[] {
  const point = operatingPoint(series);
  return [
    point.sensitivity,
    point.precision,
    point.fpPerScan,
    cpm(series),
    seriesAuc(series),
    meanDice(series).mean,
  ];
}

function estimate(
  value: number | null,
  interval: { low: number; high: number } | null,
  count: number,
): Estimate {
  return {
    value,
    low: value === null ? null : (interval?.low ?? null),
    high: value === null ? null : (interval?.high ?? null),
    count,
  };
}

export function metricsFigures(
  series: readonly ReviewedSeries[],
  options: BootstrapOptions = {},
): MetricsFigures {
  const counts = countFindings(series);
  const values = pointFigures(series);
  const intervals = bootstrapIntervals(series, pointFigures, values.length, options);
  const lesions = counts.truePositives + counts.falseNegatives;
  const aucSeries = aucInputs(series).length;
  const froc = frocCurve(series);
  return {
    counts,
    sensitivity: estimate(values[0], intervals[0], lesions),
    precision: estimate(values[1], intervals[1], counts.truePositives + counts.falsePositives),
    fpPerScan: estimate(values[2], intervals[2], counts.series),
    cpm: estimate(values[3], intervals[3], lesions),
    auc: estimate(values[4], intervals[4], aucSeries),
    dice: estimate(values[5], intervals[5], meanDice(series).count),
    froc,
    pr: prCurve(series),
    cpmPoints: cpmPoints(froc),
  };
}
