// The model process's side of the protocol, driven in this process through a fake port: a run's turn starts on
// its message and the network once every voxel has come; a cancel or a broken stream of voxels ends the run
// with a message, never a hang.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openModelRegistry, type InstalledModel } from '../../src/inference/model-registry.ts';
import { serveModelRuns } from '../../src/inference/model-process.ts';
import {
  voxelMessages,
  type FromModelProcess,
  type RunMessage,
  type ToModelProcess,
  unpackProbabilityRows,
  voxelBytes,
} from '../../src/inference/model-host.ts';
import { geometry } from './volume-fixtures.ts';
import { installTestModel } from './test-models.ts';

let modelsDir: string;
let model: InstalledModel;

before(async () => {
  modelsDir = mkdtempSync(join(tmpdir(), 'overread-model-process-'));
  // sigmoid(10 · x - 5) of the centre slice, x = HU windowed [-1000, 400] → [0, 1].
  installTestModel(modelsDir, { kind: 'fast', a: 10, b: -5, channels: 3 }, { id: 'fast' });
  model = (await openModelRegistry({ bundledDir: join(modelsDir, 'none'), userDir: modelsDir })).get('fast');
});

after(() => rmSync(modelsDir, { recursive: true, force: true }));

const size: [number, number, number] = [32, 24, 16];
const plane = size[0] * size[1];

/** Slice k holds -1000 + 100 k HU everywhere. */
function voxels(): Int16Array {
  return Int16Array.from({ length: plane * size[2] }, (_, n) => -1000 + 100 * Math.floor(n / plane));
}

function serve(bulkFd?: number) {
  const posted: FromModelProcess[] = [];
  let handler: ((message: ToModelProcess) => void) | undefined;
  let wake: (() => void) | undefined;
  serveModelRuns({
    post: (message) => {
      posted.push(message);
      wake?.();
    },
    onMessage: (h) => (handler = h),
    bulkFd,
  });
  /** Resolves when a posted message passes `test` (or one already has). */
  const waitFor = async (test: (m: FromModelProcess) => boolean): Promise<FromModelProcess> => {
    for (;;) {
      const found = posted.find(test);
      if (found) return found;
      await new Promise<void>((resolve) => (wake = resolve));
    }
  };
  return { posted, send: (message: ToModelProcess) => handler!(message), waitFor };
}

function runMessage(runId: number, voxelsVia: RunMessage['voxelsVia'] = 'messages'): RunMessage {
  return {
    type: 'run',
    runId,
    model: {
      id: model.id,
      onnxPath: model.onnxPath,
      sha256: model.manifest.sha256,
      manifest: model.manifest,
    },
    geometry: geometry(size, [1, 1, 1]),
    voxelType: 'int16',
    voxelsVia,
    batchSize: 2,
    threads: 1,
  };
}

/** Probability × 255 of every voxel from a run's progress messages. */
function probabilities(posted: FromModelProcess[], runId: number): Uint8Array {
  const values = new Uint8Array(plane * size[2]);
  for (const m of posted)
    if (m.type === 'progress' && m.runId === runId)
      unpackProbabilityRows(m.liveRows, m.rowMax, m.firstSlice * size[1], values, size[0]);
  return values;
}

/** sigmoid(10 · x - 5) × 255 of a slice of `hu` everywhere (the test model on the centre slice). */
function expectedByte(hu: number): number {
  const x = Math.min(1, Math.max(0, (hu + 1000) / 1400));
  return Math.round(255 / (1 + Math.exp(-(10 * x - 5))));
}

/** A FIFO as the byte channel: the read end for the model process, the write end for the test. */
function byteChannel(): { readFd: number; write: (bytes: Uint8Array) => void; close: () => void } {
  const path = join(modelsDir, `bulk-${Math.random().toString(36).slice(2)}`);
  execFileSync('mkfifo', [path]);
  const readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const writeFd = openSync(path, 'w');
  return {
    readFd,
    write: (bytes) => {
      for (let at = 0; at < bytes.length;) at += writeSync(writeFd, bytes, at, bytes.length - at);
    },
    close: () => closeSync(writeFd),
  };
}

test('voxels on the byte channel: early bytes wait for their run, values split across chunks, cancelled runs (running or queued) still take their own bytes', async () => {
  const channel = byteChannel();
  const bulk = { write: channel.write };
  const { posted, send, waitFor } = serve(channel.readFd);
  const first = voxelBytes(voxels(), 'int16');
  // Run 1's first bytes come before its message (the two travel on different channels), in 1001-byte chunks
  // that split int16 values; it is cancelled half-way, and the rest of its bytes still follow.
  bulk.write(first.subarray(0, 1001));
  send(runMessage(1, 'bulk'));
  for (let at = 1001; at < first.length; at += 1001) {
    if (at > first.length / 2 && at - 1001 <= first.length / 2) send({ type: 'cancel', runId: 1 });
    bulk.write(first.subarray(at, Math.min(at + 1001, first.length)));
  }
  // Run 2: the slices in reverse order, so its map shows whether it got its own bytes.
  send(runMessage(2, 'bulk'));
  bulk.write(voxelBytes(voxels().reverse(), 'int16'));
  await waitFor((m) => m.type === 'result' && m.runId === 2);
  assert.equal(posted.find((m) => m.runId === 1)?.type, 'cancelled');
  const values = probabilities(posted, 2);
  for (let k = 0; k < size[2]; k++)
    assert.equal(values[k * plane + 7], expectedByte(-1000 + 100 * (size[2] - 1 - k)), `slice ${k}`);
  // Run 3 is cancelled before its turn comes, and its bytes (all -1000) must not reach run 4.
  send(runMessage(3, 'bulk'));
  send({ type: 'cancel', runId: 3 });
  bulk.write(voxelBytes(new Int16Array(plane * size[2]).fill(-1000), 'int16'));
  send(runMessage(4, 'bulk'));
  bulk.write(first);
  await waitFor((m) => m.type === 'result' && m.runId === 4);
  assert.equal(posted.find((m) => m.runId === 3)?.type, 'cancelled');
  const fourth = probabilities(posted, 4);
  for (let k = 0; k < size[2]; k++)
    assert.equal(fourth[k * plane + 7], expectedByte(-1000 + 100 * k), `run 4, slice ${k}`);
  channel.close();
});

test('a run waits for all its voxels, then returns every slice’s probability with progress', async () => {
  const { posted, send, waitFor } = serve();
  const messages = [...voxelMessages(1, voxels(), plane, 'int16', plane)]; // one slice per message
  assert.equal(messages.length, 16);
  send(runMessage(1));
  messages.slice(0, 15).forEach(send);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(posted.length, 0, 'nothing runs on a volume that has not all come');

  send(messages[15]!);
  const result = await waitFor((m) => m.type === 'result');
  assert.equal(result.type, 'result');
  const progress = posted.filter((m) => m.type === 'progress');
  assert.deepEqual(
    progress.map((m) => m.type === 'progress' && m.done),
    [2, 4, 6, 8, 10, 12, 14, 16],
  );
  // Every slice's probability: sigmoid(10 · k / 14 - 5) on slice k; each row's highest value beside it.
  const values = new Uint8Array(plane * size[2]);
  const rowMax = new Uint8Array(size[1] * size[2]);
  for (const m of progress)
    if (m.type === 'progress') {
      unpackProbabilityRows(m.liveRows, m.rowMax, m.firstSlice * size[1], values, size[0]);
      rowMax.set(m.rowMax, m.firstSlice * size[1]);
    }
  for (let k = 0; k < size[2]; k++) {
    const x = Math.min(1, (100 * k) / 1400);
    const expected = Math.round(255 / (1 + Math.exp(-(10 * x - 5))));
    assert.equal(values[k * plane + 7], expected, `slice ${k}`);
    assert.equal(rowMax[k * size[1] + 3], expected, `slice ${k} row 3`);
  }
});

test('a run cancelled while its voxels are still coming ends as cancelled', async () => {
  const { send, waitFor } = serve();
  const messages = [...voxelMessages(1, voxels(), plane, 'int16', plane)];
  send(runMessage(1));
  messages.slice(0, 3).forEach(send);
  await new Promise((resolve) => setTimeout(resolve, 100));
  send({ type: 'cancel', runId: 1 });
  const end = await waitFor(() => true);
  assert.equal(end.type, 'cancelled');
});

test('voxels that arrive out of order fail the run with a message instead of running on a gap', async () => {
  const { send, waitFor } = serve();
  const messages = [...voxelMessages(1, voxels(), plane, 'int16', plane)];
  send(runMessage(1));
  send(messages[0]!);
  send(messages[2]!);
  const end = await waitFor(() => true);
  assert.equal(end.type, 'failed');
  assert.match(
    end.type === 'failed' ? end.message : '',
    /voxels arrived out of order \(at 1536, expected 768\)/,
  );
});

test('unpackProbabilityRows: a pass repeated from the start zeroes the rows it no longer fills, and only those', () => {
  const cols = 3;
  const values = new Uint8Array(4 * cols);
  const shown = new Uint8Array(4);
  // As the host does: unpack a progress message, then remember its row maxima.
  const receive = (live: number[], rowMax: number[]) => {
    unpackProbabilityRows(new Uint8Array(live), new Uint8Array(rowMax), 0, values, cols, shown);
    shown.set(rowMax);
  };
  receive([5, 6, 7, 8, 9, 10], [0, 7, 10, 0]); // first pass: rows 1 and 2 live
  assert.deepEqual([...values], [0, 0, 0, 5, 6, 7, 8, 9, 10, 0, 0, 0]);
  receive([1, 2, 3, 4, 4, 4], [0, 3, 0, 4]); // the repeat: row 1 rewritten, row 2 empty now, row 3 live
  assert.deepEqual([...values], [0, 0, 0, 1, 2, 3, 0, 0, 0, 4, 4, 4]);
  // Rows never shown are not written at all (their pages stay untouched): a sentinel survives.
  const fresh = new Uint8Array(2 * cols).fill(99);
  unpackProbabilityRows(new Uint8Array(0), new Uint8Array([0, 0]), 0, fresh, cols, new Uint8Array(2));
  assert.deepEqual([...fresh], [99, 99, 99, 99, 99, 99]);
});
