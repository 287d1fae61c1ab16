// The crosshair that ties the stack and its reformatted planes together: on each view, a line through the
// point for each other plane, coloured after that plane (Slicer's convention: axial red, coronal green,
// sagittal yellow), broken around the point itself so the lesion under it stays in plain view. Pure.
import type { Rgb } from './layer-pixels.ts';
import type { Matrix, OverlayLine } from './overlay-canvas.ts';
import type { PlaneName } from './viewport/reformat.ts';

export const PLANE_COLOURS: Record<PlaneName, Rgb> = {
  Axial: [230, 70, 70],
  Coronal: [70, 200, 90],
  Sagittal: [230, 200, 60],
};

/** Screen pixels left open on each side of the point. */
const GAP_PX = 14;

/**
 * Guide lines through image pixel `at` of an image `size` big: a vertical one (the plane `vertical` seen edge
 * on) and a horizontal one (`horizontal`), each in two parts that stop GAP_PX screen pixels short of the point.
 */
export function crosshairLines(
  at: { x: number; y: number },
  size: { columns: number; rows: number },
  transform: Matrix,
  vertical: PlaneName,
  horizontal: PlaneName,
): OverlayLine[] {
  const [a, b, c, d] = transform;
  const gapX = GAP_PX / Math.max(1e-6, Math.hypot(a, b)); // image pixels per GAP_PX along x
  const gapY = GAP_PX / Math.max(1e-6, Math.hypot(c, d));
  const line = (x0: number, y0: number, x1: number, y1: number, plane: PlaneName): OverlayLine => ({
    a: { x: x0, y: y0 },
    b: { x: x1, y: y1 },
    label: '',
    colour: PLANE_COLOURS[plane],
    guide: true,
  });
  const lines: OverlayLine[] = [];
  const top = -0.5;
  const left = -0.5;
  const bottom = size.rows - 0.5;
  const right = size.columns - 0.5;
  if (at.y - gapY > top) lines.push(line(at.x, top, at.x, at.y - gapY, vertical));
  if (at.y + gapY < bottom) lines.push(line(at.x, at.y + gapY, at.x, bottom, vertical));
  if (at.x - gapX > left) lines.push(line(left, at.y, at.x - gapX, at.y, horizontal));
  if (at.x + gapX < right) lines.push(line(at.x + gapX, at.y, right, at.y, horizontal));
  return lines;
}
