// Owns measuring a final (reader-corrected) mask: the store keeps the model's (or the first painting's)
// measurements with the finding, and a reader who erased or painted voxels changed its size, so the findings
// the reader is shown and the exported table would otherwise describe the proposal, not the label. Conventions
// match src/inference's on a binary map: volume = voxels × voxel volume, centre = mean voxel centre (LPS mm),
// diameter = maximum 3D Feret diameter of the voxels' outer faces (their corners).
import { voxelToPatient, type Vec3, type VolumeGeometry } from '../dicom/volume.ts';
import { feretDiameter } from '../inference/feret-diameter.ts';

export interface MaskMeasurements {
  volumeMm3: number;
  diameterMm: number;
  centreLps: Vec3;
}

/** Voxels that are first or last along some grid line through the mask: only they can be extreme. */
function edgeVoxels(voxels: Uint32Array, geometry: VolumeGeometry): Uint32Array {
  const [cols, rows] = geometry.size;
  const plane = cols * rows;
  // Per axis, per line: [lowest position, its voxel, highest position, its voxel].
  const lines = [0, 1, 2].map(() => new Map<number, [number, number, number, number]>());
  for (const index of voxels) {
    const k = Math.floor(index / plane);
    const j = Math.floor((index - k * plane) / cols);
    const i = index - k * plane - j * cols;
    const keys = [j + k * rows, i + k * cols, i + j * cols];
    const along = [i, j, k];
    for (let axis = 0; axis < 3; axis++) {
      const line = lines[axis].get(keys[axis]);
      const at = along[axis];
      if (!line) lines[axis].set(keys[axis], [at, index, at, index]);
      else if (at < line[0]) [line[0], line[1]] = [at, index];
      else if (at > line[2]) [line[2], line[3]] = [at, index];
    }
  }
  const keep = new Set<number>();
  for (const map of lines) for (const [, first, , last] of map.values()) keep.add(first).add(last);
  return Uint32Array.from(keep);
}

export function measureMask(voxels: Uint32Array, geometry: VolumeGeometry): MaskMeasurements | undefined {
  if (voxels.length === 0) return undefined;
  const [cols, rows] = geometry.size;
  const plane = cols * rows;
  const [si, sj, sk] = geometry.spacing;
  const centre: Vec3 = [0, 0, 0];
  for (const index of voxels) {
    const k = Math.floor(index / plane);
    const j = Math.floor((index - k * plane) / cols);
    const p = voxelToPatient(geometry, [index - k * plane - j * cols, j, k]);
    for (let c = 0; c < 3; c++) centre[c] += p[c];
  }
  const edges = edgeVoxels(voxels, geometry);
  const corners = new Float64Array(edges.length * 8 * 3);
  let n = 0;
  for (const index of edges) {
    const k = Math.floor(index / plane);
    const j = Math.floor((index - k * plane) / cols);
    const i = index - k * plane - j * cols;
    for (let corner = 0; corner < 8; corner++) {
      const p = voxelToPatient(geometry, [
        i + (corner & 1 ? 0.5 : -0.5),
        j + (corner & 2 ? 0.5 : -0.5),
        k + (corner & 4 ? 0.5 : -0.5),
      ]);
      corners.set(p, n);
      n += 3;
    }
  }
  return {
    volumeMm3: voxels.length * si * sj * sk,
    diameterMm: feretDiameter(corners),
    centreLps: centre.map((v) => v / voxels.length) as Vec3,
  };
}

/**
 * Where a finding is shown on one slice: its painted pixel nearest the slice's centroid, [column, row] (the
 * centroid itself may lie outside a crescent). The first pixel where several are as near.
 */
export function focusPixel(mask: Uint8Array, columns: number): [number, number] {
  let count = 0;
  let sumI = 0;
  let sumJ = 0;
  for (let n = 0; n < mask.length; n++) {
    if (!mask[n]) continue;
    count++;
    sumI += n % columns;
    sumJ += Math.floor(n / columns);
  }
  const [ci, cj] = [sumI / count, sumJ / count];
  let focus: [number, number] = [Math.round(ci), Math.round(cj)];
  let best = Infinity;
  for (let n = 0; n < mask.length; n++) {
    if (!mask[n]) continue;
    const i = n % columns;
    const j = (n - i) / columns;
    const distance = (i - ci) ** 2 + (j - cj) ** 2;
    if (distance < best) [best, focus] = [distance, [i, j]];
  }
  return focus;
}

/** Voxels per slice of a mask given as linear voxel indices of a grid `plane` voxels a slice, by k. */
export function sliceCounts(voxels: Uint32Array, plane: number): Map<number, number> {
  const counts = new Map<number, number>();
  for (const index of voxels) {
    const k = Math.floor(index / plane);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return counts;
}

/**
 * Where a mask spread over slices is shown: the slice holding most of its voxels (the lowest k among equals)
 * and its focusPixel there. `counts` as sliceCounts gives them, for a caller that has them already.
 */
export function fullestSliceFocus(
  voxels: Uint32Array,
  columns: number,
  rows: number,
  counts = sliceCounts(voxels, columns * rows),
): { slice: number; point: [number, number] } {
  const plane = columns * rows;
  let slice = -1;
  for (const [k, count] of counts) {
    const most = counts.get(slice) ?? 0;
    if (count > most || (count === most && k < slice)) slice = k;
  }
  const mask = new Uint8Array(plane);
  for (const index of voxels) if (Math.floor(index / plane) === slice) mask[index - slice * plane] = 1;
  return { slice, point: focusPixel(mask, columns) };
}
