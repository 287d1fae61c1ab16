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
 * A slab's maximum, kept with the slice each pixel's maximum came from: what lets the next slab reuse it.
 */
export interface SlabMaximum {
  /** First and last slice (k) of the slab. */
  first: number;
  last: number;
  /** The voxel-wise maximum of the slab's modality values: int16 for exact int16 slices, else float32. */
  values: Int16Array | Float32Array;
  /** For each pixel, the slice (k) holding its maximum. */
  from: Uint16Array;
}

/**
 * The voxel-wise maximum of slices first … first + slices.length − 1 (in modality values). Given the maximum of
 * an overlapping slab of the same series (`previous`, left as it was), only what changed is read: the slices
 * that joined, and — for the pixels whose maximum lay on a slice that left — the new slab again. Scrolling a
 * 10 mm MIP over 1 mm slices one slice a step then reads about two slices' worth a step instead of eleven, so
 * the slab keeps up with the wheel. Slices stored as int16 modality values (slope 1, intercept 0 — every CT the
 * API serves exactly) give int16; anything else gives float32 modality values.
 */
export function slabMaximum(
  first: number,
  slices: readonly SlicePixels[],
  previous?: SlabMaximum | null,
): SlabMaximum {
  if (slices.length === 0) throw new Error('a projection needs at least one slice');
  const length = slices[0]!.data.length;
  for (const slice of slices) {
    if (slice.data.length !== length)
      throw new Error(`slices of ${slice.data.length} and ${length} pixels cannot be projected together`);
  }
  const last = first + slices.length - 1;
  const exact = slices.every((s) => s.data instanceof Int16Array && s.slope === 1 && s.intercept === 0);
  const reusable =
    previous &&
    previous.values.length === length &&
    previous.values instanceof Int16Array === exact &&
    previous.first <= last &&
    previous.last >= first;
  if (!reusable) {
    const values = exact ? new Int16Array(length).fill(-32768) : new Float32Array(length).fill(-Infinity);
    const from = new Uint16Array(length).fill(first);
    slices.forEach((slice, n) => include(values, from, slice, first + n));
    return { first, last, values, from };
  }
  const values = previous.values.slice();
  const from = previous.from.slice();
  // Pixels whose maximum left with its slice: the new slab's maximum, pixel by pixel.
  for (let i = 0; i < length; i++) {
    const k = from[i]!;
    if (k >= first && k <= last) continue;
    let best = -Infinity;
    let at = first;
    for (let n = 0; n < slices.length; n++) {
      const { data, slope, intercept } = slices[n]!;
      const value = data[i]! * slope + intercept;
      if (value > best) {
        best = value;
        at = first + n;
      }
    }
    values[i] = best;
    from[i] = at;
  }
  // The rest kept a maximum that is still in the slab; the slices that joined may beat it.
  slices.forEach((slice, n) => {
    const k = first + n;
    if (k < previous.first || k > previous.last) include(values, from, slice, k);
  });
  return { first, last, values, from };
}

/** Takes slice k into a running maximum. */
function include(
  values: Int16Array | Float32Array,
  from: Uint16Array,
  { data, slope, intercept }: SlicePixels,
  k: number,
): void {
  if (slope === 1 && intercept === 0) {
    for (let i = 0; i < values.length; i++) {
      if (data[i]! > values[i]!) {
        values[i] = data[i]!;
        from[i] = k;
      }
    }
    return;
  }
  for (let i = 0; i < values.length; i++) {
    const value = data[i]! * slope + intercept;
    if (value > values[i]!) {
      values[i] = value;
      from[i] = k;
    }
  }
}
