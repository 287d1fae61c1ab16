// The inference engine's public surface, for the API and the CLI: installed models, a host that runs them in
// a separate process, one call that analyses a series, and findings re-derived at any threshold.
export {
  modelManifestSchema,
  parseModelManifest,
  type ModelManifest,
  type ModelManifestInput,
} from './model-manifest.ts';
export {
  ModelRegistry,
  openModelRegistry,
  defaultBundledModelsDir,
  type InstalledModel,
  type RefusedModel,
  type ModelRegistryOptions,
} from './model-registry.ts';
export {
  ModelProcessCrashError,
  type ModelHost,
  type ModelRunRequest,
  type ModelRunResult,
  type ModelRunOptions,
  type ModelRunProgress,
  type ModelRunTimings,
} from './model-host.ts';
export { ProcessModelHost, type ModelProcess, type ProcessModelHostOptions } from './process-model-host.ts';
export { createChildProcessModelHost, forkModelProcess } from './child-process-host.ts';
export { serveModelRuns, type ModelProcessPort } from './model-process.ts';
export {
  analyzeVolume,
  SeriesSkippedError,
  type VolumeAnalysis,
  type AnalyzeOptions,
} from './analyze-volume.ts';
export {
  findingsAtThreshold,
  seriesScore,
  thresholdLevel,
  type Finding,
  type MinFindingSize,
} from './findings-at-threshold.ts';
export {
  seriesScope,
  intensityScopeWarning,
  type SeriesScope,
  type SeriesScopeInput,
} from './series-scope.ts';
