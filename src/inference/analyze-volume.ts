// Owns one model run over one series, start to end: scope check, the run in the model process, findings at
// the threshold, the series score. What the API and the CLI both call.
import type { Volume } from '../dicom/volume.ts';
import type { ModelHost, ModelRunOptions, ModelRunTimings } from './model-host.ts';
import type { InstalledModel } from './model-registry.ts';
import { findingsAtThreshold, seriesScore, type Finding } from './findings-at-threshold.ts';
import { intensityScopeWarning, seriesScope, type SeriesScopeInput } from './series-scope.ts';

export interface VolumeAnalysis {
  /** Probability × 255 on the series grid: keep it to re-apply another threshold without the model. */
  probability: Uint8Array;
  findings: Finding[];
  score: number;
  threshold: number;
  warnings: string[];
  seconds: number;
  timings: ModelRunTimings;
}

export interface AnalyzeOptions extends ModelRunOptions {
  /** Default: the model's own default threshold. */
  threshold?: number;
  batchSize?: number;
}

export class SeriesSkippedError extends Error {
  constructor(readonly reason: string) {
    super(`skipped: ${reason}`);
    this.name = 'SeriesSkippedError';
  }
}

export async function analyzeVolume(
  host: ModelHost,
  model: InstalledModel,
  volume: Volume<ArrayLike<number>>,
  series: Omit<SeriesScopeInput, 'geometry'>,
  options: AnalyzeOptions = {},
): Promise<VolumeAnalysis> {
  const started = performance.now();
  const scope = seriesScope(model.manifest, { ...series, geometry: volume.geometry });
  if (scope.skip) throw new SeriesSkippedError(scope.skip);
  const warnings = [...scope.warnings];
  const intensity = intensityScopeWarning(model.manifest, volume.voxels);
  if (intensity) warnings.push(intensity);
  const threshold = options.threshold ?? model.manifest.defaultThreshold;
  const { values, timings } = await host.run(
    { model, volume, batchSize: options.batchSize },
    { signal: options.signal, onProgress: options.onProgress },
  );
  const findings = findingsAtThreshold(values, volume.geometry, threshold, model.manifest.minFinding);
  return {
    probability: values,
    findings,
    score: seriesScore(values, findings),
    threshold,
    warnings,
    seconds: (performance.now() - started) / 1000,
    timings,
  };
}
