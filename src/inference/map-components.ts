// Owns the 3D connected components of a stored probability map at a level: the flood fill that findings
// (findings-at-threshold.ts) and the model's second look at its candidates (second-look.ts) both walk, and
// the one component around a voxel that the seeded outline (src/segment/seeded-outline.ts) grows.
// Components use 26-connectivity in the voxel grid (faces, edges and corners touch), so a nodule sampled by
// thick slices is not broken into pieces along a diagonal.
//
// Why hand-written: a flood fill over a byte volume with a bit set for "visited" is short, and keeps memory at
// N/8 bytes beyond the map itself; no maintained JS library labels 3D components of a typed array.
import type { Vec3 } from '../dicom/volume.ts';

/**
 * A flood fill over the voxels whose value is ≥ `level`, remembering what it has visited: `flood(seed)` walks
 * the component of an unvisited seed at or above the level and hands back its voxels (linear indices, in
 * visiting order; the array is reused, so copy what is kept). The callers check `visited` and the level
 * themselves before calling, so a scan over the whole map pays no call per voxel.
 */
function floodFill(values: Uint8Array, size: Vec3, level: number) {
  const [cols, rows, slices] = size;
  const plane = cols * rows;
  const visited = new Uint8Array(Math.ceil(values.length / 8));
  // The 26 neighbours as index offsets, used without bounds checks away from the volume's faces.
  const offsets: number[] = [];
  for (let dk = -1; dk <= 1; dk++)
    for (let dj = -1; dj <= 1; dj++)
      for (let di = -1; di <= 1; di++) if (di || dj || dk) offsets.push(di + dj * cols + dk * plane);
  let queue = new Uint32Array(1024);

  const visit = (n: number, tail: number): number => {
    if (values[n] < level || visited[n >> 3] & (1 << (n & 7))) return tail;
    visited[n >> 3] |= 1 << (n & 7);
    if (tail === queue.length) {
      const grown = new Uint32Array(queue.length * 2);
      grown.set(queue);
      queue = grown;
    }
    queue[tail] = n;
    return tail + 1;
  };

  const flood = (seed: number): Uint32Array => {
    visited[seed >> 3] |= 1 << (seed & 7);
    queue[0] = seed;
    let head = 0;
    let tail = 1;
    while (head < tail) {
      const index = queue[head++];
      const k = (index / plane) | 0;
      const j = ((index - k * plane) / cols) | 0;
      const i = index - k * plane - j * cols;
      if (i > 0 && i < cols - 1 && j > 0 && j < rows - 1 && k > 0 && k < slices - 1) {
        if (tail + 26 > queue.length) {
          const grown = new Uint32Array(queue.length * 2);
          grown.set(queue);
          queue = grown;
        }
        for (let o = 0; o < 26; o++) {
          const n = index + offsets[o];
          if (values[n] < level || visited[n >> 3] & (1 << (n & 7))) continue;
          visited[n >> 3] |= 1 << (n & 7);
          queue[tail++] = n;
        }
        continue;
      }
      for (let dk = -1; dk <= 1; dk++) {
        const nk = k + dk;
        if (nk < 0 || nk >= slices) continue;
        for (let dj = -1; dj <= 1; dj++) {
          const nj = j + dj;
          if (nj < 0 || nj >= rows) continue;
          for (let di = -1; di <= 1; di++) {
            const ni = i + di;
            if (ni < 0 || ni >= cols || (di === 0 && dj === 0 && dk === 0)) continue;
            tail = visit(ni + nj * cols + nk * plane, tail);
          }
        }
      }
    }
    return queue.subarray(0, tail);
  };
  return { visited, flood };
}

/**
 * Calls `onComponent` with each component's voxels (linear indices, in visiting order; the array is reused,
 * so copy what is kept) of the voxels whose value is ≥ `level`, in the order of each one's first voxel.
 * `rowMax`, when given, holds the highest value of each row (j + k·rows): rows below the level are skipped.
 */
export function forEachComponent(
  values: Uint8Array,
  size: Vec3,
  level: number,
  rowMax: Uint8Array | undefined,
  onComponent: (component: Uint32Array) => void,
): void {
  const [cols, rows, slices] = size;
  if (rowMax && rowMax.length !== rows * slices) {
    throw new Error(`rowMax holds ${rowMax.length} rows but the series has ${rows * slices}`);
  }
  const { visited, flood } = floodFill(values, size, level);
  for (let row = 0; row < rows * slices; row++) {
    if (rowMax && rowMax[row] < level) continue;
    for (let seed = row * cols, rowEnd = seed + cols; seed < rowEnd; seed++) {
      if (values[seed] < level || visited[seed >> 3] & (1 << (seed & 7))) continue;
      onComponent(flood(seed));
    }
  }
}

/** The component (voxels ≥ `level`, 26-connected) holding voxel `seed`, in visiting order; empty below the level. */
export function componentFrom(values: Uint8Array, size: Vec3, level: number, seed: number): Uint32Array {
  if (values[seed] < level) return new Uint32Array(0);
  return floodFill(values, size, level).flood(seed).slice();
}
