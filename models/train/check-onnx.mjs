// Runs the exported model.onnx in onnxruntime-node (the runtime Overread ships) on the input PyTorch saved and
// compares with the expected output (PyTorch's, or quantize.py's simulation of the int8 graph): max abs difference
// ≤ TOLERANCE (default 1e-4), else exit 1.
// usage: node models/train/check-onnx.mjs <model.onnx> <check dir with input.f32, expected.f32, shapes.json> [TOLERANCE]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ort from 'onnxruntime-node';

const [modelPath, dir, toleranceArg] = process.argv.slice(2);
const tolerance = toleranceArg === undefined ? 1e-4 : Number(toleranceArg);
const shapes = JSON.parse(readFileSync(join(dir, 'shapes.json'), 'utf8'));
const floats = (name) => {
  const bytes = readFileSync(join(dir, name));
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
};
const session = await ort.InferenceSession.create(modelPath);
const result = await session.run({ image: new ort.Tensor('float32', floats('input.f32'), shapes.input) });
const output = result.probability;
const expected = floats('expected.f32');
if (output.dims.join() !== shapes.output.join()) {
  console.error(`check-onnx: output dims ${output.dims} differ from PyTorch's ${shapes.output}`);
  process.exit(1);
}
let maxDiff = 0;
for (let n = 0; n < expected.length; n++) maxDiff = Math.max(maxDiff, Math.abs(output.data[n] - expected[n]));
console.log(
  `check-onnx: ${modelPath} dims ${output.dims}, max abs diff vs expected ${maxDiff.toExponential(2)} (tolerance ${tolerance})`,
);
if (!(maxDiff <= tolerance)) process.exit(1);
