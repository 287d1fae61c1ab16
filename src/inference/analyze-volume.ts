// Owns one model run over one series, start to end: scope check, the run in the model process, findings at
// the threshold, the series score. What the API and the CLI both call.
import type { Volume } from '../dicom/volume.ts';
import type { ModelHost, ModelRunOptions, ModelRunTimings } from './model-host.ts';
import type { InstalledModel } from './model-registry.ts';
import { findingsAtThreshold, seriesScore, type Finding } from './findings-at-threshold.ts';
import { applySecondLook, modelClamp, readsImage } from './second-look.ts';
import { intensityScopeWarning, seriesScope, type SeriesScopeInput } from './series-scope.ts';

export interface VolumeAnalysis {
  /** Probability × 255 on the series grid: keep it to re-apply another threshold without the model. */
  probability: Uint8Array;
  findings: Finding[];
  score: number;
  threshold: number;
  /** What the reader should know about this run: the scope warnings, then the model process's own. */
  warnings: string[];
  /**
   * Those about the series lying outside the model's declared scope (modality, body part, ranges) — what
   * marks a series without findings "outside scope"; the model process's (int8-kernel-check.ts) do not.
   */
  scopeWarnings: string[];
  seconds: number;
  /** The model process's own timings, plus what the app side spent around them. */
  timings: ModelRunTimings & {
    /** host.run from call to result: sending the voxels, the run, the probabilities coming back. */
    hostMs: number;
    /** Connected components at the threshold and the series score, on this thread. */
    findingsMs: number;
  };
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
  const scopeWarnings = [...scope.warnings];
  const intensity = intensityScopeWarning(model.manifest, volume.voxels);
  if (intensity) scopeWarnings.push(intensity);
  const threshold = options.threshold ?? model.manifest.defaultThreshold;
  const hostStarted = performance.now();
  const {
    values,
    rowMax,
    timings,
    peak,
    warnings: runWarnings,
  } = await host.run(
    { model, volume, batchSize: options.batchSize },
    { signal: options.signal, onProgress: options.onProgress },
  );
  const findingsStarted = performance.now();
  const look = model.manifest.secondLook;
  let seriesPeak = peak;
  if (look) {
    // The second look scales its candidates' values in place, so the stored map and its findings carry it; the
    // series' peak is the highest score, or what is left below the candidate threshold.
    const image = readsImage(look)
      ? { voxels: volume.voxels, clamp: modelClamp(model.manifest.input.normalization) }
      : undefined;
    const second = applySecondLook(values, volume.geometry, look, rowMax, image);
    let rest = 0;
    for (const high of rowMax) if (high > rest) rest = high;
    seriesPeak = Math.max(second.peak, rest / 255);
  }
  const findings = findingsAtThreshold(values, volume.geometry, threshold, model.manifest.minFinding, rowMax);
  const score = seriesScore(values, findings, seriesPeak);
  const ended = performance.now();
  return {
    probability: values,
    findings,
    score,
    threshold,
    warnings: [...scopeWarnings, ...runWarnings],
    scopeWarnings,
    seconds: (ended - started) / 1000,
    timings: { ...timings, hostMs: findingsStarted - hostStarted, findingsMs: ended - findingsStarted },
  };
}
