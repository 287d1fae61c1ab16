// Owns the metrics report: reviewed series split per model version, and within each version per reader,
// scanner model and slice-thickness band, plus the weekly drift. Which series are "reviewed" is the
// collector's business (collect-decisions.ts); this module only groups and computes.
import type { MetricsGroup, MetricsReport, ModelVersionMetrics } from '../shared/metrics-types.ts';
import { DEFAULT_RESAMPLES, DEFAULT_SEED, type BootstrapOptions } from './bootstrap-interval.ts';
import type { ReviewedSeries } from './decision-set.ts';
import { metricsFigures } from './metrics-figures.ts';
import { weeklyFigures } from './weekly-drift.ts';

export const METRICS_NOTES: readonly string[] = [
  'True positive: a model finding a reader confirmed or corrected. False positive: one rejected. ' +
    'False negative: a finding a reader added. Model findings nobody decided are left out.',
  'Sensitivity = TP / (TP + added); precision = TP / (TP + rejected); FP/scan = rejected / reviewed series.',
  'FROC and PR sweep the threshold over the reviewed findings’ scores, down to the threshold each run used ' +
    '(lower thresholds were never reviewed). CPM = mean FROC sensitivity at 1/8, 1/4, 1/2, 1, 2, 4, 8 FP/scan.',
  'AUC: series score, positive = series with ≥ 1 confirmed, corrected or added finding.',
  'Intervals: percentile bootstrap 95 %, resampling whole series with a fixed seed; "n" is the count a figure ' +
    'rests on (lesions, proposals, series or corrected findings).',
];

/** Band of a slice thickness, so a handful of exact values do not scatter into one-series groups. */
export function thicknessBand(mm: number | null): string {
  if (mm === null) return 'unknown';
  if (mm <= 1) return '≤ 1 mm';
  if (mm <= 2.5) return '1–2.5 mm';
  if (mm <= 5) return '2.5–5 mm';
  return '> 5 mm';
}

function groupBy(
  series: readonly ReviewedSeries[],
  key: (s: ReviewedSeries) => string,
): Map<string, ReviewedSeries[]> {
  const groups = new Map<string, ReviewedSeries[]>();
  for (const s of series) {
    const k = key(s);
    const members = groups.get(k);
    if (members) members.push(s);
    else groups.set(k, [s]);
  }
  return new Map([...groups].sort(([a], [b]) => a.localeCompare(b)));
}

function groups(
  series: readonly ReviewedSeries[],
  what: string,
  key: (s: ReviewedSeries) => string,
  options: BootstrapOptions,
): MetricsGroup[] {
  return [...groupBy(series, key)].map(([value, members]) => ({
    label: `${what}: ${value}`,
    ...metricsFigures(members, options),
  }));
}

export function modelMetrics(
  series: readonly ReviewedSeries[],
  options: BootstrapOptions & { modelId?: string | null; now?: Date } = {},
): MetricsReport {
  const chosen = options.modelId ? series.filter((s) => s.modelId === options.modelId) : series;
  const versions = groupBy(chosen, (s) => `${s.modelId}\u0000${s.modelVersion}`);
  const models: ModelVersionMetrics[] = [...versions.values()].map((members) => ({
    modelId: members[0].modelId,
    version: members[0].modelVersion,
    runThresholds: [...new Set(members.map((s) => s.runThreshold))].sort((a, b) => a - b),
    ...metricsFigures(members, options),
    byReader: groups(members, 'reader', (s) => s.reader ?? 'no decisions', options),
    byScanner: groups(members, 'scanner', (s) => s.scannerModel || 'unknown', options),
    bySliceThickness: groups(members, 'slice thickness', (s) => thicknessBand(s.sliceThicknessMm), options),
    weekly: weeklyFigures(members, options),
  }));
  return {
    generatedAt: (options.now ?? new Date()).toISOString(),
    modelId: options.modelId ?? null,
    bootstrap: { resamples: options.resamples ?? DEFAULT_RESAMPLES, seed: options.seed ?? DEFAULT_SEED },
    models,
    notes: [...METRICS_NOTES],
  };
}
