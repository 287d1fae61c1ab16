// Owns building the network's input tensors from a volume: each slice resampled in-plane to the model grid and
// normalised once, then stacked with its neighbours as channels into [batch, channels, rows, cols] float32
// batches. Without input.sliceSpacingMm the neighbours are the adjacent slices (k-1, k, k+1 for 3 channels);
// with it, channel c samples z = k + (c - half) × sliceSpacingMm / the series' slice spacing (with
// input.channelOffsetsMm, k + channelOffsetsMm[c] / the spacing), linearly interpolated between the two nearest
// slices, so the network sees the same physical depth whatever the series' spacing. Positions beyond the
// first/last slice clamp to it.
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
  /** The series' columns and rows. */
  readonly seriesSize: [number, number];
  private readonly channels: number;
  /** Per channel: the two source-slice offsets around k and the weight of the upper one. */
  private readonly taps: { lo: number; hi: number; weight: number }[];
  /** How many slices below k a channel may read (for the sliding cache). */
  private readonly reach: number;
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
    this.seriesSize = [cols, rows];
    this.channels = input.channels;
    this.taps = channelTaps(input, volume.geometry.spacing[2]);
    this.reach = Math.max(0, ...this.taps.map((t) => -t.lo));
    this.rowTaps = toModelTaps(this.grid, 'row', rows);
    this.colTaps = toModelTaps(this.grid, 'col', cols);
    this.intensity = intensityMapping(input.normalization);
  }

  /** How many slices from the first must be there to build this batch (the highest one it reads, plus one). */
  slicesRead(firstSlice: number, count: number): number {
    const last = firstSlice + count - 1;
    const above = Math.max(...this.taps.map((t) => (t.weight === 0 ? t.lo : t.hi)));
    return Math.min(Math.max(last + above, 0), this.slices - 1) + 1;
  }

  /** Values in a batch of `count` slices. */
  batchLength(count: number): number {
    return count * this.channels * this.grid.rows * this.grid.cols;
  }

  /**
   * Builds the batch of slices firstSlice … firstSlice + count - 1, into the start of `into` when it is given
   * and long enough (a spent batch's buffer: no fresh allocation per batch).
   */
  batch(firstSlice: number, count: number, into?: Float32Array): InputBatch {
    const { rows, cols } = this.grid;
    const plane = rows * cols;
    const length = this.batchLength(count);
    const data = into && into.length >= length ? into.subarray(0, length) : new Float32Array(length);
    const clamp = (k: number): number => Math.min(Math.max(k, 0), this.slices - 1);
    for (let b = 0; b < count; b++) {
      for (let c = 0; c < this.channels; c++) {
        const { lo, hi, weight } = this.taps[c]!;
        const target = data.subarray((b * this.channels + c) * plane, (b * this.channels + c + 1) * plane);
        const below = this.modelSlice(clamp(firstSlice + b + lo));
        if (weight === 0) {
          target.set(below);
          continue;
        }
        const above = this.modelSlice(clamp(firstSlice + b + hi));
        for (let i = 0; i < plane; i++) target[i] = below[i]! + (above[i]! - below[i]!) * weight;
      }
    }
    // Slices below the next batch's lowest neighbour are never read again.
    const nextLowest = firstSlice + count - this.reach;
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

/**
 * Channel c sits at channelOffsetsMm[c] / seriesSpacing slices from k, or else at (c - half) × step, step =
 * sliceSpacingMm / seriesSpacing (1 without sliceSpacingMm): returned as the slices just below/above that offset
 * and the upper one's weight. The offsets and the sum, lo + (hi - lo) × weight, are computed the same way in
 * both engines (models/train/sample_data.py channel_offsets and stack_channels).
 */
export function channelTaps(
  input: Pick<ModelManifest['input'], 'channels' | 'sliceSpacingMm' | 'channelOffsetsMm'>,
  seriesSpacingMm: number,
): { lo: number; hi: number; weight: number }[] {
  const { channels, sliceSpacingMm, channelOffsetsMm } = input;
  const half = (channels - 1) / 2;
  const step = sliceSpacingMm && seriesSpacingMm > 0 ? sliceSpacingMm / seriesSpacingMm : 1;
  return Array.from({ length: channels }, (_, c) => {
    const offset =
      channelOffsetsMm && seriesSpacingMm > 0 ? channelOffsetsMm[c]! / seriesSpacingMm : (c - half) * step;
    const lo = Math.floor(offset + 1e-9);
    const weight = Math.max(0, offset - lo);
    return { lo, hi: lo + 1, weight: weight < 1e-6 ? 0 : weight };
  });
}

function subarray(voxels: ArrayLike<number>, start: number, end: number): ArrayLike<number> {
  const typed = voxels as Partial<Float32Array>;
  if (typeof typed.subarray === 'function') return typed.subarray(start, end);
  return Array.prototype.slice.call(voxels, start, end) as number[];
}
