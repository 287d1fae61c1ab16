// What the viewer's keys and buttons do: scroll, window, thick slab, ruler, tools, and the review itself —
// confirm, reject with a reason, brush/eraser corrections, adding a missed finding, undo/redo, done. Each
// action is stored by the API when made (there is no Save button); a failure is shown in a toast naming what
// failed and the view is put back to what the server holds.
import { parseBound } from './paint-range.ts';
import type { FollowUp, RejectReason } from '../src/shared/api-types.ts';
import { api } from './api-client.ts';
import { byId } from './dom.ts';
import { nextPending, stepFinding } from './finding-state.ts';
import { followJob } from './jobs-panel.ts';
import { nextRadius } from './mask-brush.ts';
import { PaintTool } from './paint-tool.ts';
import { clearRuler } from './ruler-tool.ts';
import type { ShortcutAction } from './shortcuts.ts';
import { showError, showInfo } from './toasts.ts';
import type { ViewerPage } from './viewer-page.ts';
import { presetForKey } from './window-presets.ts';
import { SLAB_CHOICES_MM } from './viewport/slab-projection.ts';

export interface ReviewHooks {
  back(): void;
  /** The series was marked done: open the next one to read. */
  done(seriesUid: string): void;
  /** L: the findings report of the open series. */
  report(): void;
  /** S: the comparison with the patient's prior the Since prior box has chosen, or null without one. */
  comparison(): Promise<FollowUp | null>;
}

const REASONS: Partial<Record<ShortcutAction, RejectReason>> = {
  'reason-vessel': 'vessel',
  'reason-scar': 'scar',
  'reason-artefact': 'artefact',
  'reason-benign': 'benign',
  'reason-other': 'other',
};

export class ReviewActions {
  private readonly paintTool: PaintTool;

  constructor(
    private readonly viewer: ViewerPage,
    private readonly hooks: ReviewHooks,
  ) {
    this.paintTool = new PaintTool(viewer);
    const click = (id: string, action: ShortcutAction) =>
      byId(id).addEventListener('click', () => void this.run(action));
    click('back-button', 'back');
    click('invert-button', 'invert');
    click('reset-button', 'reset');
    click('cine-button', 'cine');
    click('measure-button', 'measure');
    click('planes-button', 'toggle-planes');
    click('flags-button', 'toggle-flags');
    click('probability-button', 'toggle-probability');
    click('brush-button', 'brush');
    click('eraser-button', 'eraser');
    click('add-button', 'add-finding');
    click('outline-button', 'outline');
    click('range-button', 'toggle-paint-range');
    for (const [id, bound] of [
      ['range-low', 'low'],
      ['range-high', 'high'],
    ] as const) {
      const input = byId<HTMLInputElement>(id);
      input.addEventListener('change', () => {
        viewer.paintRange[bound] = parseBound(input.value, viewer.paintRange[bound]);
        viewer.paintRange.on = true; // a range typed in is a range meant to be used
        input.blur(); // give the keys back to the viewer
        viewer.renderPanel();
      });
    }
    click('undo-button', 'undo');
    click('redo-button', 'redo');
    click('done-button', 'done');
    click('report-button', 'report');
    click('confirm-button', 'confirm');
    click('reject-button', 'reject');
    click('reason-cancel', 'cancel-reason');
    byId('run-model-button').addEventListener('click', () => void this.runModel());
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
    const slabSelect = byId<HTMLSelectElement>('slab-select');
    for (const mm of SLAB_CHOICES_MM) {
      const option = document.createElement('option');
      option.value = String(mm);
      option.textContent = `MIP ${mm} mm`;
      slabSelect.append(option);
    }
    slabSelect.addEventListener('change', () => {
      slabSelect.blur(); // give the keys back to the viewer
      void this.showSlab(Number(slabSelect.value));
    });
    byId<HTMLInputElement>('cine-fps').addEventListener('change', () => {
      if (viewer.viewport.cinePlaying) viewer.viewport.startCine(this.fps());
    });
  }

  private fps(): number {
    return Number(byId<HTMLInputElement>('cine-fps').value) || 10;
  }

  /** Shows a thick slab of `mm` (0: single slices), except while painting, which needs single slices. */
  private async showSlab(mm: number): Promise<void> {
    const viewer = this.viewer;
    if (mm > 0 && !viewer.canShowSlab()) {
      showInfo('This series has no slice positions, which a thick slab needs.');
    } else if (mm > 0 && viewer.tool !== 'none' && viewer.tool !== 'measure') {
      showInfo('Leave the brush first (Esc): masks are painted on single slices.');
    } else {
      if (mm > 0) viewer.slabChoiceMm = mm;
      await viewer.viewport.setSlab(mm);
    }
    viewer.renderAll();
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
      case 'toggle-planes': {
        const reason = viewer.togglePlanes();
        if (reason) showInfo(`No planes: ${reason}.`);
        return;
      }
      case 'toggle-prior':
        try {
          const reason = await viewer.togglePrior(() => this.hooks.comparison());
          if (reason) showInfo(`No prior side by side: ${reason}.`);
        } catch (error) {
          showError(error);
        }
        return;
      case 'toggle-slab':
        return this.showSlab(viewport.slabMm > 0 ? 0 : viewer.slabChoiceMm);
      case 'measure':
        return this.paintTool.setTool(viewer.tool === 'measure' ? 'none' : 'measure');
      case 'clear-measurements': {
        const cleared = clearRuler(viewer);
        return showInfo(
          cleared
            ? `Cleared ${cleared} ruler line${cleared === 1 ? '' : 's'} on this slice.`
            : 'No ruler line on this slice.',
        );
      }
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
        return this.paintTool.setTool(viewer.tool === action ? 'none' : action);
      case 'add-finding':
        return this.paintTool.setTool(viewer.tool === 'add' ? 'none' : 'add');
      case 'outline':
        return this.paintTool.setTool(viewer.tool === 'outline' ? 'none' : 'outline');
      case 'fill-slices':
        return this.fillSlices();
      case 'report':
        return this.hooks.report();
      case 'toggle-paint-range':
        viewer.paintRange.on = !viewer.paintRange.on;
        return viewer.renderPanel();
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
        if (viewer.tool !== 'none') return this.paintTool.setTool('none');
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

  /** F: the empty slices between the painted ones of the selected finding, interpolated by the server. */
  private async fillSlices(): Promise<void> {
    const viewer = this.viewer;
    const finding = viewer.selected();
    if (!finding) return showInfo('Select a finding first (J / K), paint its first and last slices, then F.');
    try {
      const { filled } = await api.fillSlices(finding.id);
      await viewer.reloadFindings();
      const first = filled[0]! + 1;
      const last = filled[filled.length - 1]! + 1;
      showInfo(
        `Filled ${filled.length} slice${filled.length === 1 ? '' : 's'} (${first === last ? first : `${first}–${last}`}) of finding ${finding.id}. Ctrl+Z undoes it.`,
      );
    } catch (error) {
      showError(error);
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

  private async runModel(): Promise<void> {
    const viewer = this.viewer;
    const series = viewer.series;
    if (!series) return;
    try {
      const job = await api.runModel(series.seriesUid);
      await followJob(job, () => undefined);
      if (viewer.series === series) await viewer.reloadSeries();
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
