// The PACS (DICOMweb) part of the API contract between the renderer and src/api/routes/pacs-routes.ts.
// No type here carries a password or token back to the renderer: a secret only ever travels towards the API.

export type PacsAuthInfo = { type: 'none' } | { type: 'basic'; username: string } | { type: 'bearer' };

/**
 * Where the API will take the server's secret from: the OS keychain (desktop app), this session's memory
 * (given with a save or test in `overread serve`), the environment variable, none needed, or missing.
 */
export type PacsSecretSource = 'keychain' | 'session' | 'environment' | 'none' | 'missing';

/** GET /api/pacs/servers → { servers, keychain } */
export interface PacsServerInfo {
  name: string;
  baseUrl: string;
  auth: PacsAuthInfo;
  secretSource: PacsSecretSource;
  /** The environment variable `overread serve` reads the secret from. */
  secretEnv?: string;
}

export interface PacsServerList {
  servers: PacsServerInfo[];
  /** True in the desktop app, where a saved secret goes to the OS keychain; false: session memory only. */
  keychain: boolean;
}

/** PUT /api/pacs/servers/:name */
export interface PacsServerSave {
  baseUrl: string;
  auth: PacsAuthInfo;
  /** Password (basic) or token (bearer); kept in the keychain, or for this session only. Never returned. */
  secret?: string;
}

/** GET /api/pacs/servers/:name/studies?patientName&patientId&dateFrom&dateTo&modality&accessionNumber&limit&offset */
export interface PacsStudySearch {
  patientName?: string;
  patientId?: string;
  dateFrom?: string;
  dateTo?: string;
  modality?: string;
  accessionNumber?: string;
  limit?: number;
  offset?: number;
}

export interface PacsStudy {
  studyInstanceUid: string;
  studyDate: string;
  accessionNumber: string;
  patientId: string;
  patientName: string;
  description: string;
  modalities: string[];
  instances?: number;
}

export interface PacsStudyPage {
  studies: PacsStudy[];
  offset: number;
  limit: number;
  /** The server has more matches after this page. */
  more: boolean;
}

/** GET /api/pacs/servers/:name/studies/:studyUid/series */
export interface PacsSeries {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  modality: string;
  seriesNumber?: number;
  description: string;
  instances?: number;
  /** Its status in the local worklist when it has been pulled (or imported) already. */
  localStatus?: string;
}

/** POST /api/pacs/servers/:name/pull { series } → Job (kind 'pull') */
export interface PacsPullRequest {
  series: { studyInstanceUid: string; seriesInstanceUid: string }[];
}

/** One object's outcome of a push or retry. */
export interface PacsPushOutcome {
  sopInstanceUid: string;
  sopClassUid: string;
  status: 'stored' | 'warning' | 'failed';
  reason?: string;
  /** In the retry queue now. */
  queued: boolean;
}

/** POST /api/pacs/servers/:name/push { seriesUid } → PacsPushResult; POST /api/pacs/queue/retry → same. */
export interface PacsPushResult {
  outcomes: PacsPushOutcome[];
  stored: number;
  failed: number;
}

/** GET /api/pacs/queue → { entries } */
export interface PacsQueueEntry {
  id: string;
  server: string;
  sopInstanceUid: string;
  sopClassUid: string;
  queuedAt: string;
  lastTriedAt: string;
  attempts: number;
  lastError: string;
}
