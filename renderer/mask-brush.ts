// Painting a binary mask slice (uint8, 0/1, row-major rows × columns) with a round brush. Written here
// rather than taken from a library because it is twenty lines over a plain array that the API stores as
// is; cornerstone-tools' segmentation module would bring its own label-map model that the API does not use.

export interface Point {
  /** Column (x), in image pixels; may be fractional. */
  x: number;
  /** Row (y), in image pixels. */
  y: number;
}

/**
 * Sets every pixel whose centre lies within `radius` of `center` to `value`; returns how many changed.
 * `aspect` is a pixel's height over its width (a reformatted plane's rows are the slice gap apart), so the
 * brush stays round in millimetres: `radius` counts pixel widths, and rows are `aspect` widths apart.
 * With `paintable` (paint-range.ts), painting (value 1) sets only pixels it marks; erasing ignores it.
 */
export function paintDisc(
  mask: Uint8Array,
  rows: number,
  columns: number,
  center: Point,
  radius: number,
  value: 0 | 1,
  aspect = 1,
  paintable?: Uint8Array,
): number {
  if (mask.length !== rows * columns) {
    throw new Error(`mask has ${mask.length} pixels, expected ${rows}×${columns}`);
  }
  const r = Math.max(0, radius);
  const r2 = r * r;
  const top = Math.max(0, Math.ceil(center.y - r / aspect));
  const bottom = Math.min(rows - 1, Math.floor(center.y + r / aspect));
  const left = Math.max(0, Math.ceil(center.x - r));
  const right = Math.min(columns - 1, Math.floor(center.x + r));
  let changed = 0;
  for (let row = top; row <= bottom; row++) {
    const dy = (row - center.y) * aspect;
    for (let column = left; column <= right; column++) {
      const dx = column - center.x;
      if (dx * dx + dy * dy > r2) continue;
      const index = row * columns + column;
      if (value === 1 && paintable && !paintable[index]) continue;
      if (mask[index] !== value) {
        mask[index] = value;
        changed++;
      }
    }
  }
  return changed;
}

/** Paints a stroke from `from` to `to`, stamping discs close enough together that no gap is left. */
export function paintSegment(
  mask: Uint8Array,
  rows: number,
  columns: number,
  from: Point,
  to: Point,
  radius: number,
  value: 0 | 1,
  aspect = 1,
  paintable?: Uint8Array,
): number {
  // Stamps at most half a radius (or half a pixel) apart, in pixel widths: every pixel centre the stroke
  // passes within the radius of is covered, however far apart the rows are.
  const length = Math.hypot(to.x - from.x, (to.y - from.y) * aspect);
  const step = Math.max(0.5, radius / 2);
  const stamps = Math.max(1, Math.ceil(length / step));
  let changed = 0;
  for (let s = 0; s <= stamps; s++) {
    const t = s / stamps;
    const point = { x: from.x + (to.x - from.x) * t, y: from.y + (to.y - from.y) * t };
    changed += paintDisc(mask, rows, columns, point, radius, value, aspect, paintable);
  }
  return changed;
}

export function countSet(mask: Uint8Array): number {
  let count = 0;
  for (const value of mask) if (value) count++;
  return count;
}

/** Base64 of the mask bytes, for AddFindingRequest.maskBase64. */
export function maskToBase64(mask: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000; // keeps String.fromCharCode's argument list small
  for (let i = 0; i < mask.length; i += chunk) {
    binary += String.fromCharCode(...mask.subarray(i, i + chunk));
  }
  return btoa(binary);
}

export const MIN_BRUSH_RADIUS = 1;
export const MAX_BRUSH_RADIUS = 50;

/** `[` and `]` change the radius by about 20 %, at least one pixel, within bounds. */
export function nextRadius(radius: number, direction: -1 | 1): number {
  const step = Math.max(1, Math.round(radius * 0.2));
  return Math.min(MAX_BRUSH_RADIUS, Math.max(MIN_BRUSH_RADIUS, radius + direction * step));
}
