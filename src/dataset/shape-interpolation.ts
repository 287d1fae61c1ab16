// Owns filling the slices between two painted slices of a mask: shape-based interpolation (Raya & Udupa 1990;
// Herman, Zheng & Bucholtz 1992, the method behind ITK-SNAP's and Slicer's "fill between slices") — each
// painted slice becomes a signed distance map (+ inside, − outside, in mm), the maps are blended linearly by
// the slice's place between them, and the blend's positive part is the mask. A nodule drawn on its first and
// last slices thus grows and shrinks smoothly between them, and a shifted outline moves rather than fades
// (as long as the two outlines overlap; outlines apart leave the slices between them empty).
//
// Why hand-written: the Euclidean distance transform is the exact linear-time algorithm of Felzenszwalb &
// Huttenlocher (2012), a few dozen lines; the npm packages that offer one are unmaintained ndarray-era code,
// and none handles anisotropic pixel spacing.

/** A stand-in for "infinitely far": finite so the parabola intersections stay numbers. */
const FAR = 1e20;

/**
 * In place: f (n values, stride apart, from offset) becomes its squared distance transform along one line of
 * samples `step` mm apart — for each sample the least f[p] + (step · (q − p))².
 */
function transformLine(
  f: Float64Array,
  offset: number,
  stride: number,
  n: number,
  step: number,
  scratch: { g: Float64Array; v: Int32Array; z: Float64Array },
): void {
  const { g, v, z } = scratch;
  for (let q = 0; q < n; q++) g[q] = f[offset + q * stride]!;
  const meet = (q: number, p: number) =>
    (g[q]! + (q * step) ** 2 - (g[p]! + (p * step) ** 2)) / (2 * step * (q - p));
  let k = 0;
  v[0] = 0;
  z[0] = -Infinity;
  z[1] = Infinity;
  for (let q = 1; q < n; q++) {
    let s = meet(q, v[k]!);
    while (s <= z[k]!) {
      k--;
      s = meet(q, v[k]!);
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = Infinity;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1]! < q * step) k++;
    f[offset + q * stride] = (step * (q - v[k]!)) ** 2 + g[v[k]!]!;
  }
}

/** Distance (mm) from each pixel to the nearest pixel where `target(mask value)` holds; FAR-ish where none. */
function distanceTo(
  mask: Uint8Array,
  rows: number,
  columns: number,
  spacing: readonly [number, number],
  target: 0 | 1,
): Float64Array {
  const d = new Float64Array(rows * columns);
  for (let i = 0; i < d.length; i++) d[i] = (mask[i]! ? 1 : 0) === target ? 0 : FAR;
  const longest = Math.max(rows, columns);
  const scratch = {
    g: new Float64Array(longest),
    v: new Int32Array(longest),
    z: new Float64Array(longest + 1),
  };
  const [rowSpacing, columnSpacing] = spacing;
  for (let r = 0; r < rows; r++) transformLine(d, r * columns, 1, columns, columnSpacing, scratch);
  for (let c = 0; c < columns; c++) transformLine(d, c, columns, rows, rowSpacing, scratch);
  for (let i = 0; i < d.length; i++) d[i] = Math.sqrt(d[i]!);
  return d;
}

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
  const toOutside = distanceTo(mask, rows, columns, spacing, 0);
  const toInside = distanceTo(mask, rows, columns, spacing, 1);
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
