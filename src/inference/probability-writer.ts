// Owns turning the network's output back into the series' own grid: pick the finding channel, apply the
// activation the graph does not apply itself, resample each slice bilinearly back to the series' pixels and
// store it quantised (probability × 255, rounded) so thresholds can be changed later without the model.
import { findingChannel, type ModelManifest } from './model-manifest.ts';
import { fromModelTaps, resampleSlice, type AxisTaps, type ModelGrid } from './model-grid.ts';

export class ProbabilityWriter {
  /** Probability × 255 per voxel of the series, i fastest then j then k (the Volume layout). */
  readonly values: Uint8Array;
  private readonly rowTaps: AxisTaps;
  private readonly colTaps: AxisTaps;
  private readonly channel: number;
  private readonly plane: Float32Array;

  constructor(
    private readonly manifest: ModelManifest,
    private readonly grid: ModelGrid,
    private readonly size: [number, number, number],
  ) {
    this.values = new Uint8Array(size[0] * size[1] * size[2]);
    this.rowTaps = fromModelTaps(grid, 'row', size[1]);
    this.colTaps = fromModelTaps(grid, 'col', size[0]);
    this.channel = findingChannel(manifest);
    this.plane = new Float32Array(grid.rows * grid.cols);
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
    const scratch = new Float32Array(seriesPlane);
    for (let b = 0; b < count; b++) {
      this.activate(data, b * labels * plane, plane, labels);
      resampleSlice(this.plane, cols, this.rowTaps, this.colTaps, scratch, 0, identity);
      const out = this.values.subarray((firstSlice + b) * seriesPlane, (firstSlice + b + 1) * seriesPlane);
      for (let n = 0; n < seriesPlane; n++) {
        const q = Math.round(scratch[n] * 255);
        out[n] = q < 0 ? 0 : q > 255 ? 255 : q;
      }
    }
  }

  /** Fills this.plane with the finding channel's probability for one batch item starting at `base`. */
  private activate(data: Float32Array, base: number, plane: number, labels: number): void {
    const { activation, activationInGraph } = this.manifest.output;
    const channelBase = base + this.channel * plane;
    if (activationInGraph || activation === 'none') {
      this.plane.set(data.subarray(channelBase, channelBase + plane));
    } else if (activation === 'sigmoid') {
      for (let n = 0; n < plane; n++) this.plane[n] = 1 / (1 + Math.exp(-data[channelBase + n]));
    } else {
      for (let n = 0; n < plane; n++) {
        let max = -Infinity;
        for (let l = 0; l < labels; l++) max = Math.max(max, data[base + l * plane + n]);
        let sum = 0;
        for (let l = 0; l < labels; l++) sum += Math.exp(data[base + l * plane + n] - max);
        this.plane[n] = Math.exp(data[channelBase + n] - max) / sum;
      }
    }
  }
}

const identity = (value: number): number => value;
