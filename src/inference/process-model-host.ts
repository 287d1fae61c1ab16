// Owns the app side of running models in another process, independent of how that process is started:
// runs are queued one at a time, progress is passed on, an AbortSignal cancels (politely, then by killing the
// process after a grace period), and a process that dies fails only the run it was serving — the next run
// starts a fresh process. An idle process is stopped after a while to give its memory back.
import {
  ModelProcessCrashError,
  unpackProbabilityRows,
  voxelBytes,
  voxelMessages,
  voxelTypeFor,
  type FromModelProcess,
  type ModelHost,
  type ModelRunOptions,
  type ModelRunRequest,
  type ModelRunResult,
  type ToModelProcess,
} from './model-host.ts';
import type { Int8Verdict } from './int8-kernel-check.ts';

/** A started model process, as the transport sees it (Node child process, Electron utilityProcess…). */
export interface ModelProcess {
  readonly pid: number | undefined;
  send(message: ToModelProcess): void;
  /** Writes bytes to the process's byte channel, where it has one (voxelsVia 'bulk'). */
  sendBulk?(bytes: Uint8Array): void;
  onMessage(handler: (message: FromModelProcess) => void): void;
  /** Called once when the process has exited or could not start. */
  onExit(handler: (how: string) => void): void;
  kill(): void;
}

export interface ProcessModelHostOptions {
  /** onnxruntime intra-op threads; default: all cores but one. */
  threads?: number;
  /** How long a cancelled run may take to stop before the process is killed (ms, default 2000). */
  cancelGraceMs?: number;
  /** An idle process is stopped after this long (ms, default 120000; 0 = never). */
  idleMs?: number;
}

interface ActiveRun {
  runId: number;
  onMessage(message: FromModelProcess): void;
  onExit(how: string): void;
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason;
  const error = new Error('the model run was cancelled');
  error.name = 'AbortError';
  return error;
}

export class ProcessModelHost implements ModelHost {
  private process: ModelProcess | undefined;
  private active: ActiveRun | undefined;
  private tail: Promise<void> = Promise.resolve();
  private nextRunId = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  /** Int8 kernel verdicts by model sha256, outliving model processes (int8-kernel-check.ts). */
  private readonly int8Verdicts = new Map<string, Int8Verdict>();

  constructor(
    private readonly launch: () => ModelProcess,
    private readonly options: ProcessModelHostOptions = {},
  ) {}

  /** The model process's id while one is running (for diagnostics and tests). */
  get pid(): number | undefined {
    return this.process?.pid;
  }

  run(request: ModelRunRequest, options: ModelRunOptions = {}): Promise<ModelRunResult> {
    return new Promise<ModelRunResult>((resolve, reject) => {
      const turn = this.tail.then(() => this.execute(request, options, resolve, reject));
      this.tail = turn.catch(() => undefined);
    });
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const child = this.process;
    if (!child) return;
    this.process = undefined;
    await new Promise<void>((resolve) => {
      child.onExit(() => resolve());
      child.kill();
    });
  }

  private ensureProcess(): ModelProcess {
    clearTimeout(this.idleTimer);
    if (this.process) return this.process;
    const child = this.launch();
    this.process = child;
    child.onMessage((message) => {
      if (this.active?.runId === message.runId) this.active.onMessage(message);
    });
    child.onExit((how) => {
      const closing = this.process !== child;
      if (!closing) this.process = undefined;
      this.active?.onExit(closing ? 'the model host was closed' : how);
    });
    return child;
  }

  /** Serves one run; resolves when the model process is free for the next one. */
  private execute(
    request: ModelRunRequest,
    options: ModelRunOptions,
    resolve: (result: ModelRunResult) => void,
    reject: (error: Error) => void,
  ): Promise<void> {
    const { signal, onProgress } = options;
    if (signal?.aborted) {
      reject(abortError(signal));
      return Promise.resolve();
    }
    let child: ModelProcess;
    let voxelType: 'int16' | 'float32';
    const { geometry, voxels } = request.volume;
    const [cols, rows, slices] = geometry.size;
    try {
      if (voxels.length !== cols * rows * slices) {
        throw new Error(
          `the volume holds ${voxels.length} values but its geometry ${cols} × ${rows} × ${slices} needs ${cols * rows * slices}`,
        );
      }
      voxelType = voxelTypeFor(voxels);
      child = this.ensureProcess();
    } catch (error) {
      reject(error as Error);
      return Promise.resolve();
    }
    const runId = ++this.nextRunId;
    const modelId = request.model.id;
    const values = new Uint8Array(voxels.length);
    const rowMax = new Uint8Array(rows * slices);
    return new Promise<void>((free) => {
      let settled = false;
      let killTimer: NodeJS.Timeout | undefined;
      const settle = (action: () => void) => {
        if (settled) return;
        settled = true;
        action();
      };
      const done = () => {
        signal?.removeEventListener('abort', onAbort);
        clearTimeout(killTimer);
        this.active = undefined;
        this.scheduleIdleStop();
        free();
      };
      const onAbort = () => {
        settle(() => reject(abortError(signal)));
        child.send({ type: 'cancel', runId });
        // A batch in the network cannot be interrupted; if it takes too long, the process goes.
        killTimer = setTimeout(() => child.kill(), this.options.cancelGraceMs ?? 2000);
      };
      this.active = {
        runId,
        onMessage: (message) => {
          if (message.type === 'progress') {
            try {
              unpackProbabilityRows(
                message.liveRows,
                message.rowMax,
                message.firstSlice * rows,
                values,
                cols,
                rowMax,
              );
            } catch (error) {
              settle(() => reject(error as Error));
              child.kill();
              return;
            }
            rowMax.set(message.rowMax, message.firstSlice * rows);
            if (!settled) onProgress?.({ done: message.done, total: message.total });
            return;
          }
          if (message.type === 'result') {
            if (message.int8Verdict)
              this.int8Verdicts.set(request.model.manifest.sha256, message.int8Verdict);
            settle(() =>
              resolve({
                values,
                rowMax,
                timings: message.timings,
                peak: message.peak,
                warnings: message.warnings,
              }),
            );
          } else if (message.type === 'failed') {
            settle(() => reject(new Error(message.message)));
          } else {
            settle(() => reject(abortError(signal)));
          }
          done();
        },
        onExit: (how) => {
          settle(() => reject(new ModelProcessCrashError(modelId, how)));
          done();
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const { manifest, onnxPath } = request.model;
      try {
        child.send({
          type: 'run',
          runId,
          model: { id: modelId, onnxPath, sha256: manifest.sha256, manifest },
          geometry,
          voxelType,
          voxelsVia: child.sendBulk ? 'bulk' : 'messages',
          batchSize: request.batchSize ?? 4,
          threads: this.options.threads ?? 0,
          int8Verdict: this.int8Verdicts.get(manifest.sha256),
        });
        if (child.sendBulk) child.sendBulk(voxelBytes(voxels, voxelType));
        else for (const message of voxelMessages(runId, voxels, cols * rows, voxelType)) child.send(message);
      } catch (error) {
        settle(() => reject(new ModelProcessCrashError(modelId, (error as Error).message)));
        child.kill();
        done();
      }
    });
  }

  private scheduleIdleStop(): void {
    const idleMs = this.options.idleMs ?? 120_000;
    if (idleMs <= 0 || !this.process) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => void this.close(), idleMs);
    this.idleTimer.unref();
  }
}
