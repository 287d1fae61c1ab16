// Makes a clean phantom look like a reconstructed CT: a small in-plane blur (the system's point-spread
// function) and correlated noise. Noise comes from one pre-smoothed Gaussian tile per study, read at a random
// offset per slice, because drawing ~50 million fresh Gaussians would dominate generation time.
import type { Random } from './random.ts';

export class NoiseTile {
  private readonly tile: Float32Array;
  private readonly size: number;

  constructor(
    random: Random,
    minimumSize: number,
    private readonly sigma: number,
  ) {
    let size = 64;
    while (size < minimumSize) size *= 2;
    this.size = size;
    const tile = new Float32Array(size * size);
    for (let n = 0; n < tile.length; n++) tile[n] = random.gaussian();
    // Two passes of a wrapping [1 2 1] blur give CT's fine-grained but correlated texture.
    const scratch = new Float32Array(tile.length);
    for (let pass = 0; pass < 2; pass++) blur121(tile, scratch, size, size, true);
    let sumSquares = 0;
    for (let n = 0; n < tile.length; n++) sumSquares += tile[n] * tile[n];
    const scale = 1 / Math.sqrt(sumSquares / tile.length);
    for (let n = 0; n < tile.length; n++) tile[n] *= scale;
    this.tile = tile;
  }

  /** Adds noise to one slice of `columns` × `rows` pixels at a per-slice random offset. */
  addTo(slice: Float32Array, columns: number, rows: number, random: Random): void {
    const mask = this.size - 1;
    const ox = random.int(0, mask);
    const oy = random.int(0, mask);
    const sigma = random.bool() ? this.sigma : -this.sigma;
    for (let j = 0; j < rows; j++) {
      const row = ((j + oy) & mask) * this.size;
      let index = j * columns;
      for (let i = 0; i < columns; i++, index++) slice[index] += this.tile[row + ((i + ox) & mask)] * sigma;
    }
  }
}

/** Separable [1 2 1]/4 blur in place; edges clamp, or wrap when `wrap` (for the tileable noise). */
export function blur121(
  data: Float32Array,
  scratch: Float32Array,
  columns: number,
  rows: number,
  wrap = false,
): void {
  // Edge pixels are handled apart so the inner loops, run per voxel of every study, carry no branches.
  const last = columns - 1;
  for (let j = 0; j < rows; j++) {
    const row = j * columns;
    for (let i = 1; i < last; i++) {
      scratch[row + i] = (data[row + i - 1] + 2 * data[row + i] + data[row + i + 1]) * 0.25;
    }
    const left = wrap ? data[row + last] : data[row];
    const right = wrap ? data[row] : data[row + last];
    scratch[row] = (left + 2 * data[row] + data[row + 1]) * 0.25;
    scratch[row + last] = (data[row + last - 1] + 2 * data[row + last] + right) * 0.25;
  }
  for (let j = 0; j < rows; j++) {
    const up = (j > 0 ? j - 1 : wrap ? rows - 1 : 0) * columns;
    const down = (j < rows - 1 ? j + 1 : wrap ? 0 : rows - 1) * columns;
    const row = j * columns;
    for (let i = 0; i < columns; i++)
      data[row + i] = (scratch[up + i] + 2 * scratch[row + i] + scratch[down + i]) * 0.25;
  }
}
