// Owns turning the network's output back into the series' own grid: pick the finding channel, apply the
// activation the graph does not apply itself, resample each slice bilinearly back to the series' pixels and
// store it quantised (probability × 255, rounded) so thresholds can be changed later without the model.
// The resampling is resampleSlice's arithmetic done in two passes (along rows, then down columns, in double
// precision, so every byte is the same), and series rows read only from model rows that would all round to 0
// are written as zeros without computing them: most of a probability map is background.
import { findingChannel, type ModelManifest } from './model-manifest.ts';
import { fromModelTaps, type AxisTaps, type ModelGrid } from './model-grid.ts';

/** Below this, p × 255 rounds to 0, and so does any bilinear mix of such values. */
const ROUNDS_TO_ZERO = 0.499 / 255; // a hair under 0.5 / 255, so float rounding cannot tip a mix to 1

export class ProbabilityWriter {
  /** Probability × 255 per voxel of the series, i fastest then j then k (the Volume layout). */
  readonly values: Uint8Array;
  /**
   * The highest probability written so far, at full precision (the bytes cannot tell 0.998 from 1); 0 while
   * every value is background (below ROUNDS_TO_ZERO, stored as 0 and not resampled).
   */
  peak = 0;
  /**
   * The highest stored value of each series row (index j + k·rows): what lets findingsAtThreshold skip the rows
   * that cannot hold a finding instead of scanning every voxel. Costs a compare per value already computed.
   */
  readonly rowMax: Uint8Array;
  private readonly rowTaps: AxisTaps;
  private readonly colTaps: AxisTaps;
  private readonly plane: Float32Array;
  /** Each model row resampled along the row to the series' columns (pass 1). */
  private readonly across: Float64Array;
  /** Per model row: 1 when some value in it could round above 0. */
  private readonly rowLive: Uint8Array;

  constructor(
    private readonly manifest: ModelManifest,
    private readonly grid: ModelGrid,
    private readonly size: [number, number, number],
  ) {
    this.values = new Uint8Array(size[0] * size[1] * size[2]);
    this.rowMax = new Uint8Array(size[1] * size[2]);
    this.rowTaps = fromModelTaps(grid, 'row', size[1]);
    this.colTaps = fromModelTaps(grid, 'col', size[0]);
    this.plane = new Float32Array(grid.rows * grid.cols);
    this.across = new Float64Array(grid.rows * size[0]);
    this.rowLive = new Uint8Array(grid.rows);
  }

  /** Writes a batch's output ([batch, labels, rows, cols] or [batch, rows, cols]) for slices firstSlice…. */
  write(data: Float32Array, dims: readonly number[], firstSlice: number, count: number): void {
    const { rows, cols } = this.grid;
    const labels = this.manifest.output.labels.length;
    const shapeOk =
      dims[0] === count &&
      ((dims.length === 4 && dims[1] === labels && dims[2] === rows && dims[3] === cols) ||
        (dims.length === 3 && labels === 1 && dims[1] === rows && dims[2] === cols));
    if (!shapeOk || data.length !== count * labels * rows * cols) {
      throw new Error(
        `model ${this.manifest.id}: output "${this.manifest.output.name}" has shape [${dims.join(', ')}], ` +
          `expected [${count}, ${labels}, ${rows}, ${cols}] — the manifest does not describe this network`,
      );
    }
    const plane = rows * cols;
    const [seriesCols, seriesRows] = this.size;
    const seriesPlane = seriesCols * seriesRows;
    for (let b = 0; b < count; b++) {
      findingProbability(this.manifest, data, b * labels * plane, plane, this.plane);
      const k = firstSlice + b;
      const out = this.values.subarray(k * seriesPlane, (k + 1) * seriesPlane);
      this.resampleToBytes(out, this.rowMax.subarray(k * seriesRows, (k + 1) * seriesRows));
    }
  }

  /**
   * this.plane (model grid) → `out` (series grid, p × 255 rounded and clamped; outside the field of view 0),
   * and each series row's highest value into `rowMax`.
   */
  private resampleToBytes(out: Uint8Array, rowMax: Uint8Array): void {
    const { rows, cols } = this.grid;
    const seriesCols = this.size[0];
    const { rowTaps, colTaps, plane, across, rowLive } = this;
    const { lo: cLo, hi: cHi, weight: cW, inside: cIn } = colTaps;
    // Pass 1: each model row that is not all background, along the row.
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      let live = 0;
      for (let c = 0; c < cols && !live; c++) if (plane[base + c]! >= ROUNDS_TO_ZERO) live = 1;
      rowLive[r] = live;
      if (!live) continue;
      const target = r * seriesCols;
      for (let u = 0; u < seriesCols; u++) {
        const left = plane[base + cLo[u]!]!;
        across[target + u] = left + (plane[base + cHi[u]!]! - left) * cW[u]!;
      }
    }
    // Pass 2: down the columns, quantised.
    for (let v = 0; v < rowTaps.lo.length; v++) {
      const rowOut = v * seriesCols;
      const top = rowTaps.lo[v]!;
      const bottom = rowTaps.hi[v]!;
      if (!rowTaps.inside[v] || (!rowLive[top] && !rowLive[bottom])) {
        out.fill(0, rowOut, rowOut + seriesCols);
        rowMax[v] = 0;
        continue;
      }
      let max = 0;
      const wy = rowTaps.weight[v]!;
      const upperRow = top * seriesCols;
      const lowerRow = bottom * seriesCols;
      for (let u = 0; u < seriesCols; u++) {
        if (!cIn[u]) {
          out[rowOut + u] = 0;
          continue;
        }
        // A background row was skipped in pass 1: its values are all below ROUNDS_TO_ZERO, read as 0 —
        // the mix still rounds the same unless the other row is live, which is then read in full.
        const upper = rowLive[top] ? across[upperRow + u]! : this.sample(top, u);
        const lower = rowLive[bottom] ? across[lowerRow + u]! : this.sample(bottom, u);
        const p = upper + (lower - upper) * wy;
        if (p > this.peak) this.peak = p;
        const q = Math.round(p * 255);
        const byte = q < 0 ? 0 : q > 255 ? 255 : q;
        out[rowOut + u] = byte;
        if (byte > max) max = byte;
      }
      rowMax[v] = max;
    }
  }

  /** Pass 1's value for model row r at series column u, for a row pass 1 skipped. */
  private sample(r: number, u: number): number {
    const base = r * this.grid.cols;
    const left = this.plane[base + this.colTaps.lo[u]!]!;
    return left + (this.plane[base + this.colTaps.hi[u]!]! - left) * this.colTaps.weight[u]!;
  }
}

/**
 * Writes into `into` (one plane) the finding channel's probability for one batch item of a network output
 * starting at `base` ([labels, plane] values): the manifest's activation applied unless the graph applies it.
 */
export function findingProbability(
  manifest: ModelManifest,
  data: Float32Array,
  base: number,
  plane: number,
  into: Float32Array,
): void {
  const { activation, activationInGraph, labels: names } = manifest.output;
  const labels = names.length;
  const channelBase = base + findingChannel(manifest) * plane;
  if (activationInGraph || activation === 'none') {
    into.set(data.subarray(channelBase, channelBase + plane));
  } else if (activation === 'sigmoid') {
    for (let n = 0; n < plane; n++) into[n] = 1 / (1 + Math.exp(-data[channelBase + n]!));
  } else {
    for (let n = 0; n < plane; n++) {
      let max = -Infinity;
      for (let l = 0; l < labels; l++) max = Math.max(max, data[base + l * plane + n]!);
      let sum = 0;
      for (let l = 0; l < labels; l++) sum += Math.exp(data[base + l * plane + n]! - max);
      into[n] = Math.exp(data[channelBase + n]! - max) / sum;
    }
  }
}
