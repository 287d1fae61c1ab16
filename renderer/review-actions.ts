// What the viewer's keys and buttons do: scroll, window, tools, and the review itself — confirm, reject with
// a reason, brush/eraser corrections, adding a missed finding, undo/redo, done. Each action is stored by the
// API when made (there is no Save button); a failure is shown in a toast naming what failed and the view is
// put back to what the server holds.
import type { RejectReason } from '../src/shared/api-types.ts';
import { api } from './api-client.ts';
import { byId } from './dom.ts';
import { nextPending, stepFinding } from './finding-state.ts';
import { countSet, maskToBase64, nextRadius, paintDisc, paintSegment, type Point } from './mask-brush.ts';
import type { ShortcutAction } from './shortcuts.ts';
import { showError, showInfo } from './toasts.ts';
import type { Tool, ViewerPage } from './viewer-page.ts';
import type { PaintStage } from './viewport/stack-viewport.ts';
import { presetForKey } from './window-presets.ts';

export interface ReviewHooks {
  back(): void;
  /** The series was marked done: open the next one to read. */
  done(seriesUid: string): void;
}

const REASONS: Partial<Record<ShortcutAction, RejectReason>> = {
  'reason-vessel': 'vessel',
  'reason-scar': 'scar',
  'reason-artefact': 'artefact',
  'reason-benign': 'benign',
  'reason-other': 'other',
};

export class ReviewActions {
  private stroke: {
    slice: number;
    findingId: number | null;
    mask: Uint8Array;
    before: Uint8Array;
    last: Point;
  } | null = null;

  constructor(
    private readonly viewer: ViewerPage,
    private readonly hooks: ReviewHooks,
  ) {
    const click = (id: string, action: ShortcutAction) =>
      byId(id).addEventListener('click', () => void this.run(action));
    click('back-button', 'back');
    click('invert-button', 'invert');
    click('reset-button', 'reset');
    click('cine-button', 'cine');
    click('flags-button', 'toggle-flags');
    click('probability-button', 'toggle-probability');
    click('brush-button', 'brush');
    click('eraser-button', 'eraser');
    click('add-button', 'add-finding');
    click('undo-button', 'undo');
    click('redo-button', 'redo');
    click('done-button', 'done');
    click('confirm-button', 'confirm');
    click('reject-button', 'reject');
    click('reason-cancel', 'cancel-reason');
    for (const button of byId('reason-box').querySelectorAll<HTMLButtonElement>('button[data-reason]')) {
      button.addEventListener('click', () => void this.reject(button.dataset['reason'] as RejectReason));
    }
    byId<HTMLInputElement>('reason-note').addEventListener('keydown', (event) => {
      if (event.key === 'Enter') {
        event.preventDefault();
        void this.reject('other');
      } else if (event.key === 'Escape') {
        void this.run('cancel-reason');
      }
    });
    byId<HTMLInputElement>('threshold').addEventListener('input', (event) => {
      viewer.threshold = Number((event.target as HTMLInputElement).value);
      viewer.renderAll();
    });
    byId<HTMLInputElement>('cine-fps').addEventListener('change', () => {
      if (viewer.viewport.cinePlaying) viewer.viewport.startCine(this.fps());
    });
  }

  private fps(): number {
    return Number(byId<HTMLInputElement>('cine-fps').value) || 10;
  }

  async run(action: ShortcutAction): Promise<void> {
    const viewer = this.viewer;
    const viewport = viewer.viewport;
    const preset = /^preset-(\d)$/.exec(action);
    if (preset) {
      const window = presetForKey(preset[1]!);
      if (window) viewport.setWindow(window);
      return;
    }
    const reason = REASONS[action];
    if (reason) return this.chooseReason(reason);
    switch (action) {
      case 'slice-previous':
        return viewport.scrollBy(-1);
      case 'slice-next':
        return viewport.scrollBy(1);
      case 'slice-page-up':
        return viewport.scrollBy(-10);
      case 'slice-page-down':
        return viewport.scrollBy(10);
      case 'slice-first':
        return viewport.showSlice(0);
      case 'slice-last':
        return viewport.showSlice(viewport.sliceCount - 1);
      case 'invert':
        return viewport.toggleInvert();
      case 'reset':
        return viewport.reset();
      case 'cine':
        if (viewport.cinePlaying) viewport.stopCine();
        else viewport.startCine(this.fps());
        return viewer.renderPanel();
      case 'toggle-flags':
        viewer.showFlags = !viewer.showFlags;
        return viewer.renderAll();
      case 'toggle-probability':
        if (!viewer.series?.hasProbabilityMap)
          return showInfo('This series has no probability map (the model has not run on it).');
        viewer.showProbability = !viewer.showProbability;
        return viewer.renderAll();
      case 'next-finding':
      case 'previous-finding': {
        const next = stepFinding(viewer.navigable(), viewer.selectedId, action === 'next-finding' ? 1 : -1);
        if (next) viewer.select(next.id);
        return;
      }
      case 'confirm':
        return this.confirm();
      case 'reject':
        if (!viewer.selected()) return showInfo('Select a finding first (J / K).');
        viewer.awaitingReason = true;
        return viewer.renderPanel();
      case 'cancel-reason':
        viewer.awaitingReason = false;
        byId<HTMLInputElement>('reason-note').value = '';
        return viewer.renderPanel();
      case 'brush':
      case 'eraser':
        if (!viewer.selected())
          return showInfo('Select a finding to correct first (J / K), or A to add one.');
        return this.setTool(viewer.tool === action ? 'none' : action);
      case 'add-finding':
        return this.setTool(viewer.tool === 'add' ? 'none' : 'add');
      case 'radius-down':
      case 'radius-up':
        viewer.radius = nextRadius(viewer.radius, action === 'radius-up' ? 1 : -1);
        viewer.renderPanel();
        return viewer.drawOverlay();
      case 'undo':
      case 'redo':
        return this.undoRedo(action);
      case 'done':
        return this.markDone();
      case 'back':
        if (viewer.tool !== 'none') return this.setTool('none');
        return this.hooks.back();
      default:
        return;
    }
  }

  private async confirm(): Promise<void> {
    const finding = this.viewer.selected();
    if (!finding) return showInfo('Select a finding first (J / K).');
    try {
      await api.decide(finding.id, { kind: 'confirmed' });
      await this.viewer.reloadFindings();
      this.advance(finding.id);
    } catch (error) {
      showError(error);
    }
  }

  private chooseReason(reason: RejectReason): Promise<void> | void {
    if (reason !== 'other') return this.reject(reason);
    byId<HTMLInputElement>('reason-note').focus(); // Other needs a note; Enter in the field saves
  }

  private async reject(reason: RejectReason): Promise<void> {
    const viewer = this.viewer;
    const finding = viewer.selected();
    if (!finding) return;
    const noteField = byId<HTMLInputElement>('reason-note');
    const note = noteField.value.trim();
    if (reason === 'other' && !note) {
      noteField.focus();
      return showInfo('Type a short note for "Other", then Enter.');
    }
    try {
      await api.decide(finding.id, { kind: 'rejected', reason, ...(note ? { note } : {}) });
      viewer.awaitingReason = false;
      noteField.value = '';
      noteField.blur();
      await viewer.reloadFindings();
      this.advance(finding.id);
    } catch (error) {
      showError(error);
    }
  }

  /** After a decision: on to the next finding still pending, so a read is Y/N, Y/N… then D. */
  private advance(fromId: number): void {
    const next = nextPending(this.viewer.navigable(), fromId);
    if (next) this.viewer.select(next.id);
    else this.viewer.select(fromId, false);
  }

  private setTool(tool: Tool): void {
    const viewer = this.viewer;
    viewer.tool = tool;
    viewer.draft = null;
    viewer.viewport.setPaintHandler(tool === 'none' ? null : (stage, point) => void this.paint(stage, point));
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
      this.stroke = { slice: k, findingId, mask, before: mask.slice(), last: point };
      paintDisc(mask, rows, columns, point, viewer.radius, value);
    } else if (this.stroke && stage === 'move') {
      paintSegment(this.stroke.mask, rows, columns, this.stroke.last, point, viewer.radius, value);
      this.stroke.last = point;
    }
    const stroke = this.stroke;
    if (!stroke) return;
    if (stroke.findingId !== null) viewer.maskEdited(stroke.findingId, stroke.slice, stroke.mask);
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
      this.viewer.maskEdited(findingId, k, before); // show what the server still holds
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

  private async undoRedo(action: 'undo' | 'redo'): Promise<void> {
    const viewer = this.viewer;
    if (!viewer.series) return;
    try {
      const result = await (action === 'undo' ? api.undo : api.redo)(viewer.series.seriesUid);
      await viewer.reloadFindings();
      showInfo(
        result.applied
          ? `${action === 'undo' ? 'Undone' : 'Redone'}: ${result.description}`
          : `Nothing to ${action}.`,
      );
    } catch (error) {
      showError(error);
    }
  }

  private async markDone(): Promise<void> {
    const series = this.viewer.series;
    if (!series) return;
    try {
      await api.setStatus(series.seriesUid, { status: 'done' });
      this.hooks.done(series.seriesUid);
    } catch (error) {
      showError(error);
    }
  }
}
