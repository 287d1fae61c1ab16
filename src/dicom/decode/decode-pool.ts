// Owns decoding off the main thread: a small pool of worker threads (min(2, CPUs) by default) that decode frames
// by path. Requests queue; each worker is handed up to two at once, so it starts the next frame as soon as it posts
// one, instead of idling through the round trip to this thread. An aborted request is dropped (or its result
// ignored); a worker that dies is replaced, only the request it was decoding fails, and the one queued behind it
// is asked again of the new worker.
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../../shared/start-worker.ts';
import { DicomError } from '../dicom-error.ts';
import type { DecodedFrame, WireFrame } from './decode-frame.ts';
import type { DecodeRequest } from './decode-worker.ts';

export interface DecodePoolOptions {
  /** Worker threads; default min(2, number of CPUs). */
  size?: number;
}

interface Task {
  request: DecodeRequest;
  resolve: (frame: WireFrame) => void;
  reject: (error: Error) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
  settled?: boolean;
}

interface Slot {
  worker: Worker;
  /** Requests posted to this worker, oldest first; the worker answers them in order. */
  tasks: Task[];
}

/** Requests in flight per worker: one decoding, one waiting in its message queue. */
const DEPTH = 2;

type Reply =
  { id: number; frame: WireFrame } | { id: number; error: { dicom: boolean; path: string; reason: string } };

function abortError(): Error {
  return new DOMException('decode aborted', 'AbortError');
}

export class DecodePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: DecodePoolOptions = {}) {
    const size = Math.max(1, options.size ?? Math.min(2, os.availableParallelism?.() ?? os.cpus().length));
    for (let i = 0; i < size; i++) this.slots.push(this.spawn());
  }

  get size(): number {
    return this.slots.length;
  }

  /** Decodes one frame of a file in a worker. Rejects with a DicomError for bad input, AbortError when aborted. */
  decode(path: string, frameIndex = 0, signal?: AbortSignal): Promise<DecodedFrame> {
    // Without `int16` the worker answers with float32 data.
    return this.request({ id: this.nextId++, path, frameIndex }, signal) as Promise<DecodedFrame>;
  }

  /**
   * Decodes one frame for the viewer: as decode(), but grey frames whose values are all whole numbers in int16's
   * range come back as int16 (see WireFrame), decoded so in the worker rather than converted per request.
   */
  decodeWire(path: string, frameIndex = 0, signal?: AbortSignal): Promise<WireFrame> {
    return this.request({ id: this.nextId++, path, frameIndex, int16: true }, signal);
  }

  private request(request: DecodeRequest, signal?: AbortSignal): Promise<WireFrame> {
    if (this.closed) return Promise.reject(new Error('the decode pool is closed'));
    if (signal?.aborted) return Promise.reject(abortError());
    return new Promise((resolve, reject) => {
      const task: Task = { request, resolve, reject, signal };
      if (signal) {
        task.onAbort = () => {
          const queued = this.queue.indexOf(task);
          if (queued >= 0) this.queue.splice(queued, 1);
          // A running task cannot be interrupted mid-frame; its reply is ignored once it comes.
          this.settle(task, () => reject(abortError()));
        };
        signal.addEventListener('abort', task.onAbort, { once: true });
      }
      this.queue.push(task);
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const task of this.queue.splice(0))
      this.settle(task, () => task.reject(new Error('the decode pool closed')));
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private spawn(): Slot {
    const worker = startWorker('./decode-worker.ts', import.meta.url);
    const slot: Slot = { worker, tasks: [] };
    worker.on('message', (reply: Reply) => this.onReply(slot, reply));
    worker.on('error', (error) => this.onDeath(slot, error));
    worker.on('exit', (code) => {
      if (!this.closed) this.onDeath(slot, new Error(`decode worker exited with code ${code}`));
    });
    worker.unref(); // idle workers never keep the process alive; a busy one is ref'd in pump()
    return slot;
  }

  private onReply(slot: Slot, reply: Reply): void {
    const at = slot.tasks.findIndex((t) => t.request.id === reply.id);
    const task = at >= 0 ? slot.tasks.splice(at, 1)[0] : undefined;
    if (slot.tasks.length === 0) slot.worker.unref();
    if (task) {
      if ('frame' in reply) this.settle(task, () => task.resolve(reply.frame));
      else {
        const { dicom, path, reason } = reply.error;
        this.settle(task, () =>
          task.reject(dicom ? new DicomError(path, reason) : new Error(`${path}: ${reason}`)),
        );
      }
    }
    this.pump();
  }

  private onDeath(slot: Slot, error: Error): void {
    const index = this.slots.indexOf(slot);
    if (index < 0 || this.closed) return;
    const [task, ...waiting] = slot.tasks.splice(0);
    // Requests behind the one that crashed were never started: they go back to the front of the queue.
    this.queue.unshift(...waiting.filter((t) => !t.settled));
    if (task)
      this.settle(task, () =>
        task.reject(
          new DicomError(
            task.request.path,
            `the decoder crashed on frame ${task.request.frameIndex} (${error.message})`,
          ),
        ),
      );
    void slot.worker.terminate();
    this.slots[index] = this.spawn();
    this.pump();
  }

  /** Runs `finish` once per task, detaching its abort listener; later calls (a late reply after abort) do nothing. */
  private settle(task: Task, finish: () => void): void {
    if (task.settled) return;
    task.settled = true;
    if (task.signal && task.onAbort) task.signal.removeEventListener('abort', task.onAbort);
    finish();
  }

  private pump(): void {
    // Fill breadth first, so two requests go to two idle workers before either gets a second.
    for (let depth = 1; depth <= DEPTH; depth++) {
      for (const slot of this.slots) {
        if (slot.tasks.length >= depth) continue;
        const task = this.queue.shift();
        if (!task) return;
        slot.tasks.push(task);
        slot.worker.ref();
        slot.worker.postMessage(task.request);
      }
    }
  }
}
