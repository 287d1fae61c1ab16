// The ruler (M): a left drag on the image draws a line on the current slice and the corner shows its length.
// Lines stay on their slice while the series is open; Delete clears the current slice's. Nothing is stored:
// the dataset keeps the findings' own measurements, taken on their masks.
import { MIN_MEASURE_PX } from './measurement.ts';
import type { Point } from './mask-brush.ts';
import type { ViewerPage } from './viewer-page.ts';
import type { PaintStage } from './viewport/stack-viewport.ts';

export function rulerDrag(viewer: ViewerPage, stage: PaintStage, point: Point): void {
  const k = viewer.viewport.slice;
  if (stage === 'start') {
    viewer.measuring = { slice: k, a: point, b: point };
  } else if (viewer.measuring) {
    // A stroke ending off the image (the viewport passes -1, -1 then) keeps the last point on it.
    if (point.x !== -1 || point.y !== -1) viewer.measuring.b = point;
    if (stage === 'end') {
      const { a, b } = viewer.measuring;
      if (Math.hypot(b.x - a.x, b.y - a.y) >= MIN_MEASURE_PX) viewer.measurements.push(viewer.measuring);
      viewer.measuring = null;
    }
  }
  viewer.renderCorners();
  viewer.drawOverlay();
}

/** Delete: the current slice's lines go; says how many went. */
export function clearRuler(viewer: ViewerPage): number {
  const k = viewer.viewport.slice;
  const before = viewer.measurements.length;
  viewer.measurements = viewer.measurements.filter((m) => m.slice !== k);
  viewer.renderCorners();
  viewer.drawOverlay();
  return before - viewer.measurements.length;
}
