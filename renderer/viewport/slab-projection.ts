// Thick-slab maximum intensity projection (MIP): which slices a slab centred on slice k covers, and the
// voxel-wise maximum of their modality values. Readers page through thin axial MIPs to tell nodules from
// vessels — a nodule stays a round blob through the slab while a vessel becomes a line or a branch — the view
// lung-nodule reading guidelines recommend beside thin slices. Pure (no cornerstone) so it is tested under
// Node; the viewport builds the projected image from the same decoded slices it shows one by one.
import type { SlicePixels } from '../../src/shared/finding-profile.ts';

/** Slab thicknesses offered, mm. */
export const SLAB_CHOICES_MM = [5, 10, 15, 20] as const;

/**
 * First and last slice (inclusive) whose position lies within slabMm / 2 of slice k's, walking out from k so a
 * series with gaps or a reversed stack still gives a contiguous run. [k, k] when positions are unknown or the
 * slab is thinner than the slice spacing.
 */
export function slabRange(positionsMm: readonly number[], k: number, slabMm: number): [number, number] {
  const centre = positionsMm[k];
  if (centre === undefined || !(slabMm > 0)) return [k, k];
  // A hair of tolerance: positions parsed from text land a few µm off their nominal spacing.
  const half = slabMm / 2 + 1e-3;
  let first = k;
  while (first > 0 && Math.abs(positionsMm[first - 1]! - centre) <= half) first--;
  let last = k;
  while (last < positionsMm.length - 1 && Math.abs(positionsMm[last + 1]! - centre) <= half) last++;
  return [first, last];
}

/**
 * The voxel-wise maximum of the slices' modality values. Slices stored as int16 modality values (slope 1,
 * intercept 0 — every CT the API serves exactly) give int16; anything else gives float32 modality values.
 */
export function maxProjection(slices: readonly SlicePixels[]): Int16Array | Float32Array {
  if (slices.length === 0) throw new Error('a projection needs at least one slice');
  const length = slices[0]!.data.length;
  for (const slice of slices) {
    if (slice.data.length !== length)
      throw new Error(`slices of ${slice.data.length} and ${length} pixels cannot be projected together`);
  }
  const exact = slices.every((s) => s.data instanceof Int16Array && s.slope === 1 && s.intercept === 0);
  if (exact) {
    const out = Int16Array.from(slices[0]!.data as Int16Array);
    for (const slice of slices.slice(1)) {
      const data = slice.data as Int16Array;
      for (let i = 0; i < length; i++) if (data[i]! > out[i]!) out[i] = data[i]!;
    }
    return out;
  }
  const out = new Float32Array(length).fill(-Infinity);
  for (const { data, slope, intercept } of slices) {
    for (let i = 0; i < length; i++) {
      const value = data[i]! * slope + intercept;
      if (value > out[i]!) out[i] = value;
    }
  }
  return out;
}
