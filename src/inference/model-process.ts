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
  type Int8RunAs,
  type Int8Verdict,
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
  /** The model as onnxruntime runs it by default: a QDQ graph fused into int8 kernels. */
  session: ort.InferenceSession;
  /** The file's bytes, kept for int8-kernel-check.ts when onnxruntime fuses QDQ nodes of it into int8 kernels. */
  qdqBytes?: Buffer;
  /** The same file run the other ways int8-kernel-check.ts knows, made when a check needs them. */
  variants: Partial<Record<Int8RunAs, ort.InferenceSession>>;
  /** What a check found (here, or in an earlier model process: RunMessage.int8Verdict). */
  verdict?: Int8Verdict;
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
          if (loaded) await releaseAll(loaded);
          loaded = undefined;
          loaded = { key, ...(await loadSession(message)), variants: {} };
          // A verdict an earlier model process reached for this file on this CPU.
          if (loaded.qdqBytes) loaded.verdict = message.int8Verdict;
        }
        const loadMs = performance.now() - started;
        // Voxels on the byte channel are the worker's to wait for, batch by batch.
        const onByteChannel = message.voxelsVia === 'bulk' && port.bulkFd !== undefined;
        if (!onByteChannel) await volume.whenComplete();
        const session = loaded;
        const pass = (network: ort.InferenceSession) => runPass(network, message, voxels);
        const warnings: string[] = [];
        const caught = session.verdict && 'wrongBy' in session.verdict ? session.verdict : undefined;
        let result = await pass(caught ? await variant(session, caught.runAs) : session.session);
        let checkMs = 0;
        if (caught) {
          warnings.push(int8KernelWarning(message.model.id, caught));
        } else if (session.qdqBytes && !session.verdict && !cancelled.has(message.runId)) {
          const checkStarted = performance.now();
          let verdict: Int8Verdict | undefined;
          try {
            verdict = await checkKernels(session, message, result);
          } catch (error) {
            warnings.push(
              `model ${message.model.id}: its int8 kernels could not be checked on this CPU ` +
                `(${(error as Error).message}) — the map is the fused kernels' and may be off on CPUs without AVX-VNNI`,
            );
          }
          checkMs = performance.now() - checkStarted;
          session.verdict = verdict;
          const caughtNow = verdict && 'wrongBy' in verdict ? verdict : undefined;
          if (caughtNow) {
            // This run again, from the start, the way that computes the graph (its progress messages replace
            // the rows already sent); later runs go that way from the start.
            warnings.push(int8KernelWarning(message.model.id, caughtNow));
            result = await pass(await variant(session, caughtNow.runAs));
          }
          // Once there is a verdict, give back what it no longer needs: every variant once trusted, the unused
          // one once caught. Without one (nothing lit), the unfused session stays for the next run's check
          // rather than being made again each run.
          if (verdict) await releaseVariants(session, caughtNow?.runAs);
        }
        port.post({
          type: 'result',
          runId: message.runId,
          timings: { ...result.timings, loadMs, int8CheckMs: checkMs },
          peak: result.peak,
          warnings,
          int8Verdict: session.verdict,
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
  ): Promise<{
    values: Uint8Array;
    rowMax: Uint8Array;
    timings: Omit<ModelRunTimings, 'loadMs' | 'int8CheckMs'>;
    peak: number;
  }> {
    const timed = timedRunner(network, message);
    const [cols, rows] = message.geometry.size;
    let sent = 0;
    batches.open(message.runId, { geometry: message.geometry, voxels }, message.model.manifest.input);
    const { values, rowMax, timings, peak } = await inferProbability(
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
      rowMax,
      timings: { ...timings, preprocessMs: batches.buildMs, sessionMs: timed.sessionMs() },
      peak,
    };
  }

  /**
   * Compares the model's fused int8 kernels with its graph run unfused on the slices around the run's most
   * suspicious one (int8-kernel-check.ts; the run's batches are still open). Where they differ, the same for
   * onnxruntime's 16-bit-safe int8 arithmetic, which becomes the way to run the model if it agrees. Undefined:
   * they agreed, but no finding lit the slices, so the next run checks again.
   */
  async function checkKernels(
    session: LoadedSession,
    message: RunMessage,
    { values, rowMax }: { values: Uint8Array; rowMax: Uint8Array },
  ): Promise<Int8Verdict | undefined> {
    const { manifest } = message.model;
    const { size, spacing } = message.geometry;
    const window = checkWindow(values, rowMax, size);
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
    const graph = timedRunner(await variant(session, 'unfused'), message).run;
    const apart = async (network: ort.InferenceSession) =>
      int8Difference(windowBatches, timedRunner(network, message).run, graph, manifest);
    const wrongBy = await apart(session.session);
    if (wrongBy <= INT8_TOLERANCE) {
      return window.lit >= CONCLUSIVE_LIT_VOXELS ? { trusted: true } : undefined;
    }
    const precise = await apart(await variant(session, 'precise'));
    return { wrongBy, runAs: precise <= INT8_TOLERANCE ? 'precise' : 'unfused' };
  }
}

/** The loaded model run another way (int8-kernel-check.ts), made the first time it is needed. */
async function variant(loaded: LoadedSession, runAs: Int8RunAs): Promise<ort.InferenceSession> {
  const made = loaded.variants[runAs];
  if (made) return made;
  if (!loaded.qdqBytes) throw new Error('internal: only a QDQ model runs another way');
  const options = runAs === 'unfused' ? { unfusedQdq: true } : { preciseInt8: true };
  const session = await createSession(loaded.id, loaded.onnxPath, loaded.qdqBytes, loaded.threads, options);
  loaded.variants[runAs] = session;
  return session;
}

async function releaseVariants(loaded: LoadedSession, keep?: Int8RunAs): Promise<void> {
  for (const [runAs, session] of Object.entries(loaded.variants)) {
    if (runAs === keep) continue;
    delete loaded.variants[runAs as Int8RunAs];
    await session.release();
  }
}

async function releaseAll(loaded: LoadedSession): Promise<void> {
  await releaseVariants(loaded);
  await loaded.session.release();
}

async function loadSession(message: RunMessage): Promise<Omit<LoadedSession, 'key' | 'variants'>> {
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
  options: Parameters<typeof sessionOptions>[1] = {},
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
