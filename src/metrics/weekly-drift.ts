// Owns the figures over time: reviewed series grouped by the ISO week (UTC, weeks start on Monday) of their
// latest decision, each week with its sensitivity, precision and FP/scan and their intervals, so a model
// that degrades after a scanner upgrade shows as a falling line rather than a lower average.
import type { Estimate, WeekFigures } from '../shared/metrics-types.ts';
import { bootstrapWeightedIntervals, type BootstrapOptions } from './bootstrap-interval.ts';
import { countFindings, type ReviewedSeries } from './decision-set.ts';
import { WeightedFigures } from './weighted-figures.ts';

/** Monday (UTC) of the week holding `iso`, as YYYY-MM-DD. */
export function weekOf(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) throw new Error(`"${iso}" is not a date the weekly figures can place`);
  const day = (date.getUTCDay() + 6) % 7; // Monday = 0
  const monday = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate() - day));
  return monday.toISOString().slice(0, 10);
}

export function weeklyFigures(
  series: readonly ReviewedSeries[],
  options: BootstrapOptions = {},
): WeekFigures[] {
  const weeks = new Map<string, ReviewedSeries[]>();
  for (const s of series) {
    const week = weekOf(s.reviewedAt);
    weeks.set(week, [...(weeks.get(week) ?? []), s]);
  }
  return [...weeks.keys()].sort().map((week) => {
    const members = weeks.get(week) as ReviewedSeries[];
    const counts = countFindings(members);
    const table = new WeightedFigures(members);
    const values = table.figures(table.ones());
    const intervals = bootstrapWeightedIntervals(table.size, (w) => table.figures(w), 3, options);
    const estimate = (n: number, count: number): Estimate => ({
      value: values[n],
      low: values[n] === null ? null : (intervals[n]?.low ?? null),
      high: values[n] === null ? null : (intervals[n]?.high ?? null),
      count,
    });
    return {
      week,
      series: members.length,
      sensitivity: estimate(0, counts.truePositives + counts.falseNegatives),
      precision: estimate(1, counts.truePositives + counts.falsePositives),
      fpPerScan: estimate(2, members.length),
    };
  });
}
