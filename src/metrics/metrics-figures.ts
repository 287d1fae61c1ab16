// Owns the figures of one group of reviewed series: counts, sensitivity, precision, FP/scan, CPM, study AUC
// and correction Dice, each with its bootstrap interval and the count it rests on, plus the FROC and PR
// curves. The point figures come from all the series; the intervals from resampling them.
import type { Estimate, MetricsFigures } from '../shared/metrics-types.ts';
import { bootstrapWeightedIntervals, type BootstrapOptions } from './bootstrap-interval.ts';
import { countFindings, type ReviewedSeries } from './decision-set.ts';
import { cpmPoints, frocCurve } from './froc-curve.ts';
import { prCurve } from './pr-curve.ts';
import { aucInputs } from './series-auc.ts';
import { WeightedFigures } from './weighted-figures.ts';

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
  const table = new WeightedFigures(series);
  const values = table.figures(table.ones());
  const intervals = bootstrapWeightedIntervals(table.size, (w) => table.figures(w), values.length, options);
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
    dice: estimate(
      values[5],
      intervals[5],
      series.reduce(
        (n, s) => n + s.findings.filter((f) => f.kind === 'corrected' && f.dice !== null).length,
        0,
      ),
    ),
    froc,
    pr: prCurve(series),
    cpmPoints: cpmPoints(froc),
  };
}
