// The prior scan's stack beside the current one: a StackViewport (window/level drag, zoom, pan, its slices
// prefetched into the shared cache) whose plain wheel scrolls the current scan instead — the prior follows the
// current one (prior-pane.ts), so scrolling either keeps them at the same anatomy.
import * as cornerstone from 'cornerstone-core';
import { StackViewport } from './stack-viewport.ts';

export class PriorViewport extends StackViewport {
  /** A plain wheel step on the prior: ±1 slice of the current scan. */
  onScroll: (delta: number) => void = () => {};

  /**
   * Zoom and pan linked to the current scan: `scale` screen pixels per image pixel, and image pixel `centre`
   * (continuous, centres at integers) in the middle of the canvas (only when they differ: each change redraws).
   */
  frame(scale: number, centre: { column: number; row: number }): void {
    const image = this.hasImage ? cornerstone.getEnabledElement(this.element).image : undefined;
    if (!image) return;
    const viewport = cornerstone.getViewport(this.element)!;
    const translation = { x: image.columns / 2 - centre.column - 0.5, y: image.rows / 2 - centre.row - 0.5 };
    if (
      Math.abs(viewport.scale - scale) < 1e-3 &&
      Math.abs(viewport.translation.x - translation.x) < 0.05 &&
      Math.abs(viewport.translation.y - translation.y) < 0.05
    )
      return;
    cornerstone.setViewport(this.element, { scale, translation });
  }

  protected override wheel(event: WheelEvent): void {
    if (event.ctrlKey || event.metaKey) return super.wheel(event);
    event.preventDefault();
    if (event.deltaY !== 0) this.onScroll(event.deltaY > 0 ? 1 : -1);
  }
}
