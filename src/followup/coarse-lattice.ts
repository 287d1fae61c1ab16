// Owns the coarse picture registration compares: a series' values averaged into cubic cells of a lattice
// anchored at the origin of patient coordinates (LPS), so two series of the same patient — whatever their
// pixel spacing, slice gap, orientation or field of view — land on the same cells, and a shift by whole cells
// between them is a shift in millimetres. Values are clamped to air … dense bone so a metal clip or contrast
// bolus cannot outweigh the lungs, which are what lines two chest scans up.
import type { VolumeGeometry } from '../dicom/volume.ts';

export const CLAMP_LOW = -1000;
export const CLAMP_HIGH = 400;

export interface CoarseLattice {
  /** Edge of a cell (mm). */
  cell: number;
  /** Lattice index of the first cell on each axis: cell (a, b, c) spans [a·cell, (a + 1)·cell) in x, … */
  low: [number, number, number];
  size: [number, number, number];
  /** Mean clamped value per cell, i-fastest; 0 where the cell holds no sample. */
  value: Float32Array;
  /** Samples that fell in each cell. */
  weight: Float32Array;
  /** Cells holding at least one sample. */
  occupied: number;
}

function latticeBox(geometry: VolumeGeometry, cell: number): { low: number[]; size: number[] } {
  const { origin, spacing, direction, size } = geometry;
  const low = [Infinity, Infinity, Infinity];
  const high = [-Infinity, -Infinity, -Infinity];
  for (const corner of [0, 1, 2, 3, 4, 5, 6, 7]) {
    const ijk = [corner & 1, (corner >> 1) & 1, (corner >> 2) & 1].map((far, a) => far * (size[a] - 1));
    for (let c = 0; c < 3; c++) {
      let p = origin[c];
      for (let a = 0; a < 3; a++) p += direction[a][c] * ijk[a] * spacing[a];
      low[c] = Math.min(low[c], Math.floor(p / cell));
      high[c] = Math.max(high[c], Math.floor(p / cell));
    }
  }
  return { low, size: low.map((l, c) => high[c] - l + 1) };
}

/**
 * Averages slices (modality values, i-fastest; any subset of the series' slices, added as they are decoded so
 * a whole series never sits in memory) into a lattice of `cell` mm, sampling each slice every `cell / 2` mm or
 * finer in-plane.
 */
export class LatticeBuilder {
  private readonly box: { low: number[]; size: number[] };
  private readonly sum: Float32Array;
  private readonly weight: Float32Array;
  private readonly stride: number[];
  /** Along a row only the i term changes: its contribution to each coordinate, in cells, once per series. */
  private readonly along: Float64Array[];

  constructor(
    private readonly geometry: VolumeGeometry,
    readonly cell: number,
  ) {
    this.box = latticeBox(geometry, cell);
    const [nx, ny, nz] = this.box.size;
    this.sum = new Float32Array(nx * ny * nz);
    this.weight = new Float32Array(nx * ny * nz);
    const { spacing, direction } = geometry;
    this.stride = [0, 1].map((a) => Math.max(1, Math.floor(cell / 2 / spacing[a])));
    this.along = [0, 1, 2].map((c) => {
      const steps = new Float64Array(Math.ceil(geometry.size[0] / this.stride[0]));
      for (let n = 0; n < steps.length; n++)
        steps[n] = (direction[0][c] * n * this.stride[0] * spacing[0]) / cell;
      return steps;
    });
  }

  /** Slice k's values. */
  add(k: number, values: ArrayLike<number>): void {
    const { origin, spacing, direction } = this.geometry;
    const [columns, rows] = this.geometry.size;
    const [nx, ny] = this.box.size;
    const [lowX, lowY, lowZ] = this.box.low;
    const [alongX, alongY, alongZ] = this.along;
    const { sum, weight, cell } = this;
    const step = this.stride[0];
    // An axial-like stack (rows along x) keeps y and z fixed along each row: one cell row, indexed by x alone.
    const rowAlongX = direction[0][1] === 0 && direction[0][2] === 0;
    for (let j = 0; j < rows; j += this.stride[1]) {
      const [bx, by, bz] = [0, 1, 2].map(
        (c) => (origin[c] + direction[1][c] * j * spacing[1] + direction[2][c] * k * spacing[2]) / cell,
      );
      const row = j * columns;
      if (rowAlongX) {
        const start = nx * (Math.floor(by) - lowY + ny * (Math.floor(bz) - lowZ)) - lowX;
        for (let n = 0, i = 0; i < columns; n++, i += step) {
          const at = start + Math.floor(bx + alongX[n]);
          const v = values[row + i];
          sum[at] += v < CLAMP_LOW ? CLAMP_LOW : v > CLAMP_HIGH ? CLAMP_HIGH : v;
          weight[at]++;
        }
        continue;
      }
      for (let n = 0, i = 0; i < columns; n++, i += step) {
        const x = Math.floor(bx + alongX[n]) - lowX;
        const y = Math.floor(by + alongY[n]) - lowY;
        const z = Math.floor(bz + alongZ[n]) - lowZ;
        const at = x + nx * (y + ny * z);
        const v = values[row + i];
        sum[at] += v < CLAMP_LOW ? CLAMP_LOW : v > CLAMP_HIGH ? CLAMP_HIGH : v;
        weight[at]++;
      }
    }
  }

  /** The lattice of what was added (the builder is spent). */
  finish(): CoarseLattice {
    return {
      cell: this.cell,
      low: this.box.low as CoarseLattice['low'],
      size: this.box.size as CoarseLattice['size'],
      ...averaged(this.sum, this.weight),
    };
  }
}

/** The lattice of `slices` (k → values) in one call. */
export function coarseLattice(
  geometry: VolumeGeometry,
  slices: Map<number, ArrayLike<number>>,
  cell: number,
): CoarseLattice {
  const builder = new LatticeBuilder(geometry, cell);
  for (const [k, values] of slices) builder.add(k, values);
  return builder.finish();
}

/** Sums into means, and the count of cells sampled. */
function averaged(
  sum: Float32Array,
  weight: Float32Array,
): Pick<CoarseLattice, 'value' | 'weight' | 'occupied'> {
  let occupied = 0;
  for (let n = 0; n < sum.length; n++) {
    if (weight[n] === 0) continue;
    sum[n] /= weight[n];
    occupied++;
  }
  return { value: sum, weight, occupied };
}

/** The same picture with cells twice as large: each new cell the weighted mean of the 2 × 2 × 2 it covers. */
export function halveLattice(fine: CoarseLattice): CoarseLattice {
  const low = fine.low.map((l) => Math.floor(l / 2)) as CoarseLattice['low'];
  const high = fine.low.map((l, a) => Math.floor((l + fine.size[a] - 1) / 2));
  const size = low.map((l, a) => high[a] - l + 1) as CoarseLattice['size'];
  const [nx, ny] = size;
  const sum = new Float32Array(size[0] * size[1] * size[2]);
  const weight = new Float32Array(sum.length);
  const [fx, fy, fz] = fine.size;
  for (let z = 0; z < fz; z++) {
    const cz = Math.floor((z + fine.low[2]) / 2) - low[2];
    for (let y = 0; y < fy; y++) {
      const cy = Math.floor((y + fine.low[1]) / 2) - low[1];
      for (let x = 0; x < fx; x++) {
        const from = x + fx * (y + fy * z);
        const w = fine.weight[from];
        if (w === 0) continue;
        const at = Math.floor((x + fine.low[0]) / 2) - low[0] + nx * (cy + ny * cz);
        sum[at] += fine.value[from] * w;
        weight[at] += w;
      }
    }
  }
  return { cell: fine.cell * 2, low, size, ...averaged(sum, weight) };
}
