// Owns running the active model over imported series for the API: one run at a time, each a 'model' job with
// progress (decoding, then the network), in a separate model process. The store records the run as
// 'running' first and commits it with all its findings at the end, so a crash never shows half a run. A
// series the model cannot read is recorded as skipped with the reason and shown as outside its scope.
import type { DatasetStore, ModelRef, ModelRunRecord } from '../dataset/dataset-types.ts';
import type { WireFrame } from '../dicom/decode/decode-frame.ts';
import type { FrameRef } from '../dicom/index/index.ts';
import {
  analyzeVolume,
  createChildProcessModelHost,
  seriesScope,
  SeriesSkippedError,
  type InstalledModel,
  type ModelHost,
  type ModelRegistry,
} from '../inference/index.ts';
import { loadSeriesVolume, seriesScopeFacts } from '../inference/load-series-volume.ts';
import type { Job } from '../shared/api-types.ts';
import type { JobContext, JobRegistry } from './job-registry.ts';
import { worklistPages } from './worklist-pages.ts';

export interface ActiveModel {
  model: InstalledModel;
  /** The threshold saved in calibration, else the model's default. */
  threshold: number;
}

export interface ModelRunnerOptions {
  store: DatasetStore;
  registry: ModelRegistry;
  jobs: JobRegistry;
  decode(frame: FrameRef, signal?: AbortSignal): Promise<WireFrame>;
  /** Default: a Node child process. */
  createHost?: () => ModelHost;
}

// Progress: decoding is the first 30 % of a run, the network the rest.
const DECODE_SHARE = 30;

export class ModelRunner {
  private host: ModelHost | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly running = new Map<string, Job>();

  constructor(private readonly options: ModelRunnerOptions) {}

  get registry(): ModelRegistry {
    return this.options.registry;
  }

  active(): ActiveModel | undefined {
    const model = this.options.registry.defaultModel();
    if (!model) return undefined;
    const saved = this.options.store.threshold(model.id);
    return { model, threshold: saved?.threshold ?? model.manifest.defaultThreshold };
  }

  /** The job already queued or running for this series, if any. */
  pending(seriesUid: string): Job | undefined {
    const job = this.running.get(seriesUid);
    return job && this.options.jobs.get(job.id)?.state === 'running' ? job : undefined;
  }

  /** Queues a run of the active model over the series; a series already queued gets its existing job. */
  start(seriesUid: string): Job {
    const existing = this.pending(seriesUid);
    if (existing) return this.options.jobs.get(existing.id) ?? existing;
    const active = this.active();
    if (!active) {
      throw new Error(
        'no usable model is installed — put one in models/ or start Overread with --models DIR',
      );
    }
    const { store, jobs } = this.options;
    // Shown as running while queued; a series a reader has started (in review, done) keeps its status.
    if (store.series(seriesUid)?.status === 'unread') store.setStatus(seriesUid, 'model-running', null);
    const job = jobs.start('model', 'waiting for the model', async (context) => {
      const turn = this.queue.then(() => this.run(seriesUid, active, context));
      this.queue = turn.catch(() => undefined);
      try {
        return await turn;
      } catch (error) {
        // Cancelled while queued (no run recorded yet): never leave the series stuck at 'model-running'.
        if (store.series(seriesUid)?.status === 'model-running') store.setStatus(seriesUid, 'unread', null);
        throw error;
      }
    });
    this.running.set(seriesUid, job);
    return job;
  }

  /**
   * Series left at 'model-running' with no run in progress (queued when the last session ended), and unread
   * series whose last run was cut off by the app stopping (killed, crashed, power cut: the store marks such
   * runs failed as "interrupted" when it opens), are queued again — or shown as unread when `requeue` is
   * false or no model is installed. A series whose last two runs were both interrupted is not queued a third
   * time (it may be what stops the app); the reader can still run it. A run another process owns
   * (`overread triage --db` at the same time) is left alone.
   */
  resumeInterrupted(requeue: boolean): number {
    const { store } = this.options;
    // Every run in one read, grouped by series (oldest first), rather than a query per series at start-up.
    const runsOf = new Map<string, ModelRunRecord[]>();
    for (const run of store.runs()) {
      const list = runsOf.get(run.seriesUid);
      if (list) list.push(run);
      else runsOf.set(run.seriesUid, [run]);
    }
    const interrupted = (run: ModelRunRecord | undefined) =>
      run?.state === 'failed' && (run.message ?? '').startsWith('interrupted');
    const seriesWith = (status: 'model-running' | 'unread') =>
      worklistPages(store, { status, limit: 100_000 }).rows.map((row) => row.series.seriesUid);
    const cutOff = seriesWith('unread').filter((uid) => {
      const runs = runsOf.get(uid) ?? [];
      return interrupted(runs.at(-1)) && !interrupted(runs.at(-2));
    });
    const queued = seriesWith('model-running').filter(
      (uid) => !runsOf.get(uid)?.some((run) => run.state === 'running'),
    );
    // Back to unread (start() shows them running again); cut-off series are unread already, and a status
    // write is an audit entry, so they are not written again.
    for (const seriesUid of queued) store.setStatus(seriesUid, 'unread', null);
    if (!requeue || !this.active()) return 0;
    for (const seriesUid of [...queued, ...cutOff]) this.start(seriesUid);
    return queued.length + cutOff.length;
  }

  async close(): Promise<void> {
    await this.host?.close();
    this.host = undefined;
  }

  private async run(seriesUid: string, active: ActiveModel, context: JobContext): Promise<string> {
    context.signal.throwIfAborted();
    const { store } = this.options;
    const series = store.series(seriesUid);
    if (!series) throw new Error(`series ${seriesUid} was removed before the model ran`);
    const { model, threshold } = active;
    const ref: ModelRef = { id: model.id, version: model.manifest.version, sha256: model.manifest.sha256 };
    const runId = store.startRun(seriesUid, ref, threshold, {});
    try {
      const facts = seriesScopeFacts(series.indexed);
      if (!series.geometry) {
        throw new SeriesSkippedError(
          series.warnings[0] ?? 'the series has no usable geometry (position or orientation missing)',
        );
      }
      const scope = seriesScope(model.manifest, { ...facts, geometry: series.geometry });
      if (scope.skip) throw new SeriesSkippedError(scope.skip);
      context.progress(0, 100, 'reading the images');
      const volume = await loadSeriesVolume(
        series.indexed,
        async (frame) => {
          const decoded = await this.options.decode(frame, context.signal);
          if (decoded.samplesPerPixel !== 1)
            throw new SeriesSkippedError('colour images: the model reads greyscale');
          return decoded.data;
        },
        {
          signal: context.signal,
          onProgress: (done, total) =>
            context.progress(Math.floor((DECODE_SHARE * done) / total), 100, 'reading the images'),
        },
      );
      this.host ??= (this.options.createHost ?? createChildProcessModelHost)();
      const analysis = await analyzeVolume(this.host, model, volume, facts, {
        threshold,
        signal: context.signal,
        onProgress: ({ done, total }) =>
          context.progress(
            DECODE_SHARE + Math.floor(((100 - DECODE_SHARE) * done) / total),
            100,
            `model: slice ${done} of ${total}`,
          ),
      });
      // Outside the training ranges the model still ran; with nothing found, "no findings" would hide that,
      // so the store lists the series as outside the model's scope, with why (issue 7) — in the same
      // transaction as the run.
      const findings = store.finishRun(runId, {
        findings: analysis.findings,
        score: analysis.score,
        probability: analysis.probability,
        warnings: analysis.warnings,
        scopeWarnings: analysis.scopeWarnings,
        seconds: analysis.seconds,
      });
      const count = findings.length;
      return `${count} finding${count === 1 ? '' : 's'} (score ${analysis.score.toFixed(2)}) in ${analysis.seconds.toFixed(1)} s`;
    } catch (error) {
      if (error instanceof SeriesSkippedError) {
        store.failRun(runId, 'skipped', error.reason); // the store shows it as outside the model's scope, and why
        return `skipped: ${error.reason}`;
      }
      const message = context.signal.aborted
        ? 'cancelled by the user'
        : error instanceof Error
          ? error.message
          : String(error);
      store.failRun(runId, 'failed', message);
      throw error;
    }
  }
}
