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
// The components themselves come from map-components.ts.
import { voxelToPatient, type Vec3, type VolumeGeometry } from '../dicom/volume.ts';
import { feretDiameter } from './feret-diameter.ts';
import { surfacePoints } from './component-surface.ts';
import { forEachComponent } from './map-components.ts';

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

/**
 * `rowMax`, when given, holds the highest value of each row (j + k·rows; ProbabilityWriter.rowMax): rows whose
 * highest value is below the threshold cannot start a finding and are not scanned for one — on a 300 × 512²
 * map of mostly background that is the difference between 0.1 s and a few ms.
 */
export function findingsAtThreshold(
  values: Uint8Array,
  geometry: VolumeGeometry,
  threshold: number,
  minSize: MinFindingSize = {},
  rowMax?: Uint8Array,
): Finding[] {
  const [cols, rows, slices] = geometry.size;
  const plane = cols * rows;
  if (values.length !== plane * slices) {
    throw new Error(
      `probability map holds ${values.length} values but the series has ${plane * slices} voxels`,
    );
  }
  const level = thresholdLevel(threshold);
  const findings: Omit<Finding, 'id'>[] = [];
  forEachComponent(values, geometry.size, level, rowMax, (component) => {
    const finding = measure(values, geometry, component, threshold * 255);
    if (minSize.volumeMm3 !== undefined && finding.volumeMm3 < minSize.volumeMm3) return;
    if (minSize.diameterMm !== undefined && finding.diameterMm < minSize.diameterMm) return;
    findings.push(finding);
  });
  // Most probable first; among equal scores (a saturated map gives many findings p = 1) the largest, as the
  // worklist ranks series whose scores read alike — then by the first voxel in the series' own slice order, so
  // the order is the same every run.
  findings.sort((a, b) => b.score - a.score || b.volumeMm3 - a.volumeMm3 || a.voxels[0] - b.voxels[0]);
  return findings.map((finding, n) => ({ id: n + 1, ...finding }));
}

function measure(
  values: Uint8Array,
  geometry: VolumeGeometry,
  component: Uint32Array,
  cut: number,
): Omit<Finding, 'id'> {
  const [cols, rows] = geometry.size;
  const plane = cols * rows;
  let [minI, minJ, minK] = [Infinity, Infinity, Infinity];
  let [maxI, maxJ, maxK] = [-Infinity, -Infinity, -Infinity];
  let weight = 0;
  let sumI = 0;
  let sumJ = 0;
  let sumK = 0;
  let peak = component[0];
  for (let n = 0; n < component.length; n++) {
    const index = component[n];
    const k = (index / plane) | 0;
    const j = ((index - k * plane) / cols) | 0;
    const i = index - k * plane - j * cols;
    const p = values[index] / 255;
    weight += p;
    sumI += p * i;
    sumJ += p * j;
    sumK += p * k;
    if (values[index] > values[peak]) peak = index;
    if (i < minI) minI = i;
    if (i > maxI) maxI = i;
    if (j < minJ) minJ = j;
    if (j > maxJ) maxJ = j;
    if (k < minK) minK = k;
    if (k > maxK) maxK = k;
  }
  const min: Vec3 = [minI, minJ, minK];
  const max: Vec3 = [maxI, maxJ, maxK];
  const voxels = sortedVoxels(component, cols, plane, min, max);
  const [sx, sy, sz] = geometry.spacing;
  const centre: Vec3 = [sumI / weight, sumJ / weight, sumK / weight];
  // Where the reader is taken: the most probable voxel. A saturated map (the default model's often are) holds
  // its highest value over the whole core, and the first of those lies on the finding's top slice, at its rim;
  // among equals, the one nearest the centre shows the finding through its middle.
  peak = nearestAtValue(values, component, values[peak], centre, cols, plane, geometry.spacing);
  const peakK = (peak / plane) | 0;
  const peakJ = ((peak - peakK * plane) / cols) | 0;
  return {
    score: values[peak] / 255,
    volumeMm3: voxels.length * sx * sy * sz,
    diameterMm: feretDiameter(surfacePoints(values, geometry, voxels, min, max, cut)),
    centerMm: voxelToPatient(geometry, centre),
    boundingBox: { min, max },
    sliceRange: [minK, maxK],
    focusSlice: peakK,
    focusPoint: [peak - peakK * plane - peakJ * cols, peakJ],
    voxels,
  };
}

/** Of the component's voxels holding `value`, the one nearest `centre` (voxel indices; distance in mm). */
function nearestAtValue(
  values: Uint8Array,
  component: Uint32Array,
  value: number,
  centre: Vec3,
  cols: number,
  plane: number,
  [sx, sy, sz]: Vec3,
): number {
  let best = -1;
  let bestDistance = Infinity;
  for (let n = 0; n < component.length; n++) {
    const index = component[n];
    if (values[index] !== value) continue;
    const k = (index / plane) | 0;
    const j = ((index - k * plane) / cols) | 0;
    const i = index - k * plane - j * cols;
    const distance = ((i - centre[0]) * sx) ** 2 + ((j - centre[1]) * sy) ** 2 + ((k - centre[2]) * sz) ** 2;
    if (distance < bestDistance) {
      bestDistance = distance;
      best = index;
    }
  }
  return best;
}

/** The component's voxels in ascending index order: marked in a bit set over its bounding box, then swept. */
function sortedVoxels(
  component: Uint32Array,
  cols: number,
  plane: number,
  min: Vec3,
  max: Vec3,
): Uint32Array {
  const boxCols = max[0] - min[0] + 1;
  const boxRows = max[1] - min[1] + 1;
  const boxPlane = boxCols * boxRows;
  const marks = new Uint8Array(Math.ceil((boxPlane * (max[2] - min[2] + 1)) / 8));
  for (let n = 0; n < component.length; n++) {
    const index = component[n];
    const k = (index / plane) | 0;
    const j = ((index - k * plane) / cols) | 0;
    const b = index - k * plane - j * cols - min[0] + (j - min[1]) * boxCols + (k - min[2]) * boxPlane;
    marks[b >> 3] |= 1 << (b & 7);
  }
  const out = new Uint32Array(component.length);
  let count = 0;
  for (let k = min[2]; k <= max[2]; k++)
    for (let j = min[1]; j <= max[1]; j++) {
      const rowBase = (j - min[1]) * boxCols + (k - min[2]) * boxPlane;
      const indexBase = j * cols + k * plane;
      for (let i = 0; i < boxCols; i++) {
        const b = rowBase + i;
        if (marks[b >> 3] & (1 << (b & 7))) out[count++] = indexBase + min[0] + i;
      }
    }
  return out;
}

/**
 * Series score, what the worklist ranks by: the model's highest probability anywhere in the series, at full
 * precision when the run reports it (`peak`) — the stored map holds bytes, in which a nodule-free series whose
 * brightest false positive reaches 0.998 ties with every series holding a nodule at 1.0 (v1.2.0's study AUC
 * was 0.50 on bytes, 0.91 on full precision). From the bytes alone: the best finding's score, or the highest
 * value anywhere when there is no finding.
 */
export function seriesScore(values: Uint8Array, findings: readonly Finding[], peak?: number): number {
  if (peak !== undefined && Number.isFinite(peak)) return Math.min(1, Math.max(0, peak));
  if (findings.length > 0) return Math.max(...findings.map((f) => f.score));
  let max = 0;
  for (let n = 0; n < values.length; n++) if (values[n] > max) max = values[n];
  return max / 255;
}
