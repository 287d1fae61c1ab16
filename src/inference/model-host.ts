// Owns the contract between the app and the process that runs models: the ModelHost interface callers use,
// and the messages that cross the process boundary. Two transports implement it: a Node child process
// (serve, CLI; child-process-host.ts) and, in the packaged app, Electron's utilityProcess (src/main). Models
// never run in worker_threads or Electron's main process: onnxruntime-node is reported to crash there
// (onnxruntime issues #20084, #29763, #24486), and a separate process means a crash costs one run, not the app.
import type { VolumeGeometry } from '../dicom/volume.ts';
import type { ModelManifest } from './model-manifest.ts';
import type { InstalledModel } from './model-registry.ts';
import type { InferTimings } from './infer-probability.ts';
import type { Int8Verdict } from './int8-kernel-check.ts';

export interface ModelRunRequest {
  model: InstalledModel;
  volume: { geometry: VolumeGeometry; voxels: ArrayLike<number> };
  /** Slices per network call (default 4). */
  batchSize?: number;
}

export interface ModelRunProgress {
  /** Slices done and in all. */
  done: number;
  total: number;
}

export interface ModelRunTimings extends InferTimings {
  /** Reading, checking and loading the model (0 when the model process had it loaded already). */
  loadMs: number;
  /** Wall time inside session.run, summed over batches. */
  sessionMs: number;
  /** Comparing a QDQ model's int8 kernels with its graph on this CPU (int8-kernel-check.ts); 0 for others. */
  int8CheckMs: number;
}

export interface ModelRunResult {
  /** Probability × 255 per voxel on the series' own grid (the Volume layout). */
  values: Uint8Array;
  /** The highest probability on the series grid at full precision (values holds bytes). */
  peak: number;
  /** The highest value of each series row (j + k·rows), for findingsAtThreshold to skip empty rows. */
  rowMax: Uint8Array;
  timings: ModelRunTimings;
  /** What the model process found about this run that the reader should know (int8-kernel-check.ts). */
  warnings: string[];
}

export interface ModelRunOptions {
  signal?: AbortSignal;
  onProgress?: (progress: ModelRunProgress) => void;
}

export interface ModelHost {
  /**
   * Runs the model over the volume in the model process. Runs are served one at a time, in call order.
   * Rejects with an AbortError when cancelled, and with ModelProcessCrashError when the process dies; the
   * next run starts a fresh process.
   */
  run(request: ModelRunRequest, options?: ModelRunOptions): Promise<ModelRunResult>;
  /** Stops the model process; later runs start a new one. */
  close(): Promise<void>;
}

export class ModelProcessCrashError extends Error {
  constructor(modelId: string, how: string) {
    super(
      `model ${modelId}: the model process stopped unexpectedly (${how}) — this run was lost; run it again. ` +
        'If it keeps failing, the series may be too large for this machine’s memory.',
    );
    this.name = 'ModelProcessCrashError';
  }
}

// ---- Messages across the process boundary (structured-clone / v8 serialisable) ----
// Voxels and probabilities cross in slice-sized messages: Node's IPC re-joins a large message's chunks at a
// cost that grows with the square of its size (a 150 MB volume in one message takes minutes), while a few
// hundred 512 kB messages take a fraction of a second. Probabilities come back batch by batch with progress,
// only the rows that are not all zero (packProbabilityRows).

export interface RunMessage {
  type: 'run';
  runId: number;
  model: { id: string; onnxPath: string; sha256: string; manifest: ModelManifest };
  geometry: VolumeGeometry;
  /** How the voxels that follow are typed. */
  voxelType: 'int16' | 'float32';
  /**
   * How they follow: `voxels` messages on this channel, or their raw bytes (the platform's byte order) on the
   * process's byte channel (ModelProcess.sendBulk), run after run.
   */
  voxelsVia: 'messages' | 'bulk';
  batchSize: number;
  /** onnxruntime intra-op threads; 0 = the model process picks (all cores but one). */
  threads: number;
  /** What an earlier model process found about this model's int8 kernels on this CPU, if anything. */
  int8Verdict?: Int8Verdict;
}

export interface VoxelsMessage {
  type: 'voxels';
  runId: number;
  /** Index of data[0] in the volume's voxel array. */
  offset: number;
  data: Int16Array | Float32Array;
}

export type ToModelProcess = RunMessage | VoxelsMessage | { type: 'cancel'; runId: number };

export type FromModelProcess =
  | {
      type: 'progress';
      runId: number;
      done: number;
      total: number;
      /** Slices firstSlice … done - 1 of the probability map, as packProbabilityRows packs them. */
      firstSlice: number;
      /** The highest value of each series row of those slices. */
      rowMax: Uint8Array;
      /** The values (probability × 255) of the rows whose rowMax is above 0, one after another. */
      liveRows: Uint8Array;
    }
  | {
      type: 'result';
      runId: number;
      timings: ModelRunTimings;
      peak: number;
      warnings: string[];
      /** The model's int8 verdict after this run, once there is one. */
      int8Verdict?: Int8Verdict;
    }
  | { type: 'failed'; runId: number; message: string }
  | { type: 'cancelled'; runId: number };

/** Modality values travel as int16 when that is lossless (CT nearly always): half the bytes to copy. */
export function voxelTypeFor(voxels: ArrayLike<number>): 'int16' | 'float32' {
  if (voxels instanceof Int16Array) return 'int16';
  for (let n = 0; n < voxels.length; n++) {
    const v = voxels[n];
    if (v !== Math.trunc(v) || v < -32768 || v > 32767) return 'float32';
  }
  return 'int16';
}

/** The voxels as a sequence of messages of whole slices, about `targetElements` values each. */
export function* voxelMessages(
  runId: number,
  voxels: ArrayLike<number>,
  sliceElements: number,
  voxelType: 'int16' | 'float32',
  targetElements = 262_144,
): Generator<VoxelsMessage> {
  const step = Math.max(1, Math.floor(targetElements / sliceElements)) * sliceElements;
  const view = voxels as Partial<Float32Array>;
  for (let offset = 0; offset < voxels.length; offset += step) {
    const end = Math.min(voxels.length, offset + step);
    const part: ArrayLike<number> =
      typeof view.subarray === 'function'
        ? (view.subarray(offset, end) as ArrayLike<number>)
        : (Array.prototype.slice.call(voxels, offset, end) as number[]);
    // TypedArray.set converts natively; .from() would walk an iterator, ten times slower.
    const data = voxelType === 'int16' ? new Int16Array(end - offset) : new Float32Array(end - offset);
    data.set(part);
    yield { type: 'voxels', runId, offset, data };
  }
}

/**
 * The rows of `values` (series rows `firstRow` … `endRow` - 1, `cols` values each) whose `rowMax` is above 0,
 * one after another: a probability map is nearly all zeros, and copying those 78 MB (300 × 512²) across the
 * process boundary while the network ran slowed the network itself by about a sixth — on two cores, the copies
 * on the other core evict the network's working set from the shared cache.
 */
export function packProbabilityRows(
  values: Uint8Array,
  rowMax: Uint8Array,
  firstRow: number,
  endRow: number,
  cols: number,
): Uint8Array {
  let live = 0;
  for (let row = firstRow; row < endRow; row++) if (rowMax[row]! > 0) live++;
  const packed = new Uint8Array(live * cols);
  let at = 0;
  for (let row = firstRow; row < endRow; row++) {
    if (rowMax[row]! === 0) continue;
    packed.set(values.subarray(row * cols, (row + 1) * cols), at);
    at += cols;
  }
  return packed;
}

/**
 * packProbabilityRows undone into a zero-filled `values`: rows whose `rowMax` is 0 stay 0. `shownRowMax` (the
 * row maxima received so far, by series row) marks rows an earlier pass filled: a run the model process repeats
 * from the start (int8-kernel-check.ts) zeroes those where they are now empty. Only those: zeroing every empty
 * row would touch every page of a map that is nearly all zeros (+66 MiB resident for 300 × 512²).
 */
export function unpackProbabilityRows(
  liveRows: Uint8Array,
  rowMax: Uint8Array,
  firstRow: number,
  values: Uint8Array,
  cols: number,
  shownRowMax?: Uint8Array,
): void {
  let at = 0;
  for (let r = 0; r < rowMax.length; r++) {
    if (rowMax[r]! === 0) {
      if (shownRowMax && shownRowMax[firstRow + r]! > 0) {
        values.fill(0, (firstRow + r) * cols, (firstRow + r + 1) * cols);
      }
      continue;
    }
    if (at + cols > liveRows.length) {
      throw new Error(
        'the model process sent fewer probability rows than its row maxima announce — run it again',
      );
    }
    values.set(liveRows.subarray(at, at + cols), (firstRow + r) * cols);
    at += cols;
  }
  if (at !== liveRows.length) {
    throw new Error(
      'the model process sent more probability rows than its row maxima announce — run it again',
    );
  }
}

/** The voxels' bytes as `voxelType` values: the volume's own memory when it already is that type. */
export function voxelBytes(voxels: ArrayLike<number>, voxelType: 'int16' | 'float32'): Uint8Array {
  const typed =
    voxelType === 'int16'
      ? voxels instanceof Int16Array
        ? voxels
        : Int16Array.from(voxels)
      : voxels instanceof Float32Array
        ? voxels
        : Float32Array.from(voxels);
  return new Uint8Array(typed.buffer, typed.byteOffset, typed.byteLength);
}
