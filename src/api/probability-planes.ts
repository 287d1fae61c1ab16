// Owns the model's probability map cut along an image row or column through every slice: the heat map the
// viewer's coronal and sagittal planes draw (`V` with `P`). The map is stored deflated slice by slice, and a
// cut needs every slice, so a run's map is read once and kept sparse — only the image rows holding a value
// above zero, a few hundred kB for a map that is mostly background (a 300 × 512² map is 75 MiB dense, the
// worst case) — for the last two runs asked about (the series on screen and the one before). A run's map never
// changes (a new run gets a new id), so nothing goes stale; a run without a map is not remembered.

export type PlaneAxis = 'row' | 'column';

export interface MapGeometry {
  rows: number;
  columns: number;
  slices: number;
}

/** One slice's rows above zero, by row index. */
type SparseSlice = Map<number, Uint8Array>;

export class ProbabilityPlanes {
  private readonly maps = new Map<number, SparseSlice[]>();

  /** `read` returns slice k of run `runId`'s map (rows × columns bytes), undefined when there is none. */
  constructor(
    private readonly read: (runId: number, k: number) => Uint8Array | undefined,
    private readonly keep = 2,
  ) {}

  /**
   * The map through image row (axis 'row', a coronal plane of an axial series) or column ('column', sagittal)
   * `first`…`last`, the highest value over them (a MIP through the planes' slab), slice by slice: slices ×
   * width bytes, width being the columns (axis 'row') or the rows. Undefined when the run kept no map.
   */
  cut(
    runId: number,
    geometry: MapGeometry,
    axis: PlaneAxis,
    first: number,
    last: number,
  ): Uint8Array | undefined {
    const map = this.sparse(runId, geometry);
    if (!map) return undefined;
    const width = axis === 'row' ? geometry.columns : geometry.rows;
    const out = new Uint8Array(geometry.slices * width);
    map.forEach((slice, k) => {
      const target = out.subarray(k * width, (k + 1) * width);
      if (axis === 'row') {
        for (let j = first; j <= last; j++) {
          const row = slice.get(j);
          if (row) for (let i = 0; i < width; i++) if (row[i]! > target[i]!) target[i] = row[i]!;
        }
      } else {
        for (const [j, row] of slice) {
          for (let i = first; i <= last; i++) if (row[i]! > target[j]!) target[j] = row[i]!;
        }
      }
    });
    return out;
  }

  private sparse(runId: number, geometry: MapGeometry): SparseSlice[] | undefined {
    const held = this.maps.get(runId);
    if (held) {
      this.maps.delete(runId); // most recently used last
      this.maps.set(runId, held);
      return held;
    }
    const { rows, columns, slices } = geometry;
    const map: SparseSlice[] = [];
    for (let k = 0; k < slices; k++) {
      const values = this.read(runId, k);
      if (!values) return undefined;
      const slice: SparseSlice = new Map();
      for (let j = 0; j < rows; j++) {
        const row = values.subarray(j * columns, (j + 1) * columns);
        if (row.some((v) => v > 0)) slice.set(j, row.slice());
      }
      map.push(slice);
    }
    this.maps.set(runId, map);
    while (this.maps.size > this.keep) this.maps.delete(this.maps.keys().next().value!);
    return map;
  }
}
