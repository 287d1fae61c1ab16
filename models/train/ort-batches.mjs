// Runs a model in onnxruntime-node (the runtime Overread ships, with the app's session options) on batches
// Python sends, so evaluate.py can score what onnxruntime computes on this CPU rather than quantize.py's
// simulation of the graph (rescore.py --onnxruntime).
// Protocol on stdin/stdout: each request is 4 little-endian int32 (N, C, H, W) then N·C·H·W float32; each reply
// is the output's N·H·W float32 (first output, first channel). The process ends when stdin closes.
// usage: node --import tsx models/train/ort-batches.mjs MODEL.onnx
import { readFileSync } from 'node:fs';
import ort from 'onnxruntime-node';
import { sessionOptions } from '../../src/inference/session-options.ts';

const session = await ort.InferenceSession.create(readFileSync(process.argv[2]), sessionOptions(1));
let pending = Buffer.alloc(0);
let busy = Promise.resolve();

async function serve(dims, data) {
  const result = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', data, dims) });
  const out = result[session.outputNames[0]].data;
  process.stdout.write(Buffer.from(out.buffer, out.byteOffset, out.byteLength));
}

process.stdin.on('data', (chunk) => {
  pending = Buffer.concat([pending, chunk]);
  while (pending.length >= 16) {
    const dims = [0, 1, 2, 3].map((i) => pending.readInt32LE(4 * i));
    const bytes = 16 + 4 * dims.reduce((a, b) => a * b, 1);
    if (pending.length < bytes) break;
    const data = new Float32Array(pending.buffer.slice(pending.byteOffset + 16, pending.byteOffset + bytes));
    pending = pending.subarray(bytes);
    busy = busy.then(() => serve(dims, data));
  }
});
process.stdin.on('end', () => busy.then(() => session.release()));
