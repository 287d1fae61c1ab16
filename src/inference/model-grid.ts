// Owns the in-plane mapping between a series' pixel grid and the model's input grid: how many model pixels,
// where the resampled field of view sits inside the (padded or cropped) network input, and the bilinear
// sampling tables both directions use. Pre- and post-processing share this one mapping so a probability
// lands back on exactly the pixel it was computed for.
import type { ModelManifest } from './model-manifest.ts';

export interface ModelGrid {
  /** Network input size (rows, cols), padding included. */
  rows: number;
  cols: number;
  /** Size of the resampled field of view inside the input. */
  innerRows: number;
  innerCols: number;
  /** Model pixel of the field of view's first pixel (negative when the input crops it). */
  offsetRow: number;
  offsetCol: number;
  /** Series pixels per model pixel along cols (i) and rows (j). */
  scaleCol: number;
  scaleRow: number;
}

function roundUp(n: number, multiple: number): number {
  return Math.ceil(n / multiple) * multiple;
}

/**
 * Model grid for a series slice of `cols` × `rows` pixels spaced `spacingCol` × `spacingRow` mm.
 * pixelSpacingMm alone: resample to that spacing, pad at the end to sizeMultiple. size alone: the whole field
 * of view resampled to size. Both: resample to the spacing, then centre-pad or centre-crop to size.
 */
export function modelGrid(
  input: ModelManifest['input'],
  cols: number,
  rows: number,
  spacingCol: number,
  spacingRow: number,
): ModelGrid {
  let innerCols: number;
  let innerRows: number;
  if (input.pixelSpacingMm !== undefined) {
    innerCols = Math.max(1, Math.round((cols * spacingCol) / input.pixelSpacingMm));
    innerRows = Math.max(1, Math.round((rows * spacingRow) / input.pixelSpacingMm));
  } else {
    // The schema guarantees size when pixelSpacingMm is absent.
    const size = input.size as [number, number];
    innerRows = size[0];
    innerCols = size[1];
  }
  let outRows = roundUp(innerRows, input.sizeMultiple);
  let outCols = roundUp(innerCols, input.sizeMultiple);
  let offsetRow = 0;
  let offsetCol = 0;
  if (input.size !== undefined) {
    [outRows, outCols] = input.size;
    offsetRow = Math.floor((outRows - innerRows) / 2);
    offsetCol = Math.floor((outCols - innerCols) / 2);
  }
  return {
    rows: outRows,
    cols: outCols,
    innerRows,
    innerCols,
    offsetRow,
    offsetCol,
    scaleCol: cols / innerCols,
    scaleRow: rows / innerRows,
  };
}

/** Bilinear taps along one axis: for output position n, value = (1 - w[n]) * src[lo[n]] + w[n] * src[hi[n]]. */
export interface AxisTaps {
  lo: Int32Array;
  hi: Int32Array;
  weight: Float32Array;
  /** 0 where the output position falls outside the source's extent (cropped or padded), else 1. */
  inside: Uint8Array;
  /** Every position reads exactly source sample n (same spacing, no offset): a plain copy. */
  identity: boolean;
}

/**
 * Taps for `outCount` positions whose continuous source coordinate is `(n - offset + 0.5) * scale - 0.5`
 * (pixel centres aligned so both grids span the same field of view). Only source samples `first`…`last` hold
 * data: positions whose centre lies outside [first - 0.5, last + 0.5] are marked outside, the rest clamp to it.
 */
export function axisTaps(
  outCount: number,
  scale: number,
  offset: number,
  first: number,
  last: number,
): AxisTaps {
  const lo = new Int32Array(outCount);
  const hi = new Int32Array(outCount);
  const weight = new Float32Array(outCount);
  const inside = new Uint8Array(outCount);
  for (let n = 0; n < outCount; n++) {
    const x = (n - offset + 0.5) * scale - 0.5;
    inside[n] = x >= first - 0.5 - 1e-9 && x <= last + 0.5 + 1e-9 ? 1 : 0;
    const clamped = Math.min(Math.max(x, first), last);
    const floor = Math.floor(clamped);
    lo[n] = floor;
    hi[n] = Math.min(floor + 1, last);
    weight[n] = clamped - floor;
  }
  let identity = true;
  for (let n = 0; n < outCount && identity; n++) {
    identity = inside[n] === 1 && lo[n] === n && weight[n] < 1e-6;
  }
  return { lo, hi, weight, inside, identity };
}

/** Taps from a series axis of `sourceCount` pixels to the model input axis (pre-processing). */
export function toModelTaps(grid: ModelGrid, axis: 'row' | 'col', sourceCount: number): AxisTaps {
  return axis === 'col'
    ? axisTaps(grid.cols, grid.scaleCol, grid.offsetCol, 0, sourceCount - 1)
    : axisTaps(grid.rows, grid.scaleRow, grid.offsetRow, 0, sourceCount - 1);
}

/**
 * Taps from the model output axis back to a series axis of `seriesCount` pixels (post-processing): the
 * inverse mapping, reading only the model pixels that hold the field of view (not padding).
 */
export function fromModelTaps(grid: ModelGrid, axis: 'row' | 'col', seriesCount: number): AxisTaps {
  const [count, inner, offset, scale] =
    axis === 'col'
      ? [grid.cols, grid.innerCols, grid.offsetCol, grid.scaleCol]
      : [grid.rows, grid.innerRows, grid.offsetRow, grid.scaleRow];
  const first = Math.max(0, offset);
  const last = Math.min(count, offset + inner) - 1;
  return axisTaps(seriesCount, 1 / scale, -offset * scale, first, last);
}

/**
 * Bilinear resampling of one slice (row-major, `srcCols` wide) through precomputed taps into `out`
 * (`colTaps.lo.length` wide). Positions outside the source get `fill`; `map` transforms each sampled value
 * (intensity normalisation happens here, in the same pass).
 */
export function resampleSlice(
  src: ArrayLike<number>,
  srcCols: number,
  rowTaps: AxisTaps,
  colTaps: AxisTaps,
  out: Float32Array,
  fill: number,
  map: (value: number) => number,
): void {
  const outRows = rowTaps.lo.length;
  const outCols = colTaps.lo.length;
  for (let v = 0; v < outRows; v++) {
    const rowOffset = v * outCols;
    if (!rowTaps.inside[v]) {
      out.fill(fill, rowOffset, rowOffset + outCols);
      continue;
    }
    const top = rowTaps.lo[v] * srcCols;
    const bottom = rowTaps.hi[v] * srcCols;
    const wy = rowTaps.weight[v];
    if (colTaps.identity && wy < 1e-6) {
      // Same spacing, no offset: the common case of a model trained at the series' own resolution.
      for (let u = 0; u < outCols; u++) out[rowOffset + u] = map(src[top + u]);
      continue;
    }
    for (let u = 0; u < outCols; u++) {
      if (!colTaps.inside[u]) {
        out[rowOffset + u] = fill;
        continue;
      }
      const left = colTaps.lo[u];
      const right = colTaps.hi[u];
      const wx = colTaps.weight[u];
      const upper = src[top + left] + (src[top + right] - src[top + left]) * wx;
      const lower = src[bottom + left] + (src[bottom + right] - src[bottom + left]) * wx;
      out[rowOffset + u] = map(upper + (lower - upper) * wy);
    }
  }
}
