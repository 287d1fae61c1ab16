// A brush or eraser stroke on a reformatted plane, turned into the stack's slices: each plane pixel the brush
// covers is one voxel, in image row `index` (coronal) or column `index` (sagittal) of the slice that plane row
// shows. Pure: the slices' masks come from a callback (undefined: empty there) and the stroke keeps its own
// copies, so the page can draw them as the stroke goes, put the originals back if saving fails, and send the
// plane's lines to PUT /api/findings/{id}/plane-mask.
import { paintSegment, type Point } from './mask-brush.ts';
import type { StoredImage } from './paint-range.ts';
import type { PlaneAxis } from './viewport/reformat.ts';

export interface PlaneAt {
  axis: PlaneAxis;
  /** The image row (axis 'row') or column ('column') the plane cuts. */
  index: number;
  /** The plane's rows, top to bottom: the slice each shows (reformat.ts's StackRows). */
  rowSlices: readonly number[];
  /** The stack's image size. */
  rows: number;
  columns: number;
  /** A plane pixel's width in mm (the stack's column spacing on the coronal plane, row spacing on the sagittal). */
  widthMm: number;
  /** A plane pixel's height over its width (slice gap over in-plane spacing), for a brush round in mm. */
  aspect: number;
  /** The plane's pixels as shown (rows of not yet loaded slices at the window's floor), or null. */
  image: StoredImage | null;
}

export class PlaneStroke {
  /** The slices' masks as the stroke leaves them (copies), by slice. */
  readonly masks = new Map<number, Uint8Array>();
  /** The same slices' masks before the stroke. */
  readonly before = new Map<number, Uint8Array>();
  private readonly width: number;
  private readonly scratch: Uint8Array;
  private last: Point;

  constructor(
    readonly plane: PlaneAt,
    private readonly current: (k: number) => Uint8Array | undefined,
    readonly value: 0 | 1,
    /** In plane pixel widths. */
    readonly radius: number,
    start: Point,
    /** Plane pixels a brush may set (paint-range.ts), or undefined for all; erasing ignores it. */
    private readonly paintable?: Uint8Array,
  ) {
    this.width = plane.axis === 'row' ? plane.columns : plane.rows;
    this.scratch = new Uint8Array(plane.rowSlices.length * this.width);
    this.last = start;
    this.to(start);
  }

  /** Paints on to `point`; returns the slices whose mask changed. */
  to(point: Point): number[] {
    const { plane, width, scratch } = this;
    const planeRows = plane.rowSlices.length;
    paintSegment(scratch, planeRows, width, this.last, point, this.radius, 1, plane.aspect);
    const reach = this.radius / plane.aspect + 1;
    const top = Math.max(0, Math.floor(Math.min(this.last.y, point.y) - reach));
    const bottom = Math.min(planeRows - 1, Math.ceil(Math.max(this.last.y, point.y) + reach));
    const left = Math.max(0, Math.floor(Math.min(this.last.x, point.x) - this.radius - 1));
    const right = Math.min(width - 1, Math.ceil(Math.max(this.last.x, point.x) + this.radius + 1));
    this.last = point;
    const changed = new Set<number>();
    for (let y = top; y <= bottom; y++) {
      const k = plane.rowSlices[y]!;
      for (let x = left; x <= right; x++) {
        if (!scratch[y * width + x]) continue;
        scratch[y * width + x] = 0;
        if (this.value === 1 && this.paintable && !this.paintable[y * width + x]) continue;
        const mask = this.mask(k);
        const at = this.voxel(x);
        if (mask[at] !== this.value) {
          mask[at] = this.value;
          changed.add(k);
        }
      }
    }
    return [...changed];
  }

  /** The plane's lines from the first to the last slice the stroke touched, or null when it touched none. */
  edit(): { axis: PlaneAxis; index: number; firstSlice: number; lines: Uint8Array } | null {
    const ks = [...this.masks.keys()];
    if (ks.length === 0) return null;
    const first = Math.min(...ks);
    const last = Math.max(...ks);
    const lines = new Uint8Array((last - first + 1) * this.width);
    for (let k = first; k <= last; k++) {
      const mask = this.masks.get(k) ?? this.current(k);
      if (!mask) continue; // empty there: the line stays zeros
      for (let x = 0; x < this.width; x++) lines[(k - first) * this.width + x] = mask[this.voxel(x)]!;
    }
    return { axis: this.plane.axis, index: this.plane.index, firstSlice: first, lines };
  }

  /** The index in a slice's mask of plane column x. */
  private voxel(x: number): number {
    const { axis, index, columns } = this.plane;
    return axis === 'row' ? index * columns + x : x * columns + index;
  }

  private mask(k: number): Uint8Array {
    let mask = this.masks.get(k);
    if (!mask) {
      const original = this.current(k) ?? new Uint8Array(this.plane.rows * this.plane.columns);
      this.before.set(k, original);
      mask = original.slice();
      this.masks.set(k, mask);
    }
    return mask;
  }
}
