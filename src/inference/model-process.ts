// Owns the model process's side of the ModelHost contract, whatever the transport: load and check the model,
// keep its session for the next run, run the pipeline batch by batch, report progress, honour cancellation.
// This is the only module that calls onnxruntime-node.
import { readFile } from 'node:fs/promises';
import * as ort from 'onnxruntime-node';
import {
  packProbabilityRows,
  type FromModelProcess,
  type ModelRunTimings,
  type RunMessage,
  type ToModelProcess,
} from './model-host.ts';
import { InferenceCancelledError, inferProbability, type RunBatch } from './infer-probability.ts';
import { sessionOptions } from './session-options.ts';
import {
  checkWindow,
  CONCLUSIVE_LIT_VOXELS,
  cropBatch,
  hasFusableQdq,
  int8Difference,
  int8KernelWarning,
  INT8_TOLERANCE,
} from './int8-kernel-check.ts';
import { modelGrid } from './model-grid.ts';
import type { InputBatch } from './slice-batcher.ts';
import { sha256Bytes } from './sha256-file.ts';
import { WorkerBatches } from './worker-batches.ts';
import { ArrivingVolume } from './arriving-volume.ts';

export interface ModelProcessPort {
  post(message: FromModelProcess): void;
  onMessage(handler: (message: ToModelProcess) => void): void;
  /**
   * The file descriptor where runs sent with voxelsVia 'bulk' have their voxels' bytes, in run order (the child
   * process's fd 4); the pre-processing thread reads it.
   */
  bulkFd?: number;
  /** Ends the model process (after its byte channel was lost); the host then starts a fresh one. */
  end?(): void;
}

interface LoadedSession {
  key: string;
  id: string;
  onnxPath: string;
  threads: number;
  session: ort.InferenceSession;
  /** The file's bytes, kept for int8-kernel-check.ts when onnxruntime fuses QDQ nodes of it into int8 kernels. */
  qdqBytes?: Buffer;
  /** The same model with that fusion off, once a check has needed it. */
  exact?: ort.InferenceSession;
  /** Set when the fused kernels were found wrong on this CPU (by this much): later runs use `exact`. */
  wrongBy?: number;
  /** Set when the fused kernels agreed with the graph around a finding: later runs are not checked. */
  trusted?: boolean;
  // Both also come with a run (RunMessage.int8Verdict) when an earlier model process found them.
}

export function serveModelRuns(port: ModelProcessPort): void {
  // One loaded model at a time: sessions can hold hundreds of MB.
  let loaded: LoadedSession | undefined;
  const cancelled = new Set<number>();
  let lastFinished = 0;
  let queue = Promise.resolve();
  // Input batches are built on a worker thread while session.run holds this one, and voxels sent on the byte
  // channel are received there too (worker-batches.ts).
  const batches = new WorkerBatches({ bulkFd: port.bulkFd }, () => port.end?.());
  /** Runs whose voxels are still arriving in messages. */
  const arriving = new Map<number, ArrivingVolume>();

  port.onMessage((message) => {
    if (message.type === 'cancel') {
      // A cancel that crossed the run's result on the way is stale.
      if (message.runId > lastFinished) cancelled.add(message.runId);
      arriving.get(message.runId)?.fail(new InferenceCancelledError());
      return;
    }
    if (message.type === 'run') {
      const volume = ArrivingVolume.forRun(message);
      if (message.voxelsVia === 'bulk') {
        // Registered now, in run order, even if the run is cancelled before its turn: the channel's bytes are
        // taken run by run.
        if (port.bulkFd === undefined) {
          volume.fail(new Error('the voxels were sent on a byte channel this process does not have'));
        } else batches.expect(message.runId, volume.voxels);
      } else if (!volume.complete) arriving.set(message.runId, volume);
      start(message, volume);
      return;
    }
    const volume = arriving.get(message.runId);
    if (!volume) return;
    volume.add(message.offset, message.data);
    if (volume.complete) arriving.delete(message.runId);
  });

  // A run's turn starts when its message comes: the session loads while the voxels arrive. Voxels on the byte
  // channel reach the worker thread, which builds each batch once the slices it reads have come, so the
  // network starts on the first slices while the rest are still coming. Voxels in messages are received on this
  // thread, which session.run blocks, so the network waits for all of them: starting batches as they came was
  // measured slower that way (a 300 × 512² study 4.8–5.1 s against 4.2–4.3 s) — receiving and the network took
  // turns instead of overlapping.
  function start(message: RunMessage, volume: ArrivingVolume): void {
    const { voxels } = volume;
    queue = queue.then(async () => {
      try {
        if (cancelled.has(message.runId)) throw new InferenceCancelledError();
        const started = performance.now();
        const key = `${message.model.sha256}:${message.threads}`;
        if (loaded?.key !== key) {
          await loaded?.session.release();
          await loaded?.exact?.release();
          loaded = undefined;
          loaded = { key, ...(await loadSession(message)) };
          // A verdict an earlier model process reached for this file on this CPU.
          if (loaded.qdqBytes && message.int8Verdict) {
            if ('trusted' in message.int8Verdict) loaded.trusted = true;
            else loaded.wrongBy = message.int8Verdict.wrongBy;
          }
        }
        const loadMs = performance.now() - started;
        // Voxels on the byte channel are the worker's to wait for, batch by batch.
        const onByteChannel = message.voxelsVia === 'bulk' && port.bulkFd !== undefined;
        if (!onByteChannel) await volume.whenComplete();
        const session = loaded;
        const pass = (network: ort.InferenceSession) => runPass(network, message, voxels);
        const warnings: string[] = [];
        let result = await pass(
          session.wrongBy === undefined ? session.session : await exactSession(session),
        );
        let checkMs = 0;
        if (session.wrongBy !== undefined) {
          warnings.push(int8KernelWarning(message.model.id, session.wrongBy));
        } else if (session.qdqBytes && !session.trusted && !cancelled.has(message.runId)) {
          const checkStarted = performance.now();
          let difference = 0;
          try {
            const compared = await compareKernels(session, message, result.values);
            difference = compared.difference;
            session.trusted = compared.conclusive && difference <= INT8_TOLERANCE;
            if (session.trusted) {
              // Never needed again for this model in this process: give its memory back.
              await session.exact?.release();
              session.exact = undefined;
            }
          } catch (error) {
            warnings.push(
              `model ${message.model.id}: its int8 kernels could not be checked on this CPU ` +
                `(${(error as Error).message}) — the map is the fused kernels' and may be off on CPUs without AVX-VNNI`,
            );
          }
          checkMs = performance.now() - checkStarted;
          if (difference > INT8_TOLERANCE) {
            // From now on this model runs without the fusion in this process; this run again, from the start
            // (its progress messages replace the rows already sent).
            session.wrongBy = difference;
            warnings.push(int8KernelWarning(message.model.id, difference));
            result = await pass(await exactSession(session));
          }
        }
        port.post({
          type: 'result',
          runId: message.runId,
          timings: { ...result.timings, loadMs, int8CheckMs: checkMs },
          peak: result.peak,
          warnings,
          int8Verdict:
            session.wrongBy !== undefined
              ? { wrongBy: session.wrongBy }
              : session.trusted
                ? { trusted: true }
                : undefined,
        });
      } catch (error) {
        if (error instanceof InferenceCancelledError) {
          port.post({ type: 'cancelled', runId: message.runId });
        } else {
          port.post({ type: 'failed', runId: message.runId, message: (error as Error).message });
        }
      } finally {
        arriving.delete(message.runId);
        cancelled.delete(message.runId);
        lastFinished = Math.max(lastFinished, message.runId);
      }
    });
  }

  /** One pass of the network over the run's volume, batch by batch, with progress. */
  async function runPass(
    network: ort.InferenceSession,
    message: RunMessage,
    voxels: Int16Array | Float32Array,
  ): Promise<{ values: Uint8Array; timings: Omit<ModelRunTimings, 'loadMs' | 'int8CheckMs'>; peak: number }> {
    const timed = timedRunner(network, message);
    const [cols, rows] = message.geometry.size;
    let sent = 0;
    batches.open(message.runId, { geometry: message.geometry, voxels }, message.model.manifest.input);
    const { values, timings, peak } = await inferProbability(
      { geometry: message.geometry, voxels },
      message.model.manifest,
      timed.run,
      {
        batchSize: message.batchSize,
        buildBatch: (first, count, spent) => batches.batch(first, count, spent),
        isCancelled: () => cancelled.has(message.runId),
        onProgress: (done, total, values, rowMax) => {
          port.post({
            type: 'progress',
            runId: message.runId,
            done,
            total,
            firstSlice: sent,
            rowMax: rowMax.slice(sent * rows, done * rows),
            liveRows: packProbabilityRows(values, rowMax, sent * rows, done * rows, cols),
          });
          sent = done;
        },
      },
    );
    return {
      values,
      timings: { ...timings, preprocessMs: batches.buildMs, sessionMs: timed.sessionMs() },
      peak,
    };
  }

  /**
   * The largest difference between the model's fused int8 kernels and its graph run without them, on the
   * slices around the run's most suspicious one (int8-kernel-check.ts), and whether a finding lit them. The
   * run's batches are still open.
   */
  async function compareKernels(
    session: LoadedSession,
    message: RunMessage,
    values: Uint8Array,
  ): Promise<{ difference: number; conclusive: boolean }> {
    const exact = await exactSession(session);
    const { manifest } = message.model;
    const { size, spacing } = message.geometry;
    const window = checkWindow(values, size);
    const grid = modelGrid(manifest.input, size[0], size[1], spacing[0], spacing[1]);
    // A network whose input rows or columns are fixed takes only whole batches.
    const shape = session.session.inputMetadata.find((m) => m.name === manifest.input.name);
    const fixedSize = shape?.isTensor === true && shape.shape.slice(2).some((d) => typeof d === 'number');
    const windowBatches: InputBatch[] = [];
    for (let first = window.first; first < window.first + window.count; first += message.batchSize) {
      const count = Math.min(message.batchSize, window.first + window.count - first);
      const batch = await batches.batch(first, count);
      windowBatches.push(fixedSize ? batch : cropBatch(batch, grid, window, manifest.input.sizeMultiple));
    }
    const difference = await int8Difference(
      windowBatches,
      timedRunner(session.session, message).run,
      timedRunner(exact, message).run,
      manifest,
    );
    return { difference, conclusive: window.lit >= CONCLUSIVE_LIT_VOXELS };
  }
}

/** The loaded model without the QDQ fusion, made the first time it is needed. */
async function exactSession(loaded: LoadedSession): Promise<ort.InferenceSession> {
  if (!loaded.exact) {
    if (!loaded.qdqBytes) throw new Error('internal: only a QDQ model has an unfused session');
    loaded.exact = await createSession(loaded.id, loaded.onnxPath, loaded.qdqBytes, loaded.threads, {
      unfusedQdq: true,
    });
  }
  return loaded.exact;
}

async function loadSession(message: RunMessage): Promise<Omit<LoadedSession, 'key'>> {
  const { id, onnxPath, sha256 } = message.model;
  let bytes: Buffer;
  try {
    bytes = await readFile(onnxPath);
  } catch {
    throw new Error(`model ${id}: ${onnxPath} is missing or unreadable — reinstall the model`);
  }
  // Checked again here, on the very bytes that are run: the file may have changed since the registry looked.
  if (sha256Bytes(bytes) !== sha256) {
    throw new Error(
      `model ${id}: sha256 mismatch — the file was changed or corrupted; reinstall it (${onnxPath})`,
    );
  }
  const session = await createSession(id, onnxPath, bytes, message.threads);
  const { input, output } = message.model.manifest;
  if (!session.inputNames.includes(input.name) || !session.outputNames.includes(output.name)) {
    await session.release();
    throw new Error(
      `model ${id}: the manifest names input "${input.name}" and output "${output.name}", but the network has ` +
        `inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}] — fix model.json`,
    );
  }
  let qdq = false;
  try {
    qdq = hasFusableQdq(bytes);
  } catch {
    // onnxruntime read the file, so this reader's trouble is its own: the model runs unchecked.
  }
  return { id, onnxPath, threads: message.threads, session, qdqBytes: qdq ? bytes : undefined };
}

async function createSession(
  id: string,
  onnxPath: string,
  bytes: Uint8Array,
  threads: number,
  options: { unfusedQdq?: boolean } = {},
): Promise<ort.InferenceSession> {
  try {
    return await ort.InferenceSession.create(bytes, sessionOptions(threads, options));
  } catch (error) {
    throw new Error(`model ${id}: onnxruntime cannot load ${onnxPath} (${(error as Error).message})`);
  }
}

/** A RunBatch over the session that also sums the time spent in session.run. */
function timedRunner(
  session: ort.InferenceSession,
  message: RunMessage,
): { run: RunBatch; sessionMs: () => number } {
  const { id, manifest } = message.model;
  const metadata = session.inputMetadata.find((m) => m.name === manifest.input.name);
  // A network exported with a fixed batch size gets batches padded to it.
  const fixedBatch =
    metadata?.isTensor && typeof metadata.shape[0] === 'number' && metadata.shape[0] > 0
      ? metadata.shape[0]
      : 0;
  let sessionMs = 0;
  const run: RunBatch = async ({ data, dims }) => {
    let feedData = data;
    let feedDims: number[] = [...dims];
    if (fixedBatch && dims[0] !== fixedBatch) {
      feedData = new Float32Array((data.length / dims[0]) * fixedBatch);
      feedData.set(data.subarray(0, Math.min(data.length, feedData.length)));
      feedDims = [fixedBatch, ...dims.slice(1)];
    }
    const tensor = new ort.Tensor('float32', feedData, feedDims);
    const started = performance.now();
    let results: ort.InferenceSession.ReturnType;
    try {
      results = await session.run({ [manifest.input.name]: tensor }, [manifest.output.name]);
    } catch (error) {
      throw new Error(
        `model ${id}: the network refused an input of shape [${feedDims.join(', ')}] (${(error as Error).message}) ` +
          '— the manifest’s input description does not fit this network',
      );
    } finally {
      sessionMs += performance.now() - started;
    }
    const output = results[manifest.output.name] as ort.Tensor;
    if (output.type !== 'float32') {
      throw new Error(`model ${id}: output "${manifest.output.name}" is ${output.type}, expected float32`);
    }
    let outData = output.data as Float32Array;
    const outDims = [...output.dims];
    if (fixedBatch && dims[0] !== fixedBatch) {
      outData = outData.subarray(0, (outData.length / fixedBatch) * dims[0]);
      outDims[0] = dims[0];
    }
    return { data: outData, dims: outDims };
  };
  return { run, sessionMs: () => sessionMs };
}
