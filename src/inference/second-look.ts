// Owns the model's second look at its own candidates (a manifest's optional `secondLook`): each connected region
// of the probability map at p ≥ its candidate threshold is measured — from the map: size, extent, shape, how
// much of it is confident; from the image: its modality values (HU) and its surround's — and scored by the small
// classifier the training recipe fitted on the candidates of studies the network never trained on
// (models/train/candidate_features.py measures the same way, and a test holds the two to the same figures). The
// region's probabilities are then scaled so that its peak is that score, so everything downstream — findings at
// the reader's threshold, the series score, the heat map, calibration — ranks by the second look without
// knowing it exists. A vessel the network saw as a blob on one slice (p ≈ 1, a flat disc) fades; a round
// nodule over several slices keeps its peak.
import type { VolumeGeometry } from '../dicom/volume.ts';
import type { ModelManifest } from './model-manifest.ts';
import { thresholdLevel } from './findings-at-threshold.ts';
import { forEachComponent } from './map-components.ts';

/** The measurements of the map a second look may use, as candidate_features.py's SHAPE_NAMES names them. */
const MAP_FEATURES = [
  'peak',
  'mean_p',
  'frac_p05',
  'log_vol_mm3',
  'log_vol05_mm3',
  'extent_z_mm',
  'extent_xy_mm',
  'axis1_mm',
  'axis2_mm',
  'axis3_mm',
  'elongation',
  'flatness',
  'slices05',
  'z_fraction',
  'peak_fill',
] as const;

/**
 * The image's: the candidate's modality values (mean, highest, spread), its surround's mean (`hu_ring`) and the
 * difference (`contrast`) — a nodule is solid tissue in air; a vessel seen end-on is as dense, but a fold of
 * the pleura or a blurred edge is not.
 */
export const IMAGE_FEATURES = ['hu_mean', 'hu_max', 'hu_std', 'hu_ring', 'contrast'] as const;

export const SECOND_LOOK_FEATURES = [...MAP_FEATURES, ...IMAGE_FEATURES] as const;

/**
 * A candidate's surround: the voxels within this distance of it in its own slices' planes (a square, so 5 × 5
 * pixels on the recipe's 1.5 mm grid) that are below the candidate threshold.
 */
export const RING_MM = 3;

/** The image a second look reads beside the map, on the map's grid. */
export interface SecondLookImage {
  /** Modality values (HU for CT), as the volume holds them. */
  voxels: ArrayLike<number>;
  /** What the model sees of them — its window, or its z-score's clip; values beyond are clamped to it. */
  clamp: [number, number];
}

export type SecondLookFeature = (typeof SECOND_LOOK_FEATURES)[number];

export interface SecondLookLayer {
  /** out × in */
  weights: number[][];
  bias: number[];
  activation: 'tanh' | 'linear';
}

export interface SecondLook {
  /** Candidates are the map's regions at p ≥ this. */
  candidateThreshold: number;
  features: SecondLookFeature[];
  /** Each feature is standardised as (x − mean) / std before the first layer. */
  mean: number[];
  std: number[];
  /** Dense layers; the last has one output, whose sigmoid is the candidate's score. */
  layers: SecondLookLayer[];
}

/** What measuring the image takes beside the map: the image, and which voxels belong to any candidate. */
export interface ImageContext {
  image: SecondLookImage;
  isCandidate: (index: number) => boolean;
}

/**
 * One candidate's measurements (voxels: linear indices i + j·cols + k·cols·rows); the image's are NaN without
 * an image.
 */
export function candidateFeatures(
  values: Uint8Array,
  geometry: VolumeGeometry,
  voxels: ArrayLike<number>,
  context?: ImageContext,
): Record<SecondLookFeature, number> {
  const [cols, rows, slices] = geometry.size;
  const plane = cols * rows;
  // candidate_features.py orders the voxel size (slice, row, column); here i is the column, j the row.
  const [sx, sy, sz] = geometry.spacing;
  const n = voxels.length;
  let peakByte = 0;
  let sumP = 0;
  let above = 0;
  let sumK = 0;
  const mean = [0, 0, 0];
  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  const slicesAbove = new Set<number>();
  const points = new Float64Array(n * 3);
  for (let v = 0; v < n; v++) {
    const index = voxels[v]!;
    const k = (index / plane) | 0;
    const j = ((index - k * plane) / cols) | 0;
    const i = index - k * plane - j * cols;
    const byte = values[index]!;
    const p = byte / 255;
    if (byte > peakByte) peakByte = byte;
    sumP += p;
    if (p >= 0.5) {
      above++;
      slicesAbove.add(k);
    }
    sumK += k;
    const at = [k * sz, j * sy, i * sx];
    for (let a = 0; a < 3; a++) {
      points[v * 3 + a] = at[a]!;
      mean[a]! += at[a]! / n;
    }
    for (const [a, x] of [k, j, i].entries()) {
      if (x < min[a]!) min[a] = x;
      if (x > max[a]!) max[a] = x;
    }
  }
  let nearPeak = 0;
  for (let v = 0; v < n; v++) if (values[voxels[v]!]! / 255 >= 0.9 * (peakByte / 255)) nearPeak++; // as numpy: p >= 0.9 * peak
  const cov = [0, 0, 0, 0, 0, 0]; // xx, yy, zz, xy, xz, yz, over n − 1 as numpy's cov
  for (let v = 0; v < n; v++) {
    const d0 = points[v * 3]! - mean[0]!;
    const d1 = points[v * 3 + 1]! - mean[1]!;
    const d2 = points[v * 3 + 2]! - mean[2]!;
    cov[0]! += d0 * d0;
    cov[1]! += d1 * d1;
    cov[2]! += d2 * d2;
    cov[3]! += d0 * d1;
    cov[4]! += d0 * d2;
    cov[5]! += d1 * d2;
  }
  const eig = n > 1 ? symmetricEigenvalues(cov.map((c) => c / (n - 1))) : [0, 0, 0];
  const floor = Math.min(sx, sy, sz) / Math.sqrt(12); // the spread of one voxel, so a flat disc is not 0 thick
  const [axis1, axis2, axis3] = eig.map((e) => Math.sqrt(Math.max(0, e)) + floor) as [number, number, number];
  const voxelVolume = sx * sy * sz;
  return {
    ...(context ? imageFeatures(context, geometry, voxels) : NO_IMAGE),
    peak: peakByte / 255,
    mean_p: sumP / n,
    frac_p05: above / n,
    log_vol_mm3: Math.log1p(n * voxelVolume),
    log_vol05_mm3: Math.log1p(above * voxelVolume),
    extent_z_mm: (max[0]! - min[0]! + 1) * sz,
    extent_xy_mm: Math.max((max[1]! - min[1]! + 1) * sy, (max[2]! - min[2]! + 1) * sx),
    axis1_mm: axis1,
    axis2_mm: axis2,
    axis3_mm: axis3,
    elongation: axis1 / axis3,
    flatness: axis2 / axis3,
    slices05: slicesAbove.size,
    z_fraction: sumK / n / Math.max(1, slices - 1),
    peak_fill: nearPeak / n,
  };
}

const NO_IMAGE = Object.fromEntries(IMAGE_FEATURES.map((name) => [name, NaN])) as Record<
  (typeof IMAGE_FEATURES)[number],
  number
>;

function imageFeatures(
  { image, isCandidate }: ImageContext,
  geometry: VolumeGeometry,
  voxels: ArrayLike<number>,
): Record<(typeof IMAGE_FEATURES)[number], number> {
  const [cols, rows] = geometry.size;
  const plane = cols * rows;
  const [lo, hi] = image.clamp;
  const value = (index: number) => Math.min(hi, Math.max(lo, image.voxels[index]!));
  // Half-widths in pixels, rounded half up (as candidate_features.py does).
  const halfCols = Math.max(1, Math.floor(RING_MM / geometry.spacing[0] + 0.5));
  const halfRows = Math.max(1, Math.floor(RING_MM / geometry.spacing[1] + 0.5));
  const n = voxels.length;
  let sum = 0;
  let highest = -Infinity;
  const ring = new Set<number>();
  for (let v = 0; v < n; v++) {
    const index = voxels[v]!;
    const x = value(index);
    sum += x;
    if (x > highest) highest = x;
    const k = (index / plane) | 0;
    const j = ((index - k * plane) / cols) | 0;
    const i = index - k * plane - j * cols;
    for (let jj = Math.max(0, j - halfRows); jj <= Math.min(rows - 1, j + halfRows); jj++)
      for (let ii = Math.max(0, i - halfCols); ii <= Math.min(cols - 1, i + halfCols); ii++) {
        const near = k * plane + jj * cols + ii;
        if (!isCandidate(near)) ring.add(near);
      }
  }
  const mean = sum / n;
  let squares = 0;
  for (let v = 0; v < n; v++) squares += (value(voxels[v]!) - mean) ** 2;
  let ringSum = 0;
  for (const index of ring) ringSum += value(index);
  // No surround (a candidate filling its planes): its own mean, as candidate_features.py takes it.
  const ringMean = ring.size > 0 ? ringSum / ring.size : mean;
  return {
    hu_mean: mean,
    hu_max: highest,
    hu_std: Math.sqrt(squares / n),
    hu_ring: ringMean,
    contrast: mean - ringMean,
  };
}

/**
 * Eigenvalues of a symmetric 3 × 3 matrix [xx, yy, zz, xy, xz, yz], largest first (the trigonometric solution
 * of the characteristic cubic; Smith 1961).
 */
export function symmetricEigenvalues([a, b, c, d, e, f]: number[]): [number, number, number] {
  const offDiagonal = d! * d! + e! * e! + f! * f!;
  if (offDiagonal === 0) return [a!, b!, c!].sort((x, y) => y - x) as [number, number, number];
  const q = (a! + b! + c!) / 3;
  const p2 = (a! - q) ** 2 + (b! - q) ** 2 + (c! - q) ** 2 + 2 * offDiagonal;
  const p = Math.sqrt(p2 / 6);
  // B = (A − qI) / p; r = det(B) / 2
  const [ba, bb, bc, bd, be, bf] = [(a! - q) / p, (b! - q) / p, (c! - q) / p, d! / p, e! / p, f! / p];
  const det = ba * (bb * bc - bf * bf) - bd * (bd * bc - bf * be) + be * (bd * bf - bb * be);
  const r = Math.min(1, Math.max(-1, det / 2));
  const phi = Math.acos(r) / 3;
  const first = q + 2 * p * Math.cos(phi);
  const third = q + 2 * p * Math.cos(phi + (2 * Math.PI) / 3);
  return [first, 3 * q - first - third, third];
}

/** The classifier's score (0–1) of a candidate's measurements. */
export function secondLookScore(look: SecondLook, features: Record<SecondLookFeature, number>): number {
  let x = look.features.map((name, n) => (features[name] - look.mean[n]!) / look.std[n]!);
  for (const layer of look.layers) {
    x = layer.weights.map((row, o) => {
      const sum = row.reduce((s, w, n) => s + w * x[n]!, layer.bias[o]!);
      return layer.activation === 'tanh' ? Math.tanh(sum) : sum;
    });
  }
  return 1 / (1 + Math.exp(-x[0]!));
}

export interface SecondLookResult {
  candidates: number;
  /** The highest score of any candidate (the series' new peak probability), 0 when there is none. */
  peak: number;
}

/** The range of modality values a model sees: its window, or its z-score's clip (unbounded without one). */
export function modelClamp(normalization: ModelManifest['input']['normalization']): [number, number] {
  if (normalization.kind === 'window') return [normalization.window[0], normalization.window[1]];
  return normalization.clip ? [normalization.clip[0], normalization.clip[1]] : [-Infinity, Infinity];
}

/** Whether a second look reads the image (and so needs one), not only the map. */
export function readsImage(look: SecondLook): boolean {
  return look.features.some((name) => (IMAGE_FEATURES as readonly string[]).includes(name));
}

/**
 * Scores every candidate of the map and scales each one's values in place so that its peak is its score
 * (values never rise: a score above the peak leaves the candidate as it is). `rowMax`, when given, is lowered
 * with the values. `image` is required when the look reads the image.
 */
export function applySecondLook(
  values: Uint8Array,
  geometry: VolumeGeometry,
  look: SecondLook,
  rowMax?: Uint8Array,
  image?: SecondLookImage,
): SecondLookResult {
  if (readsImage(look) && !image)
    throw new Error('this second look measures the image (hu_… features), and no image was given');
  const [cols] = geometry.size;
  const level = thresholdLevel(look.candidateThreshold);
  let candidates = 0;
  let peak = 0;
  const touched = new Set<number>();
  // A lowered candidate may fall below the level; it is still a candidate, not a later one's surround.
  const lowered = image ? new Uint8Array(Math.ceil(values.length / 8)) : undefined;
  const isCandidate = (index: number) =>
    values[index]! >= level || (lowered![index >>> 3]! & (1 << (index & 7))) !== 0;
  forEachComponent(values, geometry.size, level, rowMax, (component) => {
    candidates++;
    const features = candidateFeatures(values, geometry, component, image && { image, isCandidate });
    const score = Math.min(features.peak, secondLookScore(look, features));
    peak = Math.max(peak, score);
    if (score >= features.peak) return;
    // Lowered at once: the walk has marked these voxels visited and never reads them again.
    const factor = score / features.peak;
    for (const index of component) {
      values[index] = Math.round(values[index]! * factor);
      if (lowered) lowered[index >>> 3]! |= 1 << (index & 7);
      touched.add((index / cols) | 0);
    }
  });
  if (rowMax) {
    // The rows a lowered candidate crosses, measured again (they may hold voxels outside any candidate).
    for (const row of touched) {
      let high = 0;
      for (let i = row * cols, end = i + cols; i < end; i++) if (values[i]! > high) high = values[i]!;
      rowMax[row] = high;
    }
  }
  return { candidates, peak };
}
