// Owns checking, on the reader's own CPU, that onnxruntime's fused int8 kernels compute what a quantized model's
// graph says. Why: onnxruntime fuses a QDQ model's DequantizeLinear → Conv/MatMul/Gemm → QuantizeLinear into
// int8 kernels (QLinearConv, …), and on x86 CPUs without VNNI (AVX2 only: AMD Zen 2 and 3, Intel before Ice
// Lake) those add each pair of adjacent u8 × s8 products in a saturating 16-bit sum. 8-bit weights against dense
// inputs such as adjacent CT slices overflow it, and the map changes where it matters: the default model's
// 1.4.2 moved nodule pixels by up to 0.95 on such a CPU (models/train/ort_layout.py now splits its first
// convolution so it cannot). A user's model quantized with onnxruntime's defaults can do the same. The same file
// run with the fusion turned off (session option disable_quant_qdq) dequantizes and convolves in float: the
// graph's own arithmetic, slower (1.6× for the default model's 1.4.1 here). The model process compares the two
// on a series' most suspicious slices, run after run until a comparison around a finding agrees (then the
// kernels are trusted), and where they differ runs that model another way from then on (Int8RunAs); the
// app-side host keeps the verdict for the app's life (Int8Verdict).
import type { ModelManifest } from './model-manifest.ts';
import type { ModelGrid } from './model-grid.ts';
import { onnxGraphNodes } from './onnx-graph-nodes.ts';
import { findingProbability } from './probability-writer.ts';
import type { InputBatch } from './slice-batcher.ts';
import type { RunBatch } from './infer-probability.ts';

/**
 * Largest probability difference accepted between the fused kernels and the graph. Kernels that do not
 * saturate land within one quantization level of the graph layer by layer (they requantize with a float
 * multiplier), which moves a steep edge pixel by up to 0.05 on the default model; saturation moved them 0.18–0.95.
 */
export const INT8_TOLERANCE = 0.1;

/** Slices compared per series. */
export const CHECK_SLICES = 8;

const FUSED_OPERATORS = new Set(['Conv', 'ConvTranspose', 'MatMul', 'Gemm']);

/**
 * Whether onnxruntime may run some convolution or matrix product of this model on its int8 kernels from a QDQ
 * graph: one that reads a DequantizeLinear's output (the default model is such a graph; onnxruntime makes 17
 * QLinearConv of it). A model written with QLinearConv and the like has no unfused form to compare with.
 */
export function hasFusableQdq(model: Uint8Array): boolean {
  const nodes = onnxGraphNodes(model);
  const dequantized = new Set(nodes.filter((n) => n.opType === 'DequantizeLinear').flatMap((n) => n.outputs));
  return nodes.some((n) => FUSED_OPERATORS.has(n.opType) && n.inputs.some((i) => dequantized.has(i)));
}

/**
 * Voxels at p ≥ 0.5 on the window's central slice for a passed check to count: where nothing is lit, both runs
 * give p ≈ 0 whatever the kernels do, and the check says little.
 */
export const CONCLUSIVE_LIT_VOXELS = 10;

/**
 * How a model whose fused kernels were caught runs instead: with onnxruntime's 16-bit-safe int8 arithmetic
 * (session option x64quantprecision: its int8 weights made unsigned so the kernels widen before adding; 1.24×
 * the fused time for the default model's 1.4.1 here), or, where that too differs from the graph, unfused
 * (dequantized, in float: 1.6×).
 */
export type Int8RunAs = 'precise' | 'unfused';

/**
 * What a check found for one model file on this CPU: its fused kernels agreed with the graph around a finding
 * (trusted), or differed by `wrongBy` (the model runs `runAs`). The model process reports it after each run and
 * the app-side host hands it back with later runs, so a fresh model process (after an idle stop or a crash)
 * neither checks again nor runs a caught model fused once more.
 */
export type Int8Verdict = { trusted: true } | { wrongBy: number; runAs: Int8RunAs };

/** Model pixels on a side of the region compared (when the network takes any input size). */
export const CHECK_CROP = 96;

export interface CheckWindow {
  /** Slices first … first + count - 1. */
  first: number;
  count: number;
  /** Voxels at p ≥ 0.5 on the window's central slice. */
  lit: number;
  /** Series column and row of the highest value on that slice. */
  hotCol: number;
  hotRow: number;
}

/**
 * The `count` slices around the series' most suspicious slice: the one with the most voxels at p ≥ 0.5, else
 * the one holding the highest value. Saturation shows where the image is dense and the probabilities steep:
 * around a finding, not in the background where both runs give p ≈ 0.
 */
export function checkWindow(
  values: Uint8Array,
  rowMax: Uint8Array,
  size: readonly [number, number, number],
  count = CHECK_SLICES,
): CheckWindow {
  const [cols, rows, slices] = size;
  let best = 0;
  let bestLit = -1;
  let bestMax = -1;
  let bestAt = 0;
  for (let k = 0; k < slices; k++) {
    let lit = 0;
    let max = 0;
    let at = 0;
    // Only rows with a value above 0 (rowMax, as the run wrote it): a map is nearly all zeros, and scanning
    // all of a 300 × 512² one took 140–190 ms.
    for (let j = 0; j < rows; j++) {
      const rowTop = rowMax[k * rows + j]!;
      if (rowTop === 0 || (rowTop < 128 && rowTop <= max)) continue;
      for (let i = (k * rows + j) * cols, end = i + cols; i < end; i++) {
        const v = values[i]!;
        if (v >= 128) lit++;
        if (v > max) {
          max = v;
          at = i - k * rows * cols;
        }
      }
    }
    if (lit > bestLit || (lit === bestLit && max > bestMax)) {
      best = k;
      bestLit = lit;
      bestMax = max;
      bestAt = at;
    }
  }
  const n = Math.min(count, slices);
  const first = Math.max(0, Math.min(slices - n, best - Math.floor(n / 2)));
  return { first, count: n, lit: bestLit, hotCol: bestAt % cols, hotRow: Math.floor(bestAt / cols) };
}

/**
 * The part of a batch the check runs: a CHECK_CROP square of model pixels around the window's hottest
 * voxel, its corner on the network's size multiple (so its poolings see the grid the run saw), or the whole
 * batch when the network's input size is fixed or no bigger. Both runs read the same crop, so their difference
 * is the kernels' alone.
 */
export function cropBatch(
  batch: InputBatch,
  grid: ModelGrid,
  window: CheckWindow,
  multiple: number,
): InputBatch {
  const [count, channels, rows, cols] = batch.dims;
  const side = Math.max(multiple, Math.ceil(CHECK_CROP / multiple) * multiple);
  if (rows <= side && cols <= side) return batch;
  const corner = (hot: number, scale: number, offset: number, extent: number) => {
    const model = (hot + 0.5) / scale - 0.5 + offset;
    const start = Math.floor((model - side / 2) / multiple) * multiple;
    return Math.max(0, Math.min(Math.floor((extent - side) / multiple) * multiple, start));
  };
  const cropRows = Math.min(rows, side);
  const cropCols = Math.min(cols, side);
  const top = rows <= side ? 0 : corner(window.hotRow, grid.scaleRow, grid.offsetRow, rows);
  const left = cols <= side ? 0 : corner(window.hotCol, grid.scaleCol, grid.offsetCol, cols);
  const data = new Float32Array(count * channels * cropRows * cropCols);
  for (let plane = 0; plane < count * channels; plane++) {
    for (let r = 0; r < cropRows; r++) {
      const from = (plane * rows + top + r) * cols + left;
      data.set(batch.data.subarray(from, from + cropCols), (plane * cropRows + r) * cropCols);
    }
  }
  return { firstSlice: batch.firstSlice, count, data, dims: [count, channels, cropRows, cropCols] };
}

/**
 * The largest difference in the finding's probability (the manifest's channel, after its activation) between
 * the model's output through `fused` and through `exact` on the same batches.
 */
export async function int8Difference(
  batches: readonly InputBatch[],
  fused: RunBatch,
  exact: RunBatch,
  manifest: ModelManifest,
): Promise<number> {
  let worst = 0;
  for (const batch of batches) {
    const [a, b] = [await fused(batch), await exact(batch)];
    const plane = (a.dims.at(-1) ?? 0) * (a.dims.at(-2) ?? 0);
    const perItem = a.data.length / batch.count;
    const [pa, pb] = [new Float32Array(plane), new Float32Array(plane)];
    for (let item = 0; item < batch.count; item++) {
      findingProbability(manifest, a.data, item * perItem, plane, pa);
      findingProbability(manifest, b.data, item * perItem, plane, pb);
      for (let n = 0; n < plane; n++) worst = Math.max(worst, Math.abs(pa[n]! - pb[n]!));
    }
  }
  return worst;
}

/** What the run's result says when the fused kernels were found wrong and the model ran another way. */
export function int8KernelWarning(modelId: string, verdict: { wrongBy: number; runAs: Int8RunAs }): string {
  const how =
    verdict.runAs === 'precise'
      ? "with onnxruntime's 16-bit-safe int8 arithmetic (session option x64quantprecision) — the graph's map, " +
        'somewhat more slowly'
      : "with its graph unfused (dequantized, in float) — the graph's map, more slowly";
  return (
    `model ${modelId}: onnxruntime's int8 kernels on this CPU do not compute what the model's graph says ` +
    `(up to ${verdict.wrongBy.toFixed(2)} apart in probability on this series' most suspicious slices; the ` +
    "usual cause: on CPUs without AVX-VNNI they add adjacent input channels' products in 16-bit sums, which " +
    `saturate), so Overread ran it ${how}. To get the speed back, quantize the model with 7-bit weights ` +
    "(onnxruntime quantize_static's reduce_range=True) or split its first convolution as " +
    'models/train/ort_layout.py does'
  );
}
