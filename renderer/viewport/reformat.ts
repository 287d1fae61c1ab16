// Owns the geometry of the two reformatted planes shown beside the stack (multi-planar reformat): which
// volume axis each plane holds fixed and what it is called, how the stack's slices map onto the plane's rows
// (superior at the top, evenly spaced in mm), and gathering a plane's modality values or a mask's voxels out
// of per-slice arrays. Pure: no cornerstone or DOM, tested under Node.
//
// Written here rather than taken from a library: cornerstone-core (the stack's viewer) has no MPR, and the
// libraries that do (vtk.js behind @cornerstonejs/core 3D) would bring a second renderer and a second copy of
// the volume; the stack's own decoded slices, already in the page, are all a plane needs.
import type { SeriesInfo } from '../../src/shared/api-types.ts';
import type { SlicePixels } from '../../src/shared/finding-profile.ts';

export type { SlicePixels };

/**
 * `row`: the plane through one image row j (every column i of every slice k); `column`: through one image
 * column i (every row j of every slice k).
 */
export type PlaneAxis = 'row' | 'column';

export type PlaneName = 'Axial' | 'Coronal' | 'Sagittal';

type Geometry = Pick<SeriesInfo, 'rows' | 'columns' | 'slices' | 'slicePositionsMm' | 'geometry'>;

/** How the stack's slices fill a plane's rows: output row r shows slice rowSlices[r], rows rowSpacingMm apart. */
export interface StackRows {
  rowSlices: number[];
  rowSpacingMm: number;
}

/** The patient axis (0 x, 1 y, 2 z) a direction vector mostly runs along. */
function dominantAxis(v: readonly number[]): number {
  const a = v.map(Math.abs);
  return a[0]! >= a[1]! && a[0]! >= a[2]! ? 0 : a[1]! >= a[2]! ? 1 : 2;
}

const PLANE_ACROSS: PlaneName[] = ['Sagittal', 'Coronal', 'Axial'];

/**
 * The anatomical name of the plane that holds `axis` fixed: it is perpendicular to that in-plane direction (an
 * axial stack's rows run along x, so a plane through one row is perpendicular to y — coronal).
 */
export function planeName(series: Geometry, axis: PlaneAxis): PlaneName {
  const direction = series.geometry.direction[axis === 'row' ? 1 : 0];
  return PLANE_ACROSS[dominantAxis(direction)]!;
}

/**
 * The plane the stack itself is acquired in. The planes are built for axial stacks only: a plane's vertical
 * axis is the stacking direction, which reads head up only when the stack runs along the body.
 */
export function stackPlane(series: Geometry): PlaneName {
  return PLANE_ACROSS[dominantAxis(series.geometry.direction[2])]!;
}

/**
 * The plane's rows, top to bottom: the stack resampled to its median slice gap (nearest slice for each row, so
 * evenly spaced stacks show their own slices, one per row, and a gap shows as a repeated slice rather than a
 * squashed plane), the end nearer the patient's head on top. Null without slice positions.
 */
export function stackRows(series: Geometry): StackRows | null {
  const positions = series.slicePositionsMm;
  if (positions.length < 2 || positions.length !== series.slices) return null;
  const gaps: number[] = [];
  // Frames at one position (duplicates) leave no gap; the rest set the spacing, as the volume's geometry does.
  for (let k = 1; k < positions.length; k++) {
    const gap = Math.abs(positions[k]! - positions[k - 1]!);
    if (gap >= 1e-3) gaps.push(gap);
  }
  if (gaps.length === 0) return null;
  gaps.sort((a, b) => a - b);
  const spacing = gaps[Math.floor(gaps.length / 2)]!;
  // Positions run along the stack's normal; its z component says which end is superior (LPS: +z is head).
  const superiorHigh = series.geometry.direction[2][2] >= 0;
  const top = superiorHigh ? Math.max(...positions) : Math.min(...positions);
  const span = Math.max(...positions) - Math.min(...positions);
  const count = Math.round(span / spacing) + 1;
  const step = superiorHigh ? -spacing : spacing;
  const byPosition = positions.map((p, k) => ({ p, k })).sort((a, b) => a.p - b.p);
  const rowSlices: number[] = [];
  for (let r = 0; r < count; r++) rowSlices.push(nearestSlice(byPosition, top + step * r));
  return { rowSlices, rowSpacingMm: spacing };
}

function nearestSlice(byPosition: { p: number; k: number }[], p: number): number {
  let lo = 0;
  let hi = byPosition.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (byPosition[mid]!.p <= p) lo = mid;
    else hi = mid;
  }
  return Math.abs(byPosition[lo]!.p - p) <= Math.abs(byPosition[hi]!.p - p)
    ? byPosition[lo]!.k
    : byPosition[hi]!.k;
}

/** The plane's row showing slice k (the first of them where a gap repeats it); -1 when none does. */
export function rowOfSlice(stack: StackRows, k: number): number {
  let best = -1;
  for (let r = 0; r < stack.rowSlices.length; r++) {
    if (stack.rowSlices[r] === k) return r;
    if (best < 0 || Math.abs(stack.rowSlices[r]! - k) < Math.abs(stack.rowSlices[best]! - k)) best = r;
  }
  return best;
}

/** Width of a plane in pixels: the columns of a row plane, the rows of a column plane. */
export function planeWidth(series: Geometry, axis: PlaneAxis): number {
  return axis === 'row' ? series.columns : series.rows;
}

/** How many planes there are along an axis: one per image row, or per image column. */
export function planeCount(series: Pick<Geometry, 'rows' | 'columns'>, axis: PlaneAxis): number {
  return axis === 'row' ? series.rows : series.columns;
}

/** Pixel spacing of a plane (rows, columns) in mm. */
export function planeSpacing(
  series: Pick<SeriesInfo, 'pixelSpacingMm'>,
  axis: PlaneAxis,
  stack: StackRows,
): [number, number] {
  return [stack.rowSpacingMm, axis === 'row' ? series.pixelSpacingMm[1] : series.pixelSpacingMm[0]];
}

/**
 * How a slice's row-major pixels are walked for a plane: pixel x of the plane at index i is x · stride + i · step
 * (inlined in the loops below, which a slab's plane steps run over slab × width × slices voxels).
 */
function planeWalk(series: Geometry, axis: PlaneAxis): { step: number; stride: number } {
  return axis === 'row' ? { step: series.columns, stride: 1 } : { step: 1, stride: series.columns };
}

/**
 * The planes (first, last) a thick slab of `mm` centred on plane `index` covers along the plane's normal: the
 * image rows (axis 'row') or columns ('column') within mm / 2 of it, as the stack's slab takes slices.
 * [index, index] for 0 mm or a slab thinner than the pixel spacing.
 */
export function planeSlab(
  series: Pick<SeriesInfo, 'rows' | 'columns' | 'pixelSpacingMm'>,
  axis: PlaneAxis,
  index: number,
  mm: number,
): [number, number] {
  if (!(mm > 0)) return [index, index];
  const spacing = axis === 'row' ? series.pixelSpacingMm[0] : series.pixelSpacingMm[1];
  const half = Math.floor((mm / 2 + 1e-3) / spacing);
  return [Math.max(0, index - half), Math.min(planeCount(series, axis) - 1, index + half)];
}

/**
 * A slice's image columns first…last copied column by column (column i's rows at (i − first) · rows …), so a
 * sagittal slab stepping along reads each column as one run instead of one value from every image row — a
 * different cache line and, every few rows, a different memory page each. Kept per slice while its pixels are
 * (a WeakMap on them). Each slice has its turn every BAND_STEP columns (where the slab's first column is its
 * phase, k mod BAND_STEP), and a band reaches from the slab to the slice's next turn each way: a slab stepping
 * either way outruns one slice's band in BAND_STEP a step, instead of all of them on one step (a 512² × 300
 * stack: 40–60 ms, three frames), and turning back costs nothing; only the first step after a plane built
 * afresh copies every slice's. A plane built afresh (a jump, a drag across the other plane, a single column)
 * reads the slices directly and copies nothing. The bands of a 512² × 300 stack hold 11–18 MB.
 */
interface ColumnBand {
  first: number;
  last: number;
  values: Int16Array | Float32Array | Float64Array;
}

const columnBands = new WeakMap<object, ColumnBand>();

/** Columns between a slice's turns: one slice in this many has its band copied on each step of a slab. */
const BAND_STEP = 24;

const modulo = (n: number, m: number) => ((n % m) + m) % m;

/** The slice's band covering columns first…last (phase: its turn's column, modulo BAND_STEP). */
function columnBand(
  data: ArrayLike<number>,
  series: Pick<Geometry, 'rows' | 'columns'>,
  first: number,
  last: number,
  phase: number,
): ColumnBand {
  const kept = columnBands.get(data);
  if (kept && kept.first <= first && kept.last >= last) return kept;
  const { rows, columns } = series;
  // Steps to the slice's next turn to the right and to the left (a whole BAND_STEP each way on its turn).
  const right = modulo(phase - first, BAND_STEP) || BAND_STEP;
  const left = modulo(first - phase, BAND_STEP) || BAND_STEP;
  const a = Math.max(0, first - left + 1);
  const b = Math.min(columns - 1, last + right - 1);
  const width = b - a + 1;
  // The slice's own type (exact: int16 and float32 as served; anything else as float64); the band it had
  // is written over where it is as wide, so a stepping slab does not feed the garbage collector.
  const values =
    kept?.values.length === width * rows
      ? kept.values
      : data instanceof Int16Array
        ? new Int16Array(width * rows)
        : data instanceof Float32Array
          ? new Float32Array(width * rows)
          : new Float64Array(width * rows);
  for (let y = 0; y < rows; y++) {
    for (let i = 0, from = y * columns + a, to = y; i < width; i++, from++, to += rows)
      values[to] = data[from]!;
  }
  const band = { first: a, last: b, values };
  columnBands.set(data, band);
  return band;
}

/** A plane index, or the first and last of a thick slab's (their maximum is shown). */
export type PlaneIndex = number | readonly [number, number];

const indexRange = (index: PlaneIndex): readonly [number, number] =>
  typeof index === 'number' ? [index, index] : index;

/**
 * A plane's modality values kept with, for each pixel, the plane (image row or column) holding its maximum —
 * what lets the next slab plane reuse it, as the stack's slab does (slab-projection.ts).
 */
export interface PlaneMaximum {
  axis: PlaneAxis;
  /** First and last plane of the slab. */
  first: number;
  last: number;
  /** Row by row; rows whose slice was not there are `fill`. */
  values: Int16Array | Float32Array;
  /** For each pixel, the plane its value came from. */
  from: Uint16Array;
  /** The slice behind each row (undefined: not fetched yet); a later plane reuses this one only over the same. */
  sources: readonly (SlicePixels | undefined)[];
}

/**
 * The plane's modality values, row by row; through a slab, the maximum over its planes (a MIP along the
 * plane's normal). int16 when every slice holds int16 modality values (slope 1, intercept 0: nearly every
 * CT), else float32. Rows whose slice is not there yet are `fill`. Given the maximum of an overlapping slab
 * along the same axis over the same slices (`previous`, left as it was), only the planes that joined are read,
 * and the whole slab again only where the maximum left with a plane that went: stepping a 13-column slab one
 * column reads about two columns instead of thirteen.
 */
export function planeMaximum(
  series: Geometry,
  axis: PlaneAxis,
  index: PlaneIndex,
  stack: StackRows,
  slice: (k: number) => SlicePixels | undefined,
  fill: number,
  previous?: PlaneMaximum | null,
): PlaneMaximum {
  const width = planeWidth(series, axis);
  const [first, last] = indexRange(index);
  const { step, stride } = planeWalk(series, axis);
  const sources = stack.rowSlices.map((k) => slice(k));
  const integral = sources.every(
    (s) => !s || (s.data instanceof Int16Array && s.slope === 1 && s.intercept === 0),
  );
  const reuse =
    previous &&
    previous.axis === axis &&
    previous.values.length === width * sources.length &&
    previous.values instanceof Int16Array === integral &&
    previous.first <= last &&
    previous.last >= first &&
    previous.sources.length === sources.length &&
    previous.sources.every((s, r) => s === sources[r])
      ? previous
      : null;
  const out = reuse
    ? reuse.values.slice()
    : integral
      ? new Int16Array(width * sources.length)
      : new Float32Array(width * sources.length);
  const from = reuse ? reuse.from.slice() : new Uint16Array(width * sources.length);
  // The planes that joined: before the previous slab's first and after its last (either may be empty). Two
  // plain ranges, each its own loop below, since this runs for every pixel of the plane: one loop over a flat
  // [first, last, first, last] array measured 5.4–5.6 ms a coronal slab step on 512² × 300 against 3.1–3.2.
  const [lowFirst, lowLast] = reuse ? [first, Math.min(last, reuse.first - 1)] : [0, -1];
  const [highFirst, highLast] = reuse ? [Math.max(first, reuse.last + 1), last] : [0, -1];
  sources.forEach((source, r) => {
    const row = r * width;
    if (!source) {
      if (!reuse) out.fill(fill, row, row + width);
      return;
    }
    const { slope, intercept } = source;
    // A column plane reads the slice's column band: plane pixel x, plane i at origin + x + i · rows.
    const k = stack.rowSlices[r]!;
    const band =
      axis === 'column' && reuse ? columnBand(source.data, series, first, last, k % BAND_STEP) : null;
    const data = band ? band.values : source.data;
    const [across, along, origin] = band ? [1, series.rows, -band.first * series.rows] : [stride, step, 0];
    for (let x = 0; x < width; x++) {
      const pixel = row + x;
      const kept = from[pixel]!;
      const base = origin + x * across;
      if (reuse && kept >= first && kept <= last) {
        // Still in the slab: only the planes that joined can beat it.
        let best = out[pixel]!;
        let at = kept;
        for (let i = lowFirst, offset = base + i * along; i <= lowLast; i++, offset += along) {
          const value = data[offset]! * slope + intercept;
          if (value > best) {
            best = value;
            at = i;
          }
        }
        for (let i = highFirst, offset = base + i * along; i <= highLast; i++, offset += along) {
          const value = data[offset]! * slope + intercept;
          if (value > best) {
            best = value;
            at = i;
          }
        }
        out[pixel] = best;
        from[pixel] = at;
        continue;
      }
      let best = -Infinity;
      let at = first;
      for (let i = first, offset = base + first * along; i <= last; i++, offset += along) {
        const value = data[offset]! * slope + intercept;
        if (value > best) {
          best = value;
          at = i;
        }
      }
      out[pixel] = best;
      from[pixel] = at;
    }
  });
  return { axis, first, last, values: out, from, sources };
}

/**
 * A mask's voxels on the plane (0/1 per plane pixel) — through a slab, their union over its planes, as the
 * stack's slab draws a finding; null when no slice it spans crosses the plane there.
 */
export function planeMask(
  series: Geometry,
  axis: PlaneAxis,
  index: PlaneIndex,
  stack: StackRows,
  mask: (k: number) => Uint8Array | undefined,
): Uint8Array | null {
  const width = planeWidth(series, axis);
  const [first, last] = indexRange(index);
  const out = new Uint8Array(width * stack.rowSlices.length);
  let any = false;
  const { step, stride } = planeWalk(series, axis);
  stack.rowSlices.forEach((k, r) => {
    const source = mask(k);
    if (!source) return;
    for (let x = 0; x < width; x++) {
      for (let i = first, at = x * stride + first * step; i <= last; i++, at += step) {
        if (source[at]) {
          out[r * width + x] = 1;
          any = true;
          break;
        }
      }
    }
  });
  return any ? out : null;
}
