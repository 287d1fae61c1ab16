// Owns a run's voxels as they reach the model process: in shared memory (the pre-processing thread reads them
// where they are), from `voxels` messages on the IPC channel (main thread) or as raw bytes on a byte channel
// that the pre-processing thread reads (BulkVoxels), complete or failed.
import type { Readable } from 'node:stream';
import type { RunMessage } from './model-host.ts';

export class ArrivingVolume {
  readonly voxels: Int16Array | Float32Array;
  private readonly bytes: Uint8Array;
  private received = 0; // bytes
  private failure: Error | undefined;
  private waiters: { resolve: () => void; reject: (error: Error) => void }[] = [];

  /** Fills `voxels` (shared memory, so another thread can read or fill the same values). */
  constructor(voxels: Int16Array | Float32Array) {
    this.voxels = voxels;
    this.bytes = new Uint8Array(voxels.buffer, voxels.byteOffset, voxels.byteLength);
  }

  /** A run's voxels, in fresh shared memory. */
  static forRun(message: Pick<RunMessage, 'geometry' | 'voxelType'>): ArrivingVolume {
    const [cols, rows, slices] = message.geometry.size;
    const count = cols * rows * slices;
    return new ArrivingVolume(
      message.voxelType === 'int16'
        ? new Int16Array(new SharedArrayBuffer(count * 2))
        : new Float32Array(new SharedArrayBuffer(count * 4)),
    );
  }

  get complete(): boolean {
    return this.received >= this.bytes.length;
  }

  /** Values that have come so far. */
  get arrivedValues(): number {
    return Math.floor(this.received / this.voxels.BYTES_PER_ELEMENT);
  }

  /** Bytes still to come. */
  get bytesLeft(): number {
    return this.bytes.length - this.received;
  }

  /** A `voxels` message: values from `offset`, in order (one IPC channel keeps the order). */
  add(offset: number, data: Int16Array | Float32Array): void {
    if (this.failure) return;
    const expected = this.received / this.voxels.BYTES_PER_ELEMENT;
    if (offset !== expected || offset + data.length > this.voxels.length) {
      this.fail(new Error(`voxels arrived out of order (at ${offset}, expected ${expected}) — run it again`));
      return;
    }
    this.voxels.set(data, offset);
    this.arrived(data.length * this.voxels.BYTES_PER_ELEMENT);
  }

  /**
   * The next bytes from a byte channel (at most bytesLeft). Taken even after a failure, so the channel stays
   * in step for the runs behind this one.
   */
  addBytes(chunk: Uint8Array): void {
    this.bytes.set(chunk, this.received);
    this.arrived(chunk.length);
  }

  /** Resolves once every voxel has come; rejects if the run is cancelled or the voxels break off meanwhile. */
  whenComplete(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.complete) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  fail(error: Error): void {
    this.failure ??= error;
    for (const w of this.waiters) w.reject(this.failure);
    this.waiters = [];
  }

  private arrived(bytes: number): void {
    this.received += bytes;
    if (!this.complete || this.failure) return;
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
  }
}

/**
 * Routes a byte channel to the volumes expecting it, in the order the runs came: each takes exactly its own
 * byte count. Bytes that come before their run's message (the two travel on different channels) wait here.
 * Runs on the model process's pre-processing thread (batch-worker.ts), so the bytes come in while the network
 * runs. Raw bytes instead of `voxels` messages because decoding 300 structured-clone messages on the main thread
 * took most of a 300 × 512² study's transfer time; the sender writes the volume's own memory, without a copy.
 */
export class BulkVoxels {
  private readonly targets: ArrivingVolume[] = [];
  private readonly held: Uint8Array[] = [];

  /** `onData` runs after each chunk has been routed. */
  constructor(channel: Readable, onData?: () => void) {
    channel.on('data', (chunk: Buffer) => {
      this.held.push(chunk);
      this.drain();
      onData?.();
    });
  }

  expect(volume: ArrivingVolume): void {
    if (volume.bytesLeft === 0) return;
    this.targets.push(volume);
    this.drain();
  }

  private drain(): void {
    while (this.held.length > 0 && this.targets.length > 0) {
      const target = this.targets[0]!;
      const chunk = this.held[0]!;
      const take = Math.min(chunk.length, target.bytesLeft);
      target.addBytes(chunk.subarray(0, take));
      if (take === chunk.length) this.held.shift();
      else this.held[0] = chunk.subarray(take);
      if (target.bytesLeft === 0) this.targets.shift();
    }
  }
}
