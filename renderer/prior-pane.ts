// The prior scan side by side with the current one (S): the patient's earlier study that the Since prior box
// compares with, in a pane beside the stack that scrolls with it — each slice of the current scan shows the
// prior's slice at the same anatomy, through the follow-up's registration (prior-sync.ts) — in the same
// window, inversion and thick slab. The wheel on either scrolls both; window/level, zoom and pan on the prior
// are its own until the stack's window changes again. Its label names the prior's date and slice, and says
// when the current slice lies beyond the prior scan or the scans lined up poorly. It stays on from series to
// series while the reader keeps it on (each series with its own prior); it shares the stack's side with the
// coronal and sagittal planes, so V and S take turns.
import type { FollowUp, SeriesInfo } from '../src/shared/api-types.ts';
import { formatDicomDate } from '../src/shared/dicom-date.ts';
import { api } from './api-client.ts';
import { byId } from './dom.ts';
import { priorPoint, type PriorPoint } from './prior-sync.ts';
import { showError } from './toasts.ts';
import { PriorViewport } from './viewport/prior-viewport.ts';
import type { ViewState } from './viewport/stack-viewport.ts';

export class PriorPane {
  private readonly frame = byId('prior-pane');
  private readonly label = byId('prior-label');
  readonly view = new PriorViewport(byId('prior-viewport'));
  /** The reader turned it on (S) and has not turned it off: it comes back with the next series' prior. */
  wanted = false;
  private followUp: FollowUp | null = null;
  private prior: SeriesInfo | null = null;
  private target: PriorPoint | null = null;
  private slabMm = 0;

  constructor() {
    this.view.onError = (error) => showError(error);
    this.view.onRender = () => this.renderLabel();
  }

  get on(): boolean {
    return !this.frame.hidden;
  }

  /** Shows the comparison's prior beside `current`, at the slice matching `state`'s. */
  async show(
    followUp: FollowUp,
    current: SeriesInfo,
    state: ViewState | null,
    slabMm: number,
  ): Promise<void> {
    this.followUp = followUp;
    // Shown before the prior's first slice, so that slice is fitted to the pane's real size.
    this.frame.hidden = false;
    if (this.prior?.seriesUid !== followUp.prior.seriesUid) {
      const prior = await api.series(followUp.prior.seriesUid);
      if (this.followUp !== followUp) return;
      this.prior = prior;
      this.frame.dataset['seriesUid'] = prior.seriesUid;
      this.target = this.pointFor(current, state?.slice ?? 0);
      await this.view.open(prior, this.target.k);
    }
    if (state) this.sync(current, state, slabMm);
  }

  /** Hides it; `wanted` says whether the reader turned it off or a series without a prior did. */
  hide(wanted: boolean): void {
    this.wanted = wanted;
    this.frame.hidden = true;
    this.followUp = null;
  }

  /** Follows the stack: the matching slice, the window, inversion and slab. */
  sync(current: SeriesInfo, state: ViewState, slabMm: number): void {
    if (!this.on || !this.followUp || !this.prior || this.followUp.seriesUid !== current.seriesUid) return;
    const target = this.pointFor(current, state.slice);
    const moved = target.k !== this.target?.k;
    this.target = target;
    if (slabMm !== this.slabMm) {
      this.slabMm = slabMm;
      void this.view.setSlab(slabMm).then(() => this.view.showSlice(target.k));
    } else if (moved) void this.view.showSlice(target.k);
    this.view.follow(state.window, state.invert);
    // The same anatomy in the middle, at the same millimetres per screen pixel.
    const middle = priorPoint(
      current.geometry,
      this.prior.geometry,
      this.followUp.registration.translationMm,
      {
        k: state.slice,
        ...state.centre,
      },
    );
    this.view.frame(state.zoom * (this.prior.pixelSpacingMm[1] / current.pixelSpacingMm[1]), middle);
    this.renderLabel();
  }

  private pointFor(current: SeriesInfo, k: number): PriorPoint {
    return priorPoint(
      current.geometry,
      this.prior?.geometry ?? current.geometry,
      this.followUp!.registration.translationMm,
      {
        k,
        column: (current.columns - 1) / 2,
        row: (current.rows - 1) / 2,
      },
    );
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
}
