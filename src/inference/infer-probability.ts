// Owns the inference loop over a volume: batches of model-grid slices in, probability back on the series grid
// out. The network call is injected (`RunBatch`), so this runs with onnxruntime in the model process and with
// a plain function in tests. Batch n+1 is asked for before the network takes batch n: with a `buildBatch` on
// another thread (the model process's WorkerBatches) it is built while the network runs — onnxruntime-node's
// session.run blocks the JavaScript thread, so nothing built on this thread overlaps it.
import type { Volume } from '../dicom/volume.ts';
import type { ModelManifest } from './model-manifest.ts';
import { SliceBatcher, type InputBatch } from './slice-batcher.ts';
import { ProbabilityWriter } from './probability-writer.ts';

export type RunBatch = (batch: InputBatch) => Promise<{ data: Float32Array; dims: readonly number[] }>;

/** Builds the batch of slices first … first + count - 1, into `spent` (a finished batch's data) if it fits. */
export type BuildBatch = (
  first: number,
  count: number,
  spent?: Float32Array,
) => InputBatch | Promise<InputBatch>;

export interface InferTimings {
  /** Time spent building input batches (on this thread, or on the pre-processing thread when there is one). */
  preprocessMs: number;
  /** Time the network waited for its next input batch. */
  batchWaitMs: number;
  /** Time spent waiting for the network beyond the overlapped work. */
  waitMs: number;
  /** Time the JavaScript thread spent writing probabilities back. */
  postprocessMs: number;
  totalMs: number;
}

export interface InferOptions {
  batchSize: number;
  /**
   * After each batch: slices done, in all, the probabilities so far (slices 0 … done - 1 are final) and each
   * series row's highest value (ProbabilityWriter.rowMax, rows of slices 0 … done - 1 final).
   */
  onProgress?: (done: number, total: number, values: Uint8Array, rowMax: Uint8Array) => void;
  /** Checked between batches; a true answer stops the run with InferenceCancelledError. */
  isCancelled?: () => boolean;
  /** Where batches are built; default: SliceBatcher on this thread. */
  buildBatch?: BuildBatch;
}

export class InferenceCancelledError extends Error {
  constructor() {
    super('the model run was cancelled');
    this.name = 'AbortError';
  }
}

export async function inferProbability(
  volume: Volume<ArrayLike<number>>,
  manifest: ModelManifest,
  runBatch: RunBatch,
  options: InferOptions,
): Promise<{ values: Uint8Array; rowMax: Uint8Array; timings: InferTimings; peak: number }> {
  const started = performance.now();
  const timings: InferTimings = { preprocessMs: 0, batchWaitMs: 0, waitMs: 0, postprocessMs: 0, totalMs: 0 };
  const batcher = new SliceBatcher(volume, manifest.input);
  const writer = new ProbabilityWriter(manifest, batcher.grid, volume.geometry.size);
  const slices = batcher.slices;
  const batchSize = Math.max(1, Math.floor(options.batchSize));
  const build: BuildBatch =
    options.buildBatch ??
    ((first, count, spent) => {
      const t = performance.now();
      const batch = batcher.batch(first, count, spent);
      timings.preprocessMs += performance.now() - t;
      return batch;
    });
  // Both kinds of promise are marked handled, so a failure while this thread is busy elsewhere is not
  // "unhandled"; the awaits below still see it.
  const request = (first: number, spent?: Float32Array): Promise<InputBatch> | undefined => {
    if (first >= slices) return undefined;
    const promise = Promise.resolve(build(first, Math.min(batchSize, slices - first), spent));
    promise.catch(() => undefined);
    return promise;
  };
  const receive = async (requested: Promise<InputBatch> | undefined): Promise<InputBatch | undefined> => {
    const t = performance.now();
    const batch = await requested;
    timings.batchWaitMs += performance.now() - t;
    return batch;
  };
  const start = (batch: InputBatch | undefined) => {
    if (!batch) return undefined;
    const promise = runBatch(batch);
    promise.catch(() => undefined);
    return promise;
  };

  let current = await receive(request(0));
  let pending = start(current);
  let requested = current && request(current.firstSlice + current.count);
  while (current && pending) {
    const t = performance.now();
    const output = await pending;
    timings.waitMs += performance.now() - t;
    if (options.isCancelled?.()) throw new InferenceCancelledError();
    const next = await receive(requested);
    pending = start(next);
    // The batch after next is asked for now, into the buffer of the batch the network has finished with.
    requested = next && request(next.firstSlice + next.count, current.data);
    const w = performance.now();
    writer.write(output.data, output.dims, current.firstSlice, current.count);
    timings.postprocessMs += performance.now() - w;
    options.onProgress?.(current.firstSlice + current.count, slices, writer.values, writer.rowMax);
    current = next;
  }
  timings.totalMs = performance.now() - started;
  return { values: writer.values, rowMax: writer.rowMax, timings, peak: writer.peak };
}
