// Composes the API: opens the dataset store, the model registry, the decode pool and the model runner once,
// and hands back the one `(Request) => Promise<Response>` handler that Electron (app://) and `overread serve`
// (127.0.0.1 behind the token guard) both mount, with the few calls the shell needs besides.
import { readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DatasetStore } from '../dataset/dataset-types.ts';
import { DecodePool } from '../dicom/decode/decode-pool.ts';
import { openModelRegistry, type ModelHost } from '../inference/index.ts';
import type { Job } from '../shared/api-types.ts';
import { rootedDecoder, type ApiContext } from './api-context.ts';
import { buildApp } from './build-app.ts';
import { FileRoots } from './file-roots.ts';
import { importIntoStore } from './import-job.ts';
import { JobRegistry, type JobContext } from './job-registry.ts';
import { FollowUpService } from '../followup/series-follow-up.ts';
import { SeriesHeaderCache } from './series-header-cache.ts';
import { ModelRunner } from './model-runner.ts';
import { PacsService } from './pacs-service.ts';
import { defaultAppDataDir, type SecretStore } from '../pacs/index.ts';
import { ensureSampleStudies } from './sample-studies.ts';

export interface OpenApiOptions {
  /** The dataset file (default: in the per-user app-data folder, see src/dataset/default-dataset-path.ts). */
  db?: string;
  /** An extra folder of user models (also $OVERREAD_MODELS_DIR). */
  userModels?: string;
  /** Folder of bundled models (default: the repository's models/). */
  bundledModels?: string;
  /** The reader whose decisions are recorded (default: the OS user name). */
  reader?: string;
  /** Where the sample studies are generated (default: the app-data folder beside the default dataset). */
  dataDir?: string;
  /** The renderer's built files (default: renderer/dist); false serves the API only. */
  rendererDir?: string | false;
  /** Set by the Electron shell; the handler is the same. */
  electron?: boolean;
  /** Decode worker threads (default min(2, CPUs)). */
  decodeWorkers?: number;
  /** Run the model on imported series without being asked (default true). */
  autoTriage?: boolean;
  /** For tests: how the model process is started (default a Node child process). */
  createModelHost?: () => ModelHost;
  /** PACS settings, pull cache and push queue (default the CLI's app data folder, so both share them). */
  pacsDataDir?: string;
  /** The desktop keychain for PACS secrets (src/main/pacs-secrets.ts); serve mode has none. */
  pacsSecrets?: SecretStore;
  /** Where OVERREAD_PACS_<NAME>_PASSWORD / _TOKEN are read (default process.env). */
  env?: NodeJS.ProcessEnv;
}

export interface OpenedApi {
  fetch(request: Request): Promise<Response>;
  /** Adds folders or files the user opened (dialogs, drag-and-drop) to those the API may read below. */
  allowRoots(paths: string[]): void;
  isInsideRoots(path: string): boolean;
  close(): Promise<void>;
  /** One line for the console: the dataset, its size, the model (never patient data). */
  describe(): string;
}

const here = dirname(fileURLToPath(import.meta.url));
const repositoryRoot = resolve(here, '..', '..');

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(repositoryRoot, 'package.json'), 'utf8')) as { version: string })
      .version;
  } catch {
    return '0';
  }
}

function osUserName(): string {
  try {
    return userInfo().username || 'reader';
  } catch {
    return 'reader'; // no passwd entry (some containers): a neutral name the user can change
  }
}

export async function openApi(options: OpenApiOptions = {}): Promise<OpenedApi> {
  // Loaded here rather than at the top so that a build without SQLite fails at this one call with its reason.
  const { openDataset, defaultDatasetPath } = await import('../dataset/open-dataset.ts');
  const dataDir = options.dataDir ?? dirname(defaultDatasetPath());
  const store: DatasetStore = openDataset(options.db ?? defaultDatasetPath());
  try {
    return await compose(store, dataDir, options);
  } catch (error) {
    store.close();
    throw error;
  }
}

async function compose(store: DatasetStore, dataDir: string, options: OpenApiOptions): Promise<OpenedApi> {
  const registry = await openModelRegistry({
    bundledDir: options.bundledModels,
    userDir: options.userModels,
  });
  for (const refusal of registry.refused) console.error(`overread: ${refusal.reason}`);
  const roots = new FileRoots(store.roots());
  const pool = new DecodePool({ size: options.decodeWorkers });
  const decode = rootedDecoder(roots, (path, frameIndex, signal) => pool.decode(path, frameIndex, signal));
  const decodeWire = rootedDecoder(roots, (path, frameIndex, signal) =>
    pool.decodeWire(path, frameIndex, signal),
  );
  // The model reads whole series through its own worker, so slices fetched while scrolling never queue
  // behind hundreds of frames decoded for a model run. As int16 where lossless: half the volume's memory.
  const modelPool = new DecodePool({ size: 1 });
  const modelDecode = rootedDecoder(roots, (path, frameIndex, signal) =>
    modelPool.decodeWire(path, frameIndex, signal),
  );
  const jobs = new JobRegistry();
  const models = new ModelRunner({
    store,
    registry,
    jobs,
    decode: modelDecode,
    createHost: options.createModelHost,
  });
  const autoTriage = options.autoTriage ?? true;
  models.resumeInterrupted(autoTriage);
  // The reader chosen in the app is remembered beside the dataset, so a restart goes on as the same person
  // (a reader picked at first run must not silently become the OS user on the next start).
  const readerFile = isAbsolute(store.path) ? `${store.path}.reader` : undefined;
  const lastReader = () => {
    try {
      return readerFile ? readFileSync(readerFile, 'utf8').trim() || undefined : undefined;
    } catch {
      return undefined; // never chosen yet
    }
  };
  let reader = (options.reader ?? lastReader() ?? osUserName()).trim() || 'reader';
  store.addReader(reader);
  let sampleJob: Job | undefined;

  const allowRoots = (paths: string[]) => {
    for (const root of roots.add(paths)) store.addRoot(root);
  };
  const triage = autoTriage ? models : undefined;
  const headers = new SeriesHeaderCache();
  const importing = async (paths: string[], job: JobContext) => {
    const outcome = await importIntoStore(paths, store, triage, job);
    headers.forget(outcome.seriesUids);
    return outcome.summary;
  };

  const context: ApiContext = {
    store,
    jobs,
    roots,
    models,
    headers,
    followUp: new FollowUpService(store),
    decode,
    decodeWire,
    reader: () => reader,
    setReader(name) {
      store.addReader(name);
      reader = name;
      if (readerFile) {
        try {
          writeFileSync(readerFile, name);
        } catch (error) {
          console.error(
            `overread: could not remember the reader in ${readerFile}: ${(error as Error).message}`,
          );
        }
      }
    },
    startImport(paths) {
      allowRoots(paths);
      return jobs.start('import', `importing ${paths.length} path(s)`, (job) => importing(paths, job));
    },
    startSample() {
      if (sampleJob && jobs.get(sampleJob.id)?.state === 'running') return jobs.get(sampleJob.id)!;
      sampleJob = jobs.start('import', 'preparing the sample studies', async (job) => {
        const dir = await ensureSampleStudies(dataDir, job);
        allowRoots([dir]);
        return `sample: ${await importing([dir], job)}`;
      });
      return sampleJob;
    },
    sampleAvailable() {
      const running = sampleJob !== undefined && jobs.get(sampleJob.id)?.state === 'running';
      return !running && store.worklist({ limit: 1 }).total === 0;
    },
    pacs: new PacsService({
      dataDir: options.pacsDataDir ?? defaultAppDataDir(options.env),
      keychain: options.pacsSecrets,
      env: options.env,
      store,
      importPaths: async (paths, job) => {
        allowRoots(paths);
        return importing(paths, job);
      },
    }),
  };
  const handler = buildApp(context, {
    rendererDir:
      options.rendererDir === false
        ? undefined
        : (options.rendererDir ?? join(repositoryRoot, 'renderer', 'dist')),
    version: packageVersion(),
  });

  let closed = false;
  return {
    fetch: handler,
    allowRoots,
    isInsideRoots: (path) => roots.contains(path),
    describe() {
      const active = models.active();
      const series = store.worklist({ limit: 1 }).total;
      const model = active
        ? `model ${active.model.id} ${active.model.manifest.version}`
        : 'no model installed';
      return `${store.path} (${series} series, ${model})`;
    },
    async close() {
      if (closed) return;
      closed = true;
      jobs.cancelAll();
      await models.close();
      await pool.close();
      await modelPool.close();
      store.close();
    },
  };
}
