// Owns a finding's profile beyond its 3-D size: its density (mean and spread of the modality values inside its
// mask, and the share of voxels at soft-tissue density or above — what tells a solid nodule from a ground-glass
// one) and its axial long and short axes on the slice where it is largest, the bidimensional measurement
// nodule guidelines (Lung-RADS, Fleischner) average. Pure, so the findings panel (from the slices the page
// holds) and the exported findings table (from the slices Node decodes) measure alike.
import { onMaskEdge } from './mask-edge.ts';

/** A slice's pixels as stored: values, and the slope/intercept back to modality values. */
export interface SlicePixels {
  data: ArrayLike<number>;
  slope: number;
  intercept: number;
}

/** Voxels at or above this (HU) count as solid: soft tissue, not ground glass (which sits near −600). */
export const SOLID_HU = -300;

export interface FindingProfile {
  voxels: number;
  mean: number;
  sd: number;
  /** Share of voxels ≥ SOLID_HU, 0…1. */
  solidFraction: number;
  /** Long axis = the slice's largest distance across the mask; short = its longest extent perpendicular. */
  axes: { slice: number; longMm: number; shortMm: number };
}

interface Geometry {
  rows: number;
  columns: number;
  /** Pixel spacing [between rows, between columns], mm. */
  pixelSpacingMm: [number, number];
}

/**
 * The profile of a finding whose mask on slice k is `masks.get(k)` (0/1 per pixel), from `values(k)`; null when
 * the mask is empty or a slice it covers is missing.
 */
export function findingProfile(
  masks: ReadonlyMap<number, Uint8Array>,
  values: (k: number) => SlicePixels | undefined,
  geometry: Geometry,
): FindingProfile | null {
  let count = 0;
  let sum = 0;
  let sumSquares = 0;
  let solid = 0;
  let largest = { slice: -1, area: 0 };
  for (const [k, mask] of masks) {
    const slice = values(k);
    let area = 0;
    // A nodule covers a few rows of a slice: walk only from its first set pixel to its last (found natively).
    const end = mask.lastIndexOf(1) + 1;
    for (let i = Math.max(0, mask.indexOf(1)); i < end; i++) {
      if (!mask[i]) continue;
      if (!slice) return null;
      const v = slice.data[i]! * slice.slope + slice.intercept;
      sum += v;
      sumSquares += v * v;
      if (v >= SOLID_HU) solid++;
      area++;
    }
    count += area;
    if (area > largest.area || (area === largest.area && k < largest.slice)) largest = { slice: k, area };
  }
  if (count === 0) return null;
  const mean = sum / count;
  return {
    voxels: count,
    mean,
    sd: Math.sqrt(Math.max(0, sumSquares / count - mean * mean)),
    solidFraction: solid / count,
    axes: { slice: largest.slice, ...sliceAxes(masks.get(largest.slice)!, geometry) },
  };
}

/**
 * Long and short axis of one slice's mask, measured over its pixels' outer corners as the 3-D diameter is:
 * the long axis is the largest corner-to-corner distance; the short axis is the widest extent perpendicular to
 * it within any strip one pixel wide along it (the longest perpendicular chord, for the compact shapes a nodule
 * mask has).
 */
export function sliceAxes(mask: Uint8Array, geometry: Geometry): { longMm: number; shortMm: number } {
  const { rows, columns } = geometry;
  const [dy, dx] = geometry.pixelSpacingMm;
  const corners: number[] = []; // x, y pairs in mm
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const i = r * columns + c;
      if (!mask[i]) continue;
      // Only edge pixels can hold an extreme corner.
      if (!onMaskEdge(mask, rows, columns, r, c)) continue;
      for (const [x, y] of [
        [c, r],
        [c + 1, r],
        [c, r + 1],
        [c + 1, r + 1],
      ] as const)
        corners.push(x * dx, y * dy);
    }
  }
  let long = 0;
  let ux = 1;
  let uy = 0;
  for (let a = 0; a < corners.length; a += 2) {
    for (let b = a + 2; b < corners.length; b += 2) {
      const ex = corners[b]! - corners[a]!;
      const ey = corners[b + 1]! - corners[a + 1]!;
      const d = ex * ex + ey * ey;
      if (d > long) {
        long = d;
        ux = ex;
        uy = ey;
      }
    }
  }
  long = Math.sqrt(long);
  if (long === 0) return { longMm: 0, shortMm: 0 };
  ux /= long;
  uy /= long;
  // Strips one pixel wide along the long axis; in each, the spread of the corners across it.
  const strip = Math.min(dx, dy);
  const spans = new Map<number, [number, number]>();
  for (let a = 0; a < corners.length; a += 2) {
    const x = corners[a]!;
    const y = corners[a + 1]!;
    const along = Math.floor((x * ux + y * uy) / strip);
    const across = -x * uy + y * ux;
    const span = spans.get(along);
    if (!span) spans.set(along, [across, across]);
    else {
      if (across < span[0]) span[0] = across;
      if (across > span[1]) span[1] = across;
    }
  }
  let short = 0;
  for (const [low, high] of spans.values()) short = Math.max(short, high - low);
  return { longMm: long, shortMm: Math.min(short, long) };
}
