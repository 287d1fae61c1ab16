// Owns the inference loop over a volume: batches of model-grid slices in, probability back on the series grid
// out. The network call is injected (`RunBatch`), so this runs with onnxruntime in the model process and with
// a plain function in tests. Preparing batch n+1 and writing batch n-1 overlap the network's work on batch n
// (onnxruntime-node runs sessions off the JavaScript thread).
import type { Volume } from '../dicom/volume.ts';
import type { ModelManifest } from './model-manifest.ts';
import { SliceBatcher, type InputBatch } from './slice-batcher.ts';
import { ProbabilityWriter } from './probability-writer.ts';

export type RunBatch = (batch: InputBatch) => Promise<{ data: Float32Array; dims: readonly number[] }>;

export interface InferTimings {
  /** Time the JavaScript thread spent building input batches. */
  preprocessMs: number;
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
  const timings: InferTimings = { preprocessMs: 0, waitMs: 0, postprocessMs: 0, totalMs: 0 };
  const batcher = new SliceBatcher(volume, manifest.input);
  const writer = new ProbabilityWriter(manifest, batcher.grid, volume.geometry.size);
  const slices = batcher.slices;
  const batchSize = Math.max(1, Math.floor(options.batchSize));
  const prepare = (first: number): InputBatch | undefined => {
    if (first >= slices) return undefined;
    const t = performance.now();
    const batch = batcher.batch(first, Math.min(batchSize, slices - first));
    timings.preprocessMs += performance.now() - t;
    return batch;
  };

  const start = (batch: InputBatch | undefined) => {
    if (!batch) return undefined;
    const promise = runBatch(batch);
    // Marked handled so a failure while this thread writes the previous batch is not "unhandled"; the await
    // below still sees it.
    promise.catch(() => undefined);
    return promise;
  };

  let current = prepare(0);
  let pending = start(current);
  while (current && pending) {
    const next = prepare(current.firstSlice + current.count);
    const t = performance.now();
    const output = await pending;
    timings.waitMs += performance.now() - t;
    if (options.isCancelled?.()) throw new InferenceCancelledError();
    pending = start(next);
    const w = performance.now();
    writer.write(output.data, output.dims, current.firstSlice, current.count);
    timings.postprocessMs += performance.now() - w;
    options.onProgress?.(current.firstSlice + current.count, slices, writer.values, writer.rowMax);
    current = next;
  }
  timings.totalMs = performance.now() - started;
  return { values: writer.values, rowMax: writer.rowMax, timings, peak: writer.peak };
}
