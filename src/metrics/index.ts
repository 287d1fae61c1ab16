// The metrics' public surface for the API and the CLI: the report, the threshold preview and choice, all read
// from a dataset store's review decisions, and applying a saved threshold from kept probability maps.
import type { DatasetStore } from '../dataset/dataset-types.ts';
import type { MetricsReport, ThresholdChoice, ThresholdPreview } from '../shared/metrics-types.ts';
import type { BootstrapOptions } from './bootstrap-interval.ts';
import { collectDecisions } from './collect-decisions.ts';
import { modelMetrics } from './model-metrics.ts';
import { chooseThreshold, previewThreshold, type ThresholdTarget } from './threshold-calibration.ts';

export { applyThreshold, type ApplyThresholdOptions } from './apply-threshold.ts';
export { collectDecisions, type CollectOptions } from './collect-decisions.ts';
export { modelMetrics, METRICS_NOTES } from './model-metrics.ts';
export { chooseThreshold, previewThreshold, type ThresholdTarget } from './threshold-calibration.ts';
export { DEFAULT_RESAMPLES, DEFAULT_SEED, type BootstrapOptions } from './bootstrap-interval.ts';
export type { ReviewedFinding, ReviewedSeries } from './decision-set.ts';

export function metricsReport(
  store: DatasetStore,
  options: BootstrapOptions & { modelId?: string | null; now?: Date } = {},
): MetricsReport {
  const series = collectDecisions(store, { modelId: options.modelId ?? undefined });
  return modelMetrics(series, options);
}

export function thresholdPreview(store: DatasetStore, modelId: string, threshold: number): ThresholdPreview {
  return previewThreshold(collectDecisions(store, { modelId }), modelId, threshold);
}

export function thresholdChoice(
  store: DatasetStore,
  modelId: string,
  target: ThresholdTarget,
): ThresholdChoice {
  return chooseThreshold(collectDecisions(store, { modelId }), modelId, target);
}
