// Owns the exact Euclidean distance transform of a 0/1 grid with anisotropic spacing, in 2-D or 3-D: for each
// sample, the distance (mm) to the nearest sample of a target value. Shape-based interpolation of painted
// slices (src/dataset/shape-interpolation.ts) and the seeded 3-D outline (seeded-outline.ts) both stand on it.
//
// Why hand-written: the transform is the exact linear-time algorithm of Felzenszwalb & Huttenlocher (2012),
// a few dozen lines applied one axis at a time; the npm packages that offer one are unmaintained ndarray-era
// code, and none handles anisotropic spacing.

/** A stand-in for "infinitely far": finite so the parabola intersections stay numbers. */
const FAR = 1e20;

interface LineScratch {
  g: Float64Array;
  v: Int32Array;
  z: Float64Array;
}

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
  scratch: LineScratch,
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

/**
 * Distance (mm) from each sample of `mask` to the nearest sample whose value is `target` (0 or 1); a huge
 * number where the grid holds none. `size` lists the axes fastest first ([columns, rows] or [columns, rows,
 * slices]) and `spacing` the mm between samples along each, in the same order.
 */
export function distanceTo(
  mask: Uint8Array,
  size: readonly number[],
  spacing: readonly number[],
  target: 0 | 1,
): Float64Array {
  const total = size.reduce((a, b) => a * b, 1);
  if (mask.length !== total) throw new Error(`the mask has ${mask.length} samples, the grid ${total}`);
  const d = new Float64Array(total);
  for (let n = 0; n < total; n++) d[n] = (mask[n]! ? 1 : 0) === target ? 0 : FAR;
  const longest = Math.max(...size);
  const scratch = {
    g: new Float64Array(longest),
    v: new Int32Array(longest),
    z: new Float64Array(longest + 1),
  };
  let stride = 1;
  for (let axis = 0; axis < size.length; axis++) {
    const n = size[axis]!;
    const block = stride * n;
    // Every line along this axis: its first sample is any index whose coordinate on this axis is 0.
    for (let outer = 0; outer < total; outer += block)
      for (let inner = 0; inner < stride; inner++)
        transformLine(d, outer + inner, stride, n, spacing[axis]!, scratch);
    stride = block;
  }
  for (let n = 0; n < total; n++) d[n] = Math.sqrt(d[n]!);
  return d;
}
