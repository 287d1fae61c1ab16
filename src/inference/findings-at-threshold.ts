// Owns findings from a stored probability map: threshold, 3D connected components, and each component's
// measurements. Runs without the model, so a reader can move the threshold and see findings change at once.
//
// Conventions (documented for the README):
// - A voxel belongs to a finding when its stored probability (value / 255) is ≥ the threshold.
// - Components use 26-connectivity in the voxel grid (faces, edges and corners touch), so a nodule sampled by
//   thick slices is not broken into pieces along a diagonal.
// - score: the highest probability in the component. volumeMm3: voxel count × voxel volume.
// - centerMm: the probability-weighted centroid of the component's voxel centres, in patient LPS mm.
// - diameterMm: the maximum 3D Feret (caliper) diameter of the component's surface, the surface placed
//   between each edge voxel and its outside neighbour where the interpolated probability meets the threshold
//   (a binary map puts it on the voxel face). Not the in-plane RECIST diameter.
// - Findings are ranked by score (highest first) and numbered 1, 2, … in that order.
//
// Why hand-written: a flood fill over a byte volume with a bit set for "visited" is short, and keeps memory at
// N/8 bytes beyond the map itself; no maintained JS library labels 3D components in physical space.
import { voxelToPatient, type Vec3, type VolumeGeometry } from '../dicom/volume.ts';
import { feretDiameter } from './feret-diameter.ts';

export interface MinFindingSize {
  diameterMm?: number;
  volumeMm3?: number;
}

export interface Finding {
  /** 1-based rank by score within its series. */
  id: number;
  score: number;
  volumeMm3: number;
  diameterMm: number;
  centerMm: Vec3;
  /** Inclusive voxel index bounds (i, j, k). */
  boundingBox: { min: Vec3; max: Vec3 };
  /** First and last slice index (k). */
  sliceRange: [number, number];
  /** Slice and (i, j) of the voxel with the highest probability, to centre the view on. */
  focusSlice: number;
  focusPoint: [number, number];
  /** The component's voxels as ascending linear indices (i + j·cols + k·cols·rows): a sparse mask. */
  voxels: Uint32Array;
}

/** The smallest stored value (0–255) that counts as at or above `threshold`. */
export function thresholdLevel(threshold: number): number {
  if (!(threshold > 0 && threshold <= 1)) {
    throw new Error(`threshold ${threshold} is outside (0, 1] — give a probability such as 0.5`);
  }
  return Math.max(1, Math.ceil(threshold * 255 - 1e-6));
}

export function findingsAtThreshold(
  values: Uint8Array,
  geometry: VolumeGeometry,
  threshold: number,
  minSize: MinFindingSize = {},
): Finding[] {
  const [cols, rows, slices] = geometry.size;
  const plane = cols * rows;
  if (values.length !== plane * slices) {
    throw new Error(
      `probability map holds ${values.length} values but the series has ${plane * slices} voxels`,
    );
  }
  const level = thresholdLevel(threshold);
  const visited = new Uint8Array(Math.ceil(values.length / 8));
  let queue = new Uint32Array(1024);
  const findings: Omit<Finding, 'id'>[] = [];

  for (let seed = 0; seed < values.length; seed++) {
    if (values[seed] < level || visited[seed >> 3] & (1 << (seed & 7))) continue;
    visited[seed >> 3] |= 1 << (seed & 7);
    queue[0] = seed;
    let head = 0;
    let tail = 1;
    while (head < tail) {
      const index = queue[head++];
      const k = Math.floor(index / plane);
      const j = Math.floor((index - k * plane) / cols);
      const i = index - k * plane - j * cols;
      for (let dk = -1; dk <= 1; dk++) {
        const nk = k + dk;
        if (nk < 0 || nk >= slices) continue;
        for (let dj = -1; dj <= 1; dj++) {
          const nj = j + dj;
          if (nj < 0 || nj >= rows) continue;
          for (let di = -1; di <= 1; di++) {
            const ni = i + di;
            if (ni < 0 || ni >= cols) continue;
            const n = ni + nj * cols + nk * plane;
            if (values[n] < level || visited[n >> 3] & (1 << (n & 7))) continue;
            visited[n >> 3] |= 1 << (n & 7);
            if (tail === queue.length) {
              const grown = new Uint32Array(queue.length * 2);
              grown.set(queue);
              queue = grown;
            }
            queue[tail++] = n;
          }
        }
      }
    }
    const finding = measure(values, geometry, queue.slice(0, tail), threshold * 255);
    if (minSize.volumeMm3 !== undefined && finding.volumeMm3 < minSize.volumeMm3) continue;
    if (minSize.diameterMm !== undefined && finding.diameterMm < minSize.diameterMm) continue;
    findings.push(finding);
  }
  findings.sort((a, b) => b.score - a.score || a.voxels[0] - b.voxels[0]);
  return findings.map((finding, n) => ({ id: n + 1, ...finding }));
}

function measure(
  values: Uint8Array,
  geometry: VolumeGeometry,
  voxels: Uint32Array,
  cut: number,
): Omit<Finding, 'id'> {
  const [cols, rows] = geometry.size;
  const plane = cols * rows;
  voxels.sort();
  const min: Vec3 = [Infinity, Infinity, Infinity];
  const max: Vec3 = [-Infinity, -Infinity, -Infinity];
  let weight = 0;
  const weighted: Vec3 = [0, 0, 0];
  let peak = voxels[0];
  for (const index of voxels) {
    const k = Math.floor(index / plane);
    const j = Math.floor((index - k * plane) / cols);
    const i = index - k * plane - j * cols;
    const p = values[index] / 255;
    weight += p;
    weighted[0] += p * i;
    weighted[1] += p * j;
    weighted[2] += p * k;
    if (values[index] > values[peak]) peak = index;
    const ijk = [i, j, k];
    for (let a = 0; a < 3; a++) {
      if (ijk[a] < min[a]) min[a] = ijk[a];
      if (ijk[a] > max[a]) max[a] = ijk[a];
    }
  }
  const [sx, sy, sz] = geometry.spacing;
  const centroid: Vec3 = [weighted[0] / weight, weighted[1] / weight, weighted[2] / weight];
  const peakK = Math.floor(peak / plane);
  const peakJ = Math.floor((peak - peakK * plane) / cols);
  return {
    score: values[peak] / 255,
    volumeMm3: voxels.length * sx * sy * sz,
    diameterMm: feretDiameter(surfacePoints(values, geometry, voxels, min, max, cut)),
    centerMm: voxelToPatient(geometry, centroid),
    boundingBox: { min, max },
    sliceRange: [min[2], max[2]],
    focusSlice: peakK,
    focusPoint: [peak - peakK * plane - peakJ * cols, peakJ],
    voxels,
  };
}

/**
 * Sub-voxel surface points of a component: along every grid line (in i, j and k) that crosses it, the first
 * and last member voxel moved outwards to where the probability, linearly interpolated towards the outside
 * neighbour, falls to the threshold (half a voxel at the volume's border). Only such points can be extreme
 * in any direction, so the Feret diameter of these points is the component's longest diameter.
 */
function surfacePoints(
  values: Uint8Array,
  geometry: VolumeGeometry,
  voxels: Uint32Array,
  min: Vec3,
  max: Vec3,
  cut: number,
): Float64Array {
  const [cols, rows] = geometry.size;
  const strides: Vec3 = [1, cols, cols * rows];
  const points: number[] = [];
  for (let axis = 0; axis < 3; axis++) {
    // The other two axes index the lines along `axis` inside the bounding box.
    const [a, b] = axis === 0 ? [1, 2] : axis === 1 ? [0, 2] : [0, 1];
    const spanA = max[a] - min[a] + 1;
    const lines = spanA * (max[b] - min[b] + 1);
    const first = new Int32Array(lines).fill(-1);
    const last = new Int32Array(lines).fill(-1);
    const firstIndex = new Uint32Array(lines);
    const lastIndex = new Uint32Array(lines);
    for (const index of voxels) {
      const ijk = unravel(index, cols, rows);
      const line = ijk[a] - min[a] + (ijk[b] - min[b]) * spanA;
      const at = ijk[axis];
      if (first[line] < 0 || at < first[line]) [first[line], firstIndex[line]] = [at, index];
      if (at > last[line]) [last[line], lastIndex[line]] = [at, index];
    }
    for (let line = 0; line < lines; line++) {
      if (first[line] < 0) continue;
      for (const [at, index, step] of [
        [first[line], firstIndex[line], -1],
        [last[line], lastIndex[line], 1],
      ]) {
        const ijk = unravel(index, cols, rows);
        const neighbour = at + step;
        let offset = 0.5;
        if (neighbour >= 0 && neighbour < geometry.size[axis]) {
          const inside = values[index];
          const outside = values[index + step * strides[axis]];
          offset = inside > outside ? Math.min(1, Math.max(0, (inside - cut) / (inside - outside))) : 0;
        }
        ijk[axis] += step * offset;
        points.push(...voxelToPatient(geometry, ijk));
      }
    }
  }
  return Float64Array.from(points);
}

function unravel(index: number, cols: number, rows: number): Vec3 {
  const plane = cols * rows;
  const k = Math.floor(index / plane);
  const j = Math.floor((index - k * plane) / cols);
  return [index - k * plane - j * cols, j, k];
}

/** Series score: the best finding's score, or the highest probability anywhere when there is no finding. */
export function seriesScore(values: Uint8Array, findings: readonly Finding[]): number {
  if (findings.length > 0) return Math.max(...findings.map((f) => f.score));
  let max = 0;
  for (let n = 0; n < values.length; n++) if (values[n] > max) max = values[n];
  return max / 255;
}
