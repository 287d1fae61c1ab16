// The brush, the eraser and "add finding": strokes paint a copy of the selected finding's mask on the current
// slice (or a new draft mask) and are stored when the stroke ends — a correction as a PUT of the slice's mask,
// a missed finding as a POST. The brush and eraser also paint on the coronal and sagittal planes
// (plane-paint.ts). A failed save puts back what the server holds and says so. setTool also switches to the
// ruler, whose drags go to ruler-tool.ts.
import { api } from './api-client.ts';
import { countSet, maskToBase64, paintDisc, paintSegment, type Point } from './mask-brush.ts';
import { PlanePaint } from './plane-paint.ts';
import { outlineAt } from './outline-tool.ts';
import { rulerDrag } from './ruler-tool.ts';
import { showError, showInfo } from './toasts.ts';
import type { Tool, ViewerPage } from './viewer-page.ts';
import type { PaintStage } from './viewport/stack-viewport.ts';

export class PaintTool {
  private stroke: {
    slice: number;
    findingId: number | null;
    mask: Uint8Array;
    before: Uint8Array;
    last: Point;
    /** Pixels the brush may set while the intensity range is on (paint-range.ts). */
    paintable: Uint8Array | undefined;
  } | null = null;

  private readonly planePaint: PlanePaint;

  constructor(private readonly viewer: ViewerPage) {
    this.planePaint = new PlanePaint(viewer);
  }

  setTool(tool: Tool): void {
    const viewer = this.viewer;
    viewer.tool = tool;
    viewer.draft = null;
    viewer.measuring = null;
    viewer.planes.setPainter(tool === 'brush' || tool === 'eraser' ? this.planePaint : null);
    viewer.viewport.setPaintHandler(
      tool === 'none'
        ? null
        : tool === 'measure'
          ? (stage, point) => rulerDrag(viewer, stage, point)
          : tool === 'outline'
            ? (stage, point) => void (stage === 'start' && outlineAt(viewer, point))
            : (stage, point) => void this.paint(stage, point),
    );
    if (tool !== 'none' && tool !== 'measure' && viewer.viewport.slabMm > 0) {
      // Masks are painted on single slices; painting over a projection would put them where they are not seen.
      void viewer.viewport.setSlab(0).then(() => viewer.renderAll());
      showInfo('Thick slab off while painting: masks are painted on single slices.');
    }
    if ((tool === 'brush' || tool === 'eraser') && viewer.selected()) {
      // Have the mask at hand before the first stroke, so painting starts on what the server holds.
      viewer.loadMask(viewer.selected()!, viewer.viewport.slice).then(() => viewer.drawOverlay(), showError);
    }
    viewer.renderAll();
  }

  private async paint(stage: PaintStage, point: Point): Promise<void> {
    const viewer = this.viewer;
    const series = viewer.series;
    if (!series) return;
    const { rows, columns } = series;
    const k = viewer.viewport.slice;
    const value = viewer.tool === 'eraser' ? 0 : 1;
    if (stage === 'start') {
      let mask: Uint8Array;
      let findingId: number | null = null;
      if (viewer.tool === 'add') {
        if (!viewer.draft || viewer.draft.slice !== k)
          viewer.draft = { slice: k, mask: new Uint8Array(rows * columns) };
        mask = viewer.draft.mask;
      } else {
        const finding = viewer.selected();
        if (!finding) return;
        findingId = finding.id;
        const cached = viewer.cachedMask(finding.id, k);
        if (!cached) {
          // First stroke on a slice whose mask is still loading: load it, the user paints again.
          viewer.loadMask(finding, k).then(() => viewer.drawOverlay(), showError);
          return;
        }
        mask = cached.slice();
      }
      // A projection is never the gate: painting turns the slab off, and a mask belongs to one slice.
      const paintable =
        value === 1 && viewer.viewport.slabMm === 0
          ? viewer.paintableOf(viewer.viewport.storedImage())
          : undefined;
      this.stroke = { slice: k, findingId, mask, before: mask.slice(), last: point, paintable };
      paintDisc(mask, rows, columns, point, viewer.radius, value, 1, paintable);
    } else if (this.stroke && stage === 'move') {
      const { mask, last, paintable } = this.stroke;
      paintSegment(mask, rows, columns, last, point, viewer.radius, value, 1, paintable);
      this.stroke.last = point;
    }
    const stroke = this.stroke;
    if (!stroke) return;
    if (stroke.findingId !== null)
      viewer.masksEdited(stroke.findingId, new Map([[stroke.slice, stroke.mask]]));
    else viewer.drawOverlay();
    if (stage === 'end') {
      this.stroke = null;
      await (stroke.findingId === null
        ? this.saveDraft(stroke.slice, stroke.mask)
        : this.saveCorrection(stroke.findingId, stroke.slice, stroke.mask, stroke.before));
    }
  }

  private async saveCorrection(
    findingId: number,
    k: number,
    mask: Uint8Array,
    before: Uint8Array,
  ): Promise<void> {
    try {
      await api.saveMask(findingId, k, mask);
      await this.viewer.reloadFindings();
    } catch (error) {
      this.viewer.masksEdited(findingId, new Map([[k, before]])); // show what the server still holds
      showError(error);
    }
  }

  private async saveDraft(k: number, mask: Uint8Array): Promise<void> {
    const viewer = this.viewer;
    if (!viewer.series || countSet(mask) === 0) return;
    try {
      const added = await api.addFinding(viewer.series.seriesUid, {
        slice: k,
        maskBase64: maskToBase64(mask),
      });
      viewer.draft = null;
      this.setTool('none');
      await viewer.reloadFindings();
      viewer.select(added.id, false);
      showInfo('Missed finding added.');
    } catch (error) {
      showError(error); // the draft stays on screen so the stroke is not lost; the next stroke retries
    }
  }
}
