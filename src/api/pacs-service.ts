// Owns the app's side of the PACS: the server settings (shared with the CLI, no secrets), where each
// server's secret comes from (the desktop keychain, this session's memory, or the environment variable of
// `overread serve`), pulls as jobs that import and triage what arrives, and pushes of a reviewed series'
// DICOM SEG and its measurement report (SR) — built by the export path — with the retry queue. A secret goes
// from here into a DicomwebClient and nowhere else: not to the settings file, the dataset, a log line or an
// API answer.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DatasetStore } from '../dataset/dataset-types.ts';
import { planDatasetExport } from '../export/dataset-export.ts';
import { runExport } from '../export/export-orchestrator.ts';
import {
  chainSecretStores,
  DicomwebClient,
  defaultPullCacheDir,
  envSecretStore,
  loadServers,
  authorizationFor,
  pullSeries,
  pushFiles,
  PushQueue,
  retryQueue,
  saveServers,
  secretEnvName,
  validateServer,
  PacsError,
  type PacsServer,
  type PushFileOutcome,
  type SecretKind,
  type SecretStore,
  type SeriesSummary,
} from '../pacs/index.ts';
import type { PacsPushResult, PacsServerInfo, PacsServerSave } from '../shared/pacs-types.ts';
import type { JobContext } from './job-registry.ts';
import { ApiProblem, conflict, notFound } from './problem.ts';

export interface PacsServiceOptions {
  /** Settings, pull cache and push queue live here (the CLI's app data folder, so both share them). */
  dataDir: string;
  /** The desktop keychain (src/main/pacs-secrets.ts); absent in `overread serve`. */
  keychain?: SecretStore;
  env?: NodeJS.ProcessEnv;
  store: DatasetStore;
  /** Imports pulled folders into the dataset (and queues triage); returns the import's summary. */
  importPaths(paths: string[], job: JobContext): Promise<string>;
  /** For tests: the fetch the DICOMweb client uses. */
  fetch?: typeof fetch;
}

const kindOf = (server: PacsServer): SecretKind | undefined =>
  server.auth.type === 'basic' ? 'password' : server.auth.type === 'bearer' ? 'token' : undefined;

/** A PacsError as an API problem: settings the user can fix are 409, the server's own failures 502. */
export function pacsProblem(error: unknown): unknown {
  if (!(error instanceof PacsError)) return error;
  if (error.kind === 'config') return new ApiProblem(409, 'PACS settings', error.message);
  if (error.kind === 'aborted') return new ApiProblem(499, 'Cancelled', error.message);
  return new ApiProblem(502, 'PACS error', error.message);
}

export class PacsService {
  readonly #options: PacsServiceOptions;
  readonly #env: SecretStore;
  /** Secrets given in a request, kept in memory until the API closes (serve mode, or a keychain refusal). */
  readonly #session = new Map<string, { baseUrl: string; username?: string; secret: string }>();
  /** Series UIDs a pull job is fetching now. */
  readonly #pulling = new Set<string>();
  readonly queue: PushQueue;
  readonly cacheDir: string;

  constructor(options: PacsServiceOptions) {
    this.#options = options;
    this.#env = envSecretStore(options.env ?? process.env);
    this.queue = new PushQueue(options.dataDir);
    this.cacheDir = defaultPullCacheDir(options.dataDir);
  }

  get hasKeychain(): boolean {
    return this.#options.keychain?.set !== undefined;
  }

  #sessionStore(): SecretStore {
    return {
      get: async (server, kind) => {
        const saved = this.#session.get(`${server.name.toLowerCase()}/${kind}`);
        const username = server.auth.type === 'basic' ? server.auth.username : undefined;
        return saved && saved.baseUrl === server.baseUrl && saved.username === username
          ? saved.secret
          : undefined;
      },
    };
  }

  #remember(server: PacsServer, kind: SecretKind, secret: string) {
    const username = server.auth.type === 'basic' ? server.auth.username : undefined;
    this.#session.set(`${server.name.toLowerCase()}/${kind}`, { baseUrl: server.baseUrl, username, secret });
  }

  #secrets(): SecretStore {
    const stores = [this.#sessionStore(), this.#env];
    return chainSecretStores(...(this.#options.keychain ? [this.#options.keychain, ...stores] : stores));
  }

  async #secretSource(server: PacsServer): Promise<PacsServerInfo['secretSource']> {
    const kind = kindOf(server);
    if (!kind) return 'none';
    if (this.#options.keychain && (await this.#options.keychain.get(server, kind)) !== undefined)
      return 'keychain';
    if ((await this.#sessionStore().get(server, kind)) !== undefined) return 'session';
    if ((await this.#env.get(server, kind)) !== undefined) return 'environment';
    return 'missing';
  }

  async #info(server: PacsServer): Promise<PacsServerInfo> {
    const kind = kindOf(server);
    return {
      name: server.name,
      baseUrl: server.baseUrl,
      auth: server.auth,
      secretSource: await this.#secretSource(server),
      ...(kind ? { secretEnv: secretEnvName(server.name, kind) } : {}),
    };
  }

  async servers(): Promise<PacsServerInfo[]> {
    return Promise.all((await loadServers(this.#options.dataDir)).map((s) => this.#info(s)));
  }

  async server(name: string): Promise<PacsServer> {
    const servers = await loadServers(this.#options.dataDir);
    const server = servers.find((s) => s.name.toLowerCase() === name.toLowerCase());
    if (!server) {
      const known = servers.length ? `set up: ${servers.map((s) => s.name).join(', ')}` : 'none is set up';
      throw new ApiProblem(
        404,
        'Not found',
        `no DICOMweb server named "${name}" (${known}) — add it in the PACS dialog`,
      );
    }
    return server;
  }

  /** Adds or replaces a server; its secret goes to the keychain, or this session's memory in serve mode. */
  async save(name: string, body: PacsServerSave): Promise<PacsServerInfo> {
    const server = validateServer({ name, baseUrl: body.baseUrl, auth: body.auth });
    const servers = (await loadServers(this.#options.dataDir)).filter(
      (s) => s.name.toLowerCase() !== name.toLowerCase(),
    );
    await saveServers(this.#options.dataDir, [...servers, server]);
    const kind = kindOf(server);
    if (kind && body.secret) await this.#keep(server, kind, body.secret);
    return this.#info(server);
  }

  async #keep(server: PacsServer, kind: SecretKind, secret: string) {
    if (this.#options.keychain?.set) {
      try {
        await this.#options.keychain.set(server, kind, secret);
        return;
      } catch (error) {
        // No usable keychain: the secret serves this session only, and the person is told so.
        this.#remember(server, kind, secret);
        throw conflict(
          `${(error as Error).message}. It is kept in memory until Overread closes, so "${server.name}" works for now`,
        );
      }
    }
    this.#remember(server, kind, secret);
  }

  async remove(name: string): Promise<void> {
    const server = await this.server(name);
    const servers = (await loadServers(this.#options.dataDir)).filter((s) => s.name !== server.name);
    await saveServers(this.#options.dataDir, servers);
    await this.#options.keychain?.delete?.(server);
    for (const key of [...this.#session.keys()])
      if (key.startsWith(`${server.name.toLowerCase()}/`)) this.#session.delete(key);
  }

  /** A client for the server, with its secret from the keychain, this session or the environment. */
  async client(name: string): Promise<DicomwebClient> {
    const server = await this.server(name);
    const authorization = await authorizationFor(server, this.#secrets());
    return new DicomwebClient(server, { authorization, fetch: this.#options.fetch });
  }

  /**
   * Connection test. A `secret` given with it is tried instead of the stored one and, when the server takes
   * it, kept for this session (a wrong one is not kept, so it cannot shadow the right one).
   */
  async test(name: string, secret?: string, signal?: AbortSignal): Promise<string> {
    const server = await this.server(name);
    const kind = kindOf(server);
    const given: SecretStore = { get: async () => secret };
    const authorization = await authorizationFor(server, kind && secret ? given : this.#secrets());
    const client = new DicomwebClient(server, { authorization, fetch: this.#options.fetch });
    await client.testConnection(signal);
    if (kind && secret) this.#remember(server, kind, secret);
    const who = server.auth.type === 'none' ? 'no authentication needed' : 'credentials accepted';
    return `"${server.name}": connected, ${who}`;
  }

  /** The pull job's work: each series into the cache, then what arrived imported (and triaged). */
  /**
   * Refuses series another pull is fetching now: two retrieves of one series would write the same files
   * (and one clears the other's half-written ones at start). Call right before starting the pull job.
   */
  checkNotPulling(series: { seriesInstanceUid: string }[]): void {
    const busy = series.filter((s) => this.#pulling.has(s.seriesInstanceUid));
    if (busy.length > 0) {
      throw conflict(
        `${busy.length} of the chosen series ${busy.length === 1 ? 'is' : 'are'} being pulled already (e.g. ${busy[0]!.seriesInstanceUid}) — wait for that pull to finish`,
      );
    }
  }

  async pull(name: string, series: SeriesSummary[], job: JobContext): Promise<string> {
    this.checkNotPulling(series);
    // Claimed before the first await, so a second request checked after this one started is refused.
    for (const s of series) this.#pulling.add(s.seriesInstanceUid);
    try {
      return await this.#pull(name, series, job);
    } finally {
      for (const s of series) this.#pulling.delete(s.seriesInstanceUid);
    }
  }

  async #pull(name: string, series: SeriesSummary[], job: JobContext): Promise<string> {
    const client = await this.client(name);
    const totals = new Map<string, { done: number; total: number }>();
    const report = () => {
      let done = 0;
      let total = 0;
      for (const value of totals.values()) {
        done += value.done;
        total += value.total;
      }
      return { done, total };
    };
    job.progress(0, 0, `pulling ${series.length} series from "${client.server.name}"`);
    const pulled = await pullSeries(client, series, this.cacheDir, {
      signal: job.signal,
      onSeries: (_s, n, count) => job.progress(report().done, report().total, `series ${n + 1} of ${count}`),
      onProgress: (p) => {
        totals.set(p.seriesInstanceUid, { done: p.done, total: p.total });
        const { done, total } = report();
        job.progress(done, total, `${done} of ${total || '?'} instances received`);
      },
    });
    const folders = pulled.flatMap((p) => (p.result ? [p.result.folder] : []));
    const failures = pulled.filter((p) => p.error);
    const parts = [`${folders.length} of ${series.length} series pulled from "${client.server.name}"`];
    if (folders.length > 0) parts.push(await this.#options.importPaths(folders, job));
    for (const failure of failures) parts.push(failure.error!.message);
    if (folders.length === 0 && failures.length > 0) throw new PacsError('http', parts.join('; '));
    return parts.join('; ');
  }

  /** Builds the series' DICOM SEG with the export path and pushes it; a failure waits in the retry queue. */
  async push(name: string, seriesUid: string, reader?: string): Promise<PacsPushResult> {
    const { store } = this.#options;
    const series = store.series(seriesUid);
    if (!series) throw notFound('series', seriesUid);
    if (series.status !== 'done') {
      throw conflict(
        `series ${seriesUid} is "${series.status}" — mark its review done before pushing its labels`,
      );
    }
    const client = await this.client(name);
    const plan = planDatasetExport(store, { status: 'done', reader });
    const entry = plan.series.find((s) => s.seriesInstanceUid === seriesUid);
    if (!entry || !entry.findings.some((f) => f.loadMask)) {
      throw conflict(
        `series ${seriesUid} has no confirmed, corrected or added finding — there is no label to push`,
      );
    }
    await mkdir(this.#options.dataDir, { recursive: true });
    const outbox = await mkdtemp(join(this.#options.dataDir, 'pacs-outbox-'));
    try {
      const outDir = join(outbox, 'seg');
      await runExport([entry], {
        format: 'dicom-seg',
        outDir,
        datasetVersion: plan.datasetVersion,
        selection: plan.selection,
      });
      const files: string[] = [];
      for (const caseId of await readdir(outDir)) {
        if (!caseId.startsWith('case_')) continue;
        // The SEG, then its measurement report (which references it, so a PACS has it first).
        files.push(join(outDir, caseId, 'seg.dcm'));
        if (existsSync(join(outDir, caseId, 'sr.dcm'))) files.push(join(outDir, caseId, 'sr.dcm'));
      }
      if (files.length === 0)
        throw conflict(`series ${seriesUid}: the export wrote no SEG — nothing to push`);
      return summarise(await pushFiles(client, files, this.queue));
    } finally {
      // The queue keeps its own copy of anything not stored; the built SEG is not needed after the push.
      await rm(outbox, { recursive: true, force: true });
    }
  }

  /** Sends the queued pushes again (one server, or every server with entries). */
  async retry(name?: string): Promise<PacsPushResult> {
    const names = name
      ? [(await this.server(name)).name]
      : [...new Set((await this.queue.list()).map((e) => e.server))];
    const outcomes: PushFileOutcome[] = [];
    for (const server of names) {
      let client: DicomwebClient;
      try {
        client = await this.client(server);
      } catch (error) {
        if (name) throw error;
        // One server removed or without its secret must not hold back the others' retries; its entries stay.
        const reason = error instanceof Error ? error.message : String(error);
        for (const entry of await this.queue.list(server)) {
          const { sopInstanceUid, sopClassUid, originalPath } = entry;
          outcomes.push({
            sopInstanceUid,
            sopClassUid,
            status: 'failed',
            reason,
            file: originalPath,
            queued: true,
          });
        }
        continue;
      }
      outcomes.push(...(await retryQueue(client, this.queue)));
    }
    return summarise(outcomes);
  }
}

function summarise(outcomes: PushFileOutcome[]): PacsPushResult {
  const list = outcomes.map((o) => ({
    sopInstanceUid: o.sopInstanceUid,
    sopClassUid: o.sopClassUid,
    status: o.status,
    ...(o.reason ? { reason: o.reason } : {}),
    queued: o.queued,
  }));
  const failed = list.filter((o) => o.status === 'failed').length;
  return { outcomes: list, stored: list.length - failed, failed };
}
