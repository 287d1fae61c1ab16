// Owns building the network's input tensors from a volume: each slice resampled in-plane to the model grid and
// normalised once, then stacked with its neighbours as channels (k-1, k, k+1 for 3 channels; slices beyond
// the first/last clamp to it) into [batch, channels, rows, cols] float32 batches.
import type { Volume } from '../dicom/volume.ts';
import type { ModelManifest } from './model-manifest.ts';
import { modelGrid, resampleSlice, toModelTaps, type AxisTaps, type ModelGrid } from './model-grid.ts';
import { intensityMapping, type IntensityMapping } from './intensity-normalization.ts';

export interface InputBatch {
  /** First slice (k) of the batch. */
  firstSlice: number;
  /** Slices in the batch. */
  count: number;
  data: Float32Array;
  dims: [number, number, number, number];
}

export class SliceBatcher {
  readonly grid: ModelGrid;
  readonly slices: number;
  private readonly channels: number;
  private readonly rowTaps: AxisTaps;
  private readonly colTaps: AxisTaps;
  private readonly intensity: IntensityMapping;
  /** Normalised model-grid slices still needed by a later batch, keyed by k (a sliding window). */
  private readonly cache = new Map<number, Float32Array>();

  constructor(
    private readonly volume: Volume<ArrayLike<number>>,
    input: ModelManifest['input'],
  ) {
    const [cols, rows, slices] = volume.geometry.size;
    const [spacingCol, spacingRow] = volume.geometry.spacing;
    this.grid = modelGrid(input, cols, rows, spacingCol, spacingRow);
    this.slices = slices;
    this.channels = input.channels;
    this.rowTaps = toModelTaps(this.grid, 'row', rows);
    this.colTaps = toModelTaps(this.grid, 'col', cols);
    this.intensity = intensityMapping(input.normalization);
  }

  /** Builds the batch of slices firstSlice … firstSlice + count - 1. */
  batch(firstSlice: number, count: number): InputBatch {
    const { rows, cols } = this.grid;
    const plane = rows * cols;
    const half = (this.channels - 1) / 2;
    const data = new Float32Array(count * this.channels * plane);
    for (let b = 0; b < count; b++) {
      for (let c = 0; c < this.channels; c++) {
        const k = Math.min(Math.max(firstSlice + b + c - half, 0), this.slices - 1);
        data.set(this.modelSlice(k), (b * this.channels + c) * plane);
      }
    }
    // Slices below the next batch's lowest neighbour are never read again.
    const nextLowest = firstSlice + count - half;
    for (const k of this.cache.keys()) if (k < nextLowest) this.cache.delete(k);
    return { firstSlice, count, data, dims: [count, this.channels, rows, cols] };
  }

  private modelSlice(k: number): Float32Array {
    const cached = this.cache.get(k);
    if (cached) return cached;
    const [cols, rows] = this.volume.geometry.size;
    const plane = cols * rows;
    const source = subarray(this.volume.voxels, k * plane, (k + 1) * plane);
    const out = new Float32Array(this.grid.rows * this.grid.cols);
    resampleSlice(
      source,
      cols,
      this.rowTaps,
      this.colTaps,
      out,
      this.intensity.padValue,
      this.intensity.normalize,
    );
    this.cache.set(k, out);
    return out;
  }
}

function subarray(voxels: ArrayLike<number>, start: number, end: number): ArrayLike<number> {
  const typed = voxels as Partial<Float32Array>;
  if (typeof typed.subarray === 'function') return typed.subarray(start, end);
  return Array.prototype.slice.call(voxels, start, end) as number[];
}
