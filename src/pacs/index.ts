// The PACS (DICOMweb) side of Overread: server settings without secrets, a fetch-based QIDO/WADO/STOW client,
// resumable pulls into the local cache, pushes with per-object outcomes and a retry queue that loses nothing.
export { PacsError, type PacsErrorKind } from './pacs-error.ts';
export { defaultAppDataDir, defaultPullCacheDir } from './app-data-dir.ts';
export {
  loadServers,
  saveServers,
  findServer,
  settingsPath,
  validateServer,
  type PacsServer,
  type PacsAuth,
} from './server-settings.ts';
export {
  envSecretStore,
  promptSecretStore,
  chainSecretStores,
  secretEnvName,
  authorizationFor,
  type SecretStore,
  type SecretKind,
} from './secret-store.ts';
export { terminalSecretPrompt } from './terminal-prompt.ts';
export { DicomwebClient, type DicomJson } from './dicomweb-client.ts';
export { openServer } from './open-server.ts';
export {
  searchAll,
  studySummary,
  seriesSummary,
  type QidoQuery,
  type StudySummary,
  type SeriesSummary,
} from './qido-query.ts';
export {
  retrieveSeries,
  seriesFolder,
  type RetrieveProgress,
  type RetrieveResult,
} from './retrieve-series.ts';
export { seriesToPull, pullSeries, type PullRequest, type PulledSeries } from './pull-studies.ts';
export { pushFiles, retryQueue, type PushFileOutcome } from './push-instances.ts';
export { PushQueue, type QueuedPush } from './push-queue.ts';
export { stowOutcomes, type PushOutcome } from './stow-result.ts';
