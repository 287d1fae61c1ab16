// Owns the contract between the app and the process that runs models: the ModelHost interface callers use,
// and the messages that cross the process boundary. Two transports implement it: a Node child process
// (serve, CLI; child-process-host.ts) and, in the packaged app, Electron's utilityProcess (src/main). Models
// never run in worker_threads or Electron's main process: onnxruntime-node is reported to crash there
// (onnxruntime issues #20084, #29763, #24486), and a separate process means a crash costs one run, not the app.
import type { VolumeGeometry } from '../dicom/volume.ts';
import type { ModelManifest } from './model-manifest.ts';
import type { InstalledModel } from './model-registry.ts';
import type { InferTimings } from './infer-probability.ts';

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
}

export interface ModelRunResult {
  /** Probability × 255 per voxel on the series' own grid (the Volume layout). */
  values: Uint8Array;
  timings: ModelRunTimings;
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

export interface RunMessage {
  type: 'run';
  runId: number;
  model: { id: string; onnxPath: string; sha256: string; manifest: ModelManifest };
  volume: { geometry: VolumeGeometry; voxels: Int16Array | Float32Array };
  batchSize: number;
  /** onnxruntime intra-op threads; 0 = the model process picks (all cores but one). */
  threads: number;
}

export type ToModelProcess = RunMessage | { type: 'cancel'; runId: number };

export type FromModelProcess =
  | { type: 'progress'; runId: number; done: number; total: number }
  | { type: 'result'; runId: number; values: Uint8Array; timings: ModelRunTimings }
  | { type: 'failed'; runId: number; message: string }
  | { type: 'cancelled'; runId: number };

/**
 * Modality values travel as int16 when that is lossless (CT nearly always): half the bytes to copy between
 * processes. Anything else goes as float32.
 */
export function packVoxels(voxels: ArrayLike<number>): Int16Array | Float32Array {
  if (voxels instanceof Int16Array) return voxels;
  const packed = new Int16Array(voxels.length);
  for (let n = 0; n < voxels.length; n++) {
    const v = voxels[n];
    if (v !== Math.trunc(v) || v < -32768 || v > 32767) return Float32Array.from(voxels);
    packed[n] = v;
  }
  return packed;
}
