// Owns the main thread's side of the model process's pre-processing thread (batch-worker.ts): opens a run's
// volume there (shared memory, not copied; the worker may fill it from the byte channel), asks for batches ahead
// of the network and hands spent batch buffers back for reuse. One worker per model process, kept between runs.
import type { Worker } from 'node:worker_threads';
import type { Volume } from '../dicom/volume.ts';
import { startWorker } from '../shared/start-worker.ts';
import type { ModelManifest } from './model-manifest.ts';
import type { InputBatch } from './slice-batcher.ts';

export interface BatchWorkerData {
  /** The model process's byte channel, which the worker then reads (runs opened with via 'bulk'). */
  bulkFd?: number;
}

export type BatchWorkerRequest =
  | {
      type: 'open';
      runId: number;
      volume: Volume<Int16Array | Float32Array>;
      input: ModelManifest['input'];
    }
  | { type: 'expect'; runId: number; voxels: Int16Array | Float32Array }
  | { type: 'batch'; runId: number; id: number; first: number; count: number; spare?: Float32Array };

export type BatchWorkerReply =
  | { type: 'batch'; runId: number; id: number; batch: InputBatch; buildMs: number }
  | { type: 'failed'; runId: number; id: number; message: string };

interface Waiting {
  resolve: (batch: InputBatch) => void;
  reject: (error: Error) => void;
}

export class WorkerBatches {
  private worker: Worker | undefined;
  private runId = 0;
  private nextId = 0;
  private readonly waiting = new Map<number, Waiting>();
  /** Time the worker spent building the current run's batches. */
  buildMs = 0;

  /**
   * `onChannelLost` runs when the worker dies while reading a byte channel: the bytes it held are gone, so
   * later runs' bytes cannot be told apart — the model process must end (the host starts a fresh one).
   */
  constructor(
    private readonly data: BatchWorkerData = {},
    private readonly onChannelLost?: () => void,
  ) {}

  /**
   * Run `runId`'s voxels (shared memory) come on the byte channel: the worker fills them from it, in the order
   * of these calls. Call it for every such run, cancelled or not, so the channel's bytes go to the right one.
   */
  expect(runId: number, voxels: Int16Array | Float32Array): void {
    this.ensureWorker().postMessage({ type: 'expect', runId, voxels } satisfies BatchWorkerRequest);
  }

  /**
   * Starts run `runId` over `volume`, whose voxels must live in a SharedArrayBuffer (the worker reads them in
   * place): all there, or still coming on the byte channel after expect() — each batch is then built once the
   * slices it reads have come.
   */
  open(runId: number, volume: Volume<Int16Array | Float32Array>, input: ModelManifest['input']): void {
    if (!(volume.voxels.buffer instanceof SharedArrayBuffer)) {
      throw new Error('WorkerBatches.open: the voxels must be in a SharedArrayBuffer');
    }
    this.failAll(new Error('the run was replaced by another'));
    this.runId = runId;
    this.buildMs = 0;
    this.ensureWorker().postMessage({
      type: 'open',
      runId: this.runId,
      volume,
      input,
    } satisfies BatchWorkerRequest);
  }

  /** The batch of slices first … first + count - 1; `spare` (a spent batch's data) is reused, not copied. */
  batch(first: number, count: number, spare?: Float32Array): Promise<InputBatch> {
    if (!this.worker)
      return Promise.reject(new Error('the pre-processing thread is not running — run it again'));
    const id = ++this.nextId;
    const request: BatchWorkerRequest = { type: 'batch', runId: this.runId, id, first, count, spare };
    const promise = new Promise<InputBatch>((resolve, reject) => this.waiting.set(id, { resolve, reject }));
    this.worker.ref(); // while a batch is owed, the worker keeps the process alive
    this.worker.postMessage(request, spare ? [spare.buffer as ArrayBuffer] : []);
    return promise;
  }

  async close(): Promise<void> {
    this.failAll(new Error('the model process is closing'));
    await this.worker?.terminate();
    this.worker = undefined;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker('./batch-worker.ts', import.meta.url, { workerData: this.data });
    worker.on('message', (reply: BatchWorkerReply) => {
      const waiting = this.waiting.get(reply.id);
      if (!waiting || reply.runId !== this.runId) return;
      this.waiting.delete(reply.id);
      if (this.waiting.size === 0) worker.unref();
      if (reply.type === 'failed') {
        waiting.reject(new Error(`pre-processing failed: ${reply.message}`));
        return;
      }
      this.buildMs += reply.buildMs;
      waiting.resolve(reply.batch);
    });
    const died = (error: Error) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failAll(new Error(`the pre-processing thread stopped (${error.message}) — run it again`));
      if (this.data.bulkFd !== undefined) this.onChannelLost?.();
    };
    worker.on('error', died);
    worker.on('exit', (code) => died(new Error(`exit code ${code}`)));
    worker.unref(); // an idle worker never keeps the model process alive
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    for (const waiting of this.waiting.values()) waiting.reject(error);
    this.waiting.clear();
    this.worker?.unref();
  }
}
