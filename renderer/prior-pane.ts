// The prior scan side by side with the current one (S): the patient's earlier study that the Since prior box
// compares with, in a pane beside the stack that scrolls with it — each slice of the current scan shows the
// prior's slice at the same anatomy, through the follow-up's registration (prior-sync.ts) — in the same
// window, inversion and thick slab, with the same anatomy in the middle at the same millimetres per screen
// pixel. The wheel on either scrolls both; window/level, zoom or pan set on the prior hold until the stack next
// changes (the stack leads). The prior's nodules (the reader's view of that scan:
// rejected ones left out, as the comparison leaves them) are outlined in their review colours, and the earlier
// self of the finding selected on the stack is drawn as selected. Its label names the prior's date and slice,
// and says when the current slice lies beyond the prior scan or the scans lined up poorly. It stays on from series to
// series while the reader keeps it on (each series with its own prior); it shares the stack's side with the
// coronal and sagittal planes, so V and S take turns.
import type { FindingInfo, FollowUp, SeriesInfo } from '../src/shared/api-types.ts';
import { formatDicomDate } from '../src/shared/dicom-date.ts';
import { api } from './api-client.ts';
import { formatValue } from './corner-text.ts';
import { byId } from './dom.ts';
import { findingState } from './finding-state.ts';
import { maskStyle, maskToRgba } from './layer-pixels.ts';
import type { Point } from './mask-brush.ts';
import { OverlayCanvas, type OverlayLayer } from './overlay-canvas.ts';
import { priorPoint, sideBySideProblem, type PriorPoint } from './prior-sync.ts';
import { showError } from './toasts.ts';
import { PriorViewport } from './viewport/prior-viewport.ts';
import type { ViewState } from './viewport/stack-viewport.ts';

export class PriorPane {
  private readonly frame = byId('prior-pane');
  private readonly label = byId('prior-label');
  private readonly probe = byId('prior-probe');
  /** The pointer over the prior, in its image pixels; null when it is elsewhere. */
  private pointer: Point | null = null;
  readonly view = new PriorViewport(byId('prior-viewport'));
  /** The reader turned it on (S) and has not turned it off: it comes back with the next series' prior. */
  wanted = false;
  private followUp: FollowUp | null = null;
  private prior: SeriesInfo | null = null;
  private target: PriorPoint | null = null;
  private slabMm = 0;
  /** Counts show() calls, so an earlier one that is still reading gives way to the latest. */
  private requests = 0;
  /** The prior's findings this reader did not reject, and their masks fetched so far (maskKey). */
  private findings: FindingInfo[] = [];
  private readonly masks = new Map<string, Uint8Array | Promise<void>>();
  private readonly overlay = new OverlayCanvas(byId<HTMLCanvasElement>('prior-overlay'));
  /** The prior finding paired with the one selected on the stack. */
  private selectedPrior: number | null = null;

  constructor() {
    this.view.onError = (error) => showError(error);
    this.view.onRender = () => {
      this.renderLabel();
      this.renderProbe();
      this.drawOverlay();
    };
    this.view.onPointer = (point) => {
      this.pointer = point;
      this.renderProbe();
    };
  }

  get on(): boolean {
    return !this.frame.hidden;
  }

  /**
   * Shows the comparison's prior beside `current`, at the anatomy `state` shows; returns null, or why this
   * prior cannot be shown beside it.
   */
  async show(
    followUp: FollowUp,
    current: SeriesInfo,
    state: ViewState | null,
    slabMm: number,
    selected: FindingInfo | null,
  ): Promise<string | null> {
    const request = ++this.requests;
    const uid = followUp.prior.seriesUid;
    const fresh = this.prior?.seriesUid !== uid;
    // The prior's findings are read again each time (its reader may have decided on it since).
    const [prior, findings] = await Promise.all([fresh ? api.series(uid) : this.prior!, api.findings(uid)]);
    if (request !== this.requests) return null; // a later call decides
    const problem = sideBySideProblem(current.geometry, prior.geometry);
    if (problem) return problem;
    this.followUp = followUp;
    // Shown before the prior's first slice, so that slice is fitted to the pane's real size.
    this.frame.hidden = false;
    this.findings = findings.filter((f) => findingState(f) !== 'rejected');
    if (fresh) {
      this.prior = prior;
      this.masks.clear();
      this.overlay.invalidate();
      this.frame.dataset['seriesUid'] = uid;
      this.target = this.pointFor(current, state);
      await this.view.open(prior, this.target.k);
    }
    if (state) this.sync(current, state, slabMm, selected);
    this.drawOverlay();
    return null;
  }

  /** Hides it; `wanted` says whether the reader turned it off or a series without a prior did. */
  hide(wanted: boolean): void {
    this.wanted = wanted;
    this.frame.hidden = true;
    this.followUp = null;
  }

  /** Follows the stack: the matching slice, the window, inversion and slab, and the selected finding. */
  sync(current: SeriesInfo, state: ViewState, slabMm: number, selected: FindingInfo | null): void {
    if (!this.on || !this.followUp || !this.prior || this.followUp.seriesUid !== current.seriesUid) return;
    const paired = selected && this.followUp.changes.find((c) => c.current === String(selected.id))?.prior;
    const selectedPrior = paired ? Number(paired) : null;
    if (selectedPrior !== this.selectedPrior) {
      this.selectedPrior = selectedPrior;
      this.drawOverlay();
    }
    // What the middle of the stack's canvas shows, in the prior: its slice, and the middle of the prior's.
    const target = this.pointFor(current, state);
    const moved = target.k !== this.target?.k;
    this.target = target;
    if (slabMm !== this.slabMm) {
      this.slabMm = slabMm;
      void this.view.setSlab(slabMm).then(() => this.view.showSlice(target.k));
    } else if (moved) void this.view.showSlice(target.k);
    this.view.followWindow(state.window, state.invert);
    this.view.frame(state.zoom * (this.prior.pixelSpacingMm[1] / current.pixelSpacingMm[1]), target);
    this.renderLabel();
  }

  /** The prior's point under the middle of the stack's canvas (its image centre before a view exists). */
  private pointFor(current: SeriesInfo, state: ViewState | null): PriorPoint {
    const centre = state?.centre ?? { column: (current.columns - 1) / 2, row: (current.rows - 1) / 2 };
    return priorPoint(current.geometry, this.prior!.geometry, this.followUp!.registration.translationMm, {
      k: state?.slice ?? 0,
      ...centre,
    });
  }

  /** The prior's nodules on the slice shown (their masks fetched once each), in their review colours. */
  private drawOverlay(): void {
    const prior = this.prior;
    const canvas = this.view.canvas;
    const size = { width: canvas.width, height: canvas.height };
    if (!prior || !this.on) return this.overlay.draw(size, null, [], null);
    const k = this.view.slice;
    const layers: OverlayLayer[] = [];
    for (const finding of this.findings) {
      if (k < finding.sliceRange[0] || k > finding.sliceRange[1]) continue;
      const key = maskKey(finding, k);
      const mask = this.masks.get(key);
      if (mask === undefined) {
        this.masks.set(
          key,
          api.mask(finding.id, k).then(
            (bytes) => {
              this.masks.set(key, bytes);
              if (this.prior === prior) this.drawOverlay();
            },
            (error: unknown) => {
              this.masks.delete(key);
              showError(error);
            },
          ),
        );
        continue;
      }
      if (!(mask instanceof Uint8Array)) continue;
      const selected = finding.id === this.selectedPrior;
      const state = findingState(finding);
      layers.push({
        key: `${key}/${state}/${selected}`,
        rows: prior.rows,
        columns: prior.columns,
        rgba: () => maskToRgba(mask, prior.rows, prior.columns, maskStyle(state, selected)),
      });
    }
    this.overlay.draw(size, this.view.transform(), layers, null);
  }

  private renderLabel(): void {
    const prior = this.prior;
    const followUp = this.followUp;
    if (!prior || !followUp) return;
    const days = followUp.prior.daysBefore;
    const lines = [
      `Prior ${formatDicomDate(prior.studyDate)}${days === null ? '' : ` (${days} days earlier)`}`,
      `Slice ${this.view.slice + 1} / ${prior.slices}`,
    ];
    const slab = this.view.slabSlices();
    if (slab) lines.push(`MIP ${this.view.slabMm} mm · slices ${slab[0] + 1}–${slab[1] + 1}`);
    if (this.target && !this.target.inside)
      lines.push(`this slice lies beyond the prior scan's ${this.target.k === 0 ? 'first' : 'last'} slice`);
    if (followUp.registration.uncertain) lines.push('lined up poorly: compare by eye');
    const text = lines.join('\n');
    if (this.label.textContent !== text) this.label.textContent = text;
    this.frame.dataset['slice'] = String(this.view.slice);
  }

  /** The prior's value under the pointer and the voxel it names, as the stack's corner shows its own. */
  private renderProbe(): void {
    const value = this.prior && this.pointer ? this.view.valueAt(this.pointer) : null;
    const text = value
      ? `${formatValue(this.prior!.modality, value.value)} at ${value.column}, ${value.row} · slice ${this.view.slice + 1}`
      : '';
    if (this.probe.textContent !== text) this.probe.textContent = text;
  }
}

/**
 * A prior mask's cache key: the finding, the slice, and what changes with each edit of it — the reader's
 * decision time (painting sets it, undo puts the earlier one back) and the volume — so a mask corrected on the
 * prior (opened through ↗, or by another window) is fetched again when the pane next shows, not drawn as it was.
 */
function maskKey(finding: FindingInfo, k: number): string {
  return `${finding.id}/${finding.decision?.at ?? ''}/${finding.volumeMm3}/${k}`;
}
