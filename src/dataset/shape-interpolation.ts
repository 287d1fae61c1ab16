// Owns filling the slices between two painted slices of a mask: shape-based interpolation (Raya & Udupa 1990;
// Herman, Zheng & Bucholtz 1992, the method behind ITK-SNAP's and Slicer's "fill between slices") — each
// painted slice becomes a signed distance map (+ inside, − outside, in mm), the maps are blended linearly by
// the slice's place between them, and the blend's positive part is the mask. A nodule drawn on its first and
// last slices thus grows and shrinks smoothly between them, and a shifted outline moves rather than fades
// (as long as the two outlines overlap; outlines apart leave the slices between them empty).
//
// The distance maps come from src/segment/distance-transform.ts.
import { distanceTo } from '../segment/distance-transform.ts';

/**
 * Signed distance of a 0/1 mask slice, mm: inside, the distance to the nearest outside pixel; outside, minus
 * the distance to the nearest inside pixel. spacing = DICOM Pixel Spacing [between rows, between columns].
 */
export function signedDistance(
  mask: Uint8Array,
  rows: number,
  columns: number,
  spacing: readonly [number, number],
): Float64Array {
  // spacing is [between rows, between columns]; the grid's axes run columns first.
  const size = [columns, rows];
  const mm = [spacing[1], spacing[0]];
  const toOutside = distanceTo(mask, size, mm, 0);
  const toInside = distanceTo(mask, size, mm, 1);
  const signed = new Float64Array(mask.length);
  for (let i = 0; i < mask.length; i++) signed[i] = mask[i] ? toOutside[i]! : -toInside[i]!;
  return signed;
}

/** The mask a fraction t of the way from slice a's signed distance map to slice b's (t in (0, 1)). */
export function interpolateMask(a: Float64Array, b: Float64Array, t: number): Uint8Array {
  const mask = new Uint8Array(a.length);
  for (let i = 0; i < a.length; i++) mask[i] = (1 - t) * a[i]! + t * b[i]! > 0 ? 1 : 0;
  return mask;
}
