// Owns the model process's pre-processing thread: builds the network's input batches (SliceBatcher) while the
// network runs on the main thread, and — when the model process has a byte channel — receives the voxels too,
// so a batch is built as soon as the slices it reads have come. onnxruntime-node's session.run blocks the
// thread that calls it (its promise wraps a synchronous call in setImmediate): nothing done on that thread
// overlaps the network; here it does. This thread never loads onnxruntime (reported to crash inside
// worker_threads): typed arrays and a socket only.
import { Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { ArrivingVolume, BulkVoxels } from './arriving-volume.ts';
import { SliceBatcher } from './slice-batcher.ts';
import type { BatchWorkerReply, BatchWorkerRequest, BatchWorkerData } from './worker-batches.ts';

const port = parentPort;
if (!port) throw new Error('batch-worker: start this file as a worker thread (WorkerBatches)');

type BatchRequest = Extract<BatchWorkerRequest, { type: 'batch' }>;

let batcher: SliceBatcher | undefined;
let runId = -1;
/** The current run's voxels while they come on the byte channel (undefined: all there). */
let arriving: ArrivingVolume | undefined;
/** Runs whose voxels come on the byte channel, by run id, from expect until their run opens. */
const expected = new Map<number, ArrivingVolume>();
/** Why the current run cannot be served, if it cannot. */
let openError: string | undefined;
/** Requests waiting for their slices to come. */
let parked: BatchRequest[] = [];
/** Buffers of spent batches, handed back by the main thread for reuse. */
let spare: Float32Array[] = [];

const { bulkFd } = (workerData ?? {}) as BatchWorkerData;
const bulk =
  bulkFd === undefined
    ? undefined
    : new BulkVoxels(new Socket({ fd: bulkFd, readable: true, writable: false }), () => {
        const waiting = parked;
        parked = [];
        for (const request of waiting) serve(request);
      });

function reply(message: BatchWorkerReply, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

function serve(request: BatchRequest): void {
  if (request.runId !== runId) return; // a request of a run that has been replaced
  try {
    if (openError) throw new Error(openError);
    if (!batcher) throw new Error('no volume is open');
    if (arriving) {
      const [cols, rows] = batcher.seriesSize;
      if (arriving.arrivedValues < batcher.slicesRead(request.first, request.count) * cols * rows) {
        parked.push(request);
        return;
      }
    }
    const started = performance.now();
    const length = batcher.batchLength(request.count);
    const at = spare.findIndex((buffer) => buffer.length >= length);
    const into = at >= 0 ? spare.splice(at, 1)[0] : undefined;
    const batch = batcher.batch(request.first, request.count, into);
    const buildMs = performance.now() - started;
    reply({ type: 'batch', runId, id: request.id, batch, buildMs }, [batch.data.buffer as ArrayBuffer]);
  } catch (error) {
    reply({ type: 'failed', runId, id: request.id, message: (error as Error).message });
  }
}

port.on('message', (message: BatchWorkerRequest) => {
  if (message.type === 'expect') {
    const volume = new ArrivingVolume(message.voxels);
    expected.set(message.runId, volume);
    if (bulk) bulk.expect(volume);
    return;
  }
  if (message.type === 'open') {
    batcher = new SliceBatcher(message.volume, message.input);
    runId = message.runId;
    spare = [];
    parked = [];
    arriving = expected.get(runId);
    // Runs before this one that never opened (cancelled in the queue) are done with.
    for (const id of expected.keys()) if (id <= runId) expected.delete(id);
    openError =
      arriving && !bulk ? 'the voxels were sent on a byte channel this process does not have' : undefined;
    return;
  }
  if (message.runId !== runId) return;
  if (message.spare) spare.push(message.spare);
  serve(message);
});
