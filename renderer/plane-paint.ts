// The brush and eraser on the coronal and sagittal planes: a drag on a plane paints the selected finding
// along that plane (plane-stroke.ts turns it into the stack's slices), drawn on the stack and both planes as
// it goes, and stored when the drag ends as one action (PUT /api/findings/{id}/plane-mask) that Ctrl+Z takes
// back whole. The brush keeps its size in millimetres. A failed save puts back what the server holds and says
// so, as on the stack.
import { api } from './api-client.ts';
import { STATE_COLOURS } from './layer-pixels.ts';
import { maskToBase64, type Point } from './mask-brush.ts';
import type { PlanePainter } from './plane-panes.ts';
import { PlaneStroke, type PlaneAt } from './plane-stroke.ts';
import { showError, showInfo } from './toasts.ts';
import type { ViewerPage } from './viewer-page.ts';
import type { PaintStage } from './viewport/stack-viewport.ts';

export class PlanePaint implements PlanePainter {
  private stroke: { findingId: number; stroke: PlaneStroke } | null = null;

  constructor(private readonly viewer: ViewerPage) {}

  brush(): ReturnType<PlanePainter['brush']> {
    const viewer = this.viewer;
    const columnMm = viewer.series?.pixelSpacingMm[1] ?? 1;
    return {
      radiusMm: viewer.radius * columnMm, // the stack's brush is `radius` image columns
      colour: viewer.tool === 'eraser' ? STATE_COLOURS.rejected : STATE_COLOURS.pending,
    };
  }

  paint(plane: PlaneAt, stage: PaintStage, point: Point): void {
    const viewer = this.viewer;
    if (stage === 'start') {
      const finding = viewer.selected();
      if (!finding) {
        showInfo(
          'Select a finding first (J / K): the brush paints the selected finding, on the slice or a plane.',
        );
        return;
      }
      const [first, last] = finding.sliceRange;
      for (let k = first; k <= last; k++) {
        if (!viewer.cachedMask(finding.id, k)) {
          showInfo("The finding's masks are still loading; paint again in a moment.");
          return;
        }
      }
      const stroke = new PlaneStroke(
        plane,
        (k) => viewer.cachedMask(finding.id, k),
        viewer.tool === 'eraser' ? 0 : 1,
        this.brush().radiusMm / plane.widthMm,
        point,
        viewer.tool === 'brush' ? viewer.paintableOf(plane.image) : undefined,
      );
      this.stroke = { findingId: finding.id, stroke };
      this.show(stroke.masks.keys());
    } else if (this.stroke) {
      this.show(this.stroke.stroke.to(point));
    }
    if (stage === 'end' && this.stroke) {
      const { findingId, stroke } = this.stroke;
      this.stroke = null;
      void this.save(findingId, stroke);
    }
  }

  /** Draws the stroke's masks of these slices on the stack and the planes. */
  private show(slices: Iterable<number>): void {
    if (!this.stroke) return;
    const { findingId, stroke } = this.stroke;
    const masks = new Map<number, Uint8Array>();
    for (const k of slices) masks.set(k, stroke.masks.get(k)!);
    if (masks.size > 0) this.viewer.masksEdited(findingId, masks);
  }

  private async save(findingId: number, stroke: PlaneStroke): Promise<void> {
    const edit = stroke.edit();
    if (!edit) return;
    const { lines, ...plane } = edit;
    try {
      await api.paintPlane(findingId, { ...plane, linesBase64: maskToBase64(lines) });
      await this.viewer.reloadFindings();
    } catch (error) {
      this.viewer.masksEdited(findingId, stroke.before); // show what the server still holds
      showError(error);
    }
  }
}
