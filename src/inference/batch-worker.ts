// Owns the model process's pre-processing thread: builds the network's input batches (SliceBatcher) while the
// network runs on the main thread. onnxruntime-node's session.run blocks the thread that calls it (its promise
// wraps a synchronous call in setImmediate), so batches built on that thread never overlapped the network; here
// they do. This thread never loads onnxruntime (reported to crash inside worker_threads): typed arrays only.
import { parentPort } from 'node:worker_threads';
import { SliceBatcher } from './slice-batcher.ts';
import type { BatchWorkerReply, BatchWorkerRequest } from './worker-batches.ts';

const port = parentPort;
if (!port) throw new Error('batch-worker: start this file as a worker thread (WorkerBatches)');

let batcher: SliceBatcher | undefined;
let runId = -1;
/** Buffers of spent batches, handed back by the main thread for reuse. */
let spare: Float32Array[] = [];

function reply(message: BatchWorkerReply, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(message, transfer);
}

port.on('message', (message: BatchWorkerRequest) => {
  if (message.type === 'open') {
    batcher = new SliceBatcher(message.volume, message.input);
    runId = message.runId;
    spare = [];
    return;
  }
  if (message.runId !== runId) return; // a request of a run that has been replaced
  if (message.spare) spare.push(message.spare);
  try {
    if (!batcher) throw new Error('no volume is open');
    const started = performance.now();
    const length = batcher.batchLength(message.count);
    const at = spare.findIndex((buffer) => buffer.length >= length);
    const into = at >= 0 ? spare.splice(at, 1)[0] : undefined;
    const batch = batcher.batch(message.first, message.count, into);
    const buildMs = performance.now() - started;
    reply({ type: 'batch', runId, id: message.id, batch, buildMs }, [batch.data.buffer as ArrayBuffer]);
  } catch (error) {
    reply({ type: 'failed', runId, id: message.id, message: (error as Error).message });
  }
});
