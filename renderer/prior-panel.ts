// The review panel's "Since prior" box: when the patient has an earlier study in the dataset, the open
// series' nodules against it — lined up and matched by the API (GET /api/series/{uid}/follow-up), each with
// its change, mean axial diameter then → now, volume change and doubling time, worded as the findings report
// words them (src/shared/follow-up-text.ts). Hidden when there is no earlier study; the most recent one in the
// same modality is chosen, another earlier one can be picked. Grown and new nodules stand out; a click on a row selects that finding.
import type { FollowUp, PriorSeries, SeriesInfo } from '../src/shared/api-types.ts';
import { changeLine, followUpSummary } from '../src/shared/follow-up-text.ts';
import { formatDicomDate } from '../src/shared/dicom-date.ts';
import { api } from './api-client.ts';
import { byId, element } from './dom.ts';
import { showError, showInfo } from './toasts.ts';
import type { ViewerPage } from './viewer-page.ts';

/** A prior's option text: "2024-03-02 · Chest CT · 412 days earlier". */
export function priorLabel(prior: PriorSeries): string {
  const when = prior.daysBefore === null ? null : `${prior.daysBefore} days earlier`;
  return [
    formatDicomDate(prior.studyDate),
    prior.studyDescription || prior.seriesDescription || prior.modality,
    when,
  ]
    .filter(Boolean)
    .join(' · ');
}

/** The registration's line: the shift found and how well the scans matched. */
export function registrationText(followUp: FollowUp): string {
  const { translationMm, correlation, uncertain } = followUp.registration;
  const shift = translationMm.map((v) => v.toFixed(0)).join(', ');
  return `Lined up by a shift of ${shift} mm (match ${correlation.toFixed(2)})${uncertain ? ' — poorly: check each pair' : ''}.`;
}

export class PriorPanel {
  private readonly box = byId<HTMLDetailsElement>('prior-box');
  private readonly select = byId<HTMLSelectElement>('prior-select');
  /** The series whose earlier studies fill (or are filling) the select, and that request. */
  private listing: { seriesUid: string; done: Promise<void> } | null = null;
  /** The comparison last read, for the side-by-side pane. */
  private last: FollowUp | null = null;
  private requests = 0;

  /** Where "Back" returns to after a prior was opened from the box. */
  private back: {
    seriesUid: string;
    studyUid: string;
    findingId: number | null;
    label: string;
    priorUid: string;
  } | null = null;
  /** The Side by side button: the same as S (set by app.ts). */
  onToggleSideBySide: () => void = () => {};
  /** Opens a series of the patient at one of its findings (set by app.ts). */
  onOpen: (seriesUid: string, studyUid: string, findingId: number | null) => void = () => {};

  constructor(private readonly viewer: ViewerPage) {
    byId('prior-back').addEventListener('click', () => {
      const back = this.back;
      this.back = null;
      if (back) this.onOpen(back.seriesUid, back.studyUid, back.findingId);
    });
    this.box.addEventListener('toggle', () => void this.refresh());
    this.select.addEventListener('change', () => {
      this.select.blur(); // the keys go back to the viewer
      void this.refresh();
    });
    byId('prior-button').addEventListener('click', () => this.onToggleSideBySide());
  }

  /** Reads the comparison again (a series opened, a decision made, another prior chosen, the box opened). */
  async refresh(): Promise<void> {
    const series = this.viewer.series;
    const request = ++this.requests;
    if (!series) return;
    this.showBack(series.seriesUid);
    try {
      await this.listPriors(series);
      if (request !== this.requests) return;
      // The side-by-side prior follows the reader from series to series, and the choice in the select.
      const pane = this.viewer.priorPane;
      if (this.box.hidden || !this.box.open || !this.select.value) {
        if (!pane.wanted) return;
        const followUp = await this.comparison();
        if (request !== this.requests || this.viewer.series !== series) return;
        if (followUp) await this.viewer.showPrior(followUp);
        else if (pane.on) pane.hide(true);
        return;
      }
      byId('prior-status').textContent = 'Lining the scans up…';
      const followUp = await api.followUp(series.seriesUid, this.select.value);
      if (request !== this.requests || this.viewer.series !== series) return;
      this.show(followUp);
      if (pane.wanted) await this.viewer.showPrior(followUp);
    } catch (error) {
      byId('prior-status').textContent = '';
      showError(error);
    }
  }

  /** The open series against the prior chosen in the select, or null when the patient has no earlier study. */
  async comparison(): Promise<FollowUp | null> {
    const series = this.viewer.series;
    if (!series) return null;
    await this.listPriors(series);
    if (this.box.hidden || !this.select.value || this.viewer.series !== series) return null;
    const last = this.last;
    if (last?.seriesUid === series.seriesUid && last.prior.seriesUid === this.select.value) return last;
    // The first comparison of a pair decodes both scans to line them up: a second or two to say so for.
    const slow = setTimeout(() => showInfo('Lining this scan up with the prior…'), 400);
    try {
      this.last = await api.followUp(series.seriesUid, this.select.value);
    } finally {
      clearTimeout(slow);
    }
    return this.last;
  }

  /**
   * Fills the select with the series' earlier studies — once per series, the request shared by whoever asks
   * meanwhile (a refresh, S) — choosing the most recent one in the same modality; hides the box without one.
   */
  private listPriors(series: SeriesInfo): Promise<void> {
    if (this.listing?.seriesUid === series.seriesUid) return this.listing.done;
    this.box.hidden = true;
    byId('prior-heading').textContent = 'Since prior';
    byId('prior-list').replaceChildren();
    const listing = {
      seriesUid: series.seriesUid,
      done: api.priors(series.seriesUid).then(
        (list) => {
          if (this.listing !== listing) return; // another series was opened meanwhile
          // Only earlier studies are offered: "since" a later one would read growth backwards.
          const earlier = list.filter((p) => p.daysBefore === null || p.daysBefore > 0);
          this.select.replaceChildren(
            ...earlier.map((p) =>
              element('option', { attributes: { value: p.seriesUid }, text: priorLabel(p) }),
            ),
          );
          this.select.value =
            (earlier.find((p) => p.modality === series.modality) ?? earlier[0])?.seriesUid ?? '';
          this.box.hidden = earlier.length === 0;
        },
        (error: unknown) => {
          if (this.listing === listing) this.listing = null; // the next refresh asks again
          throw error;
        },
      ),
    };
    this.listing = listing;
    return listing.done;
  }

  private show(followUp: FollowUp): void {
    this.last = followUp;
    byId('prior-heading').textContent = followUpSummary(followUp);
    byId('prior-status').textContent = registrationText(followUp);
    const current = new Map(followUp.current.map((n) => [n.id, n]));
    const prior = new Map(followUp.priorNodules.map((n) => [n.id, n]));
    const here = this.viewer.series!;
    const rows = followUp.changes.map((change) => {
      const button = element('button', {
        attributes: { type: 'button' },
        text: unbroken(changeLine(change, current, prior)),
      });
      const id = change.current === undefined ? null : Number(change.current);
      if (id !== null) button.addEventListener('click', () => this.viewer.select(id));
      else button.disabled = true;
      const then = change.prior === undefined ? undefined : prior.get(change.prior);
      if (!then) return element('li', { className: change.change }, [button]);
      // The prior's own images of this nodule, with the way back to this scan at this finding.
      const open = element('button', {
        className: 'prior-open',
        attributes: {
          type: 'button',
          title: 'Open the prior scan at this nodule',
          'aria-label': `Open the prior scan at its nodule #${then.number}`,
        },
        text: '↗',
      });
      open.addEventListener('click', () => {
        this.back = {
          seriesUid: here.seriesUid,
          studyUid: here.studyUid,
          findingId: id,
          label: `${formatDicomDate(here.studyDate)} scan`,
          priorUid: followUp.prior.seriesUid,
        };
        this.onOpen(followUp.prior.seriesUid, followUp.prior.studyUid, Number(then.id));
      });
      return element('li', { className: change.change }, [button, open]);
    });
    byId('prior-list').replaceChildren(...rows);
  }

  /** The "Back to the follow-up" button: shown while the prior opened from the box is on screen. */
  private showBack(seriesUid: string): void {
    const button = byId<HTMLButtonElement>('prior-back');
    if (this.back && this.back.priorUid !== seriesUid) this.back = null; // another series was opened
    button.hidden = !this.back;
    if (this.back) button.textContent = `← Back to the ${this.back.label}`;
  }
}

/** A figure and its unit kept on one line in the narrow panel ("+63 %" wrapped its "%" alone onto the next). */
export function unbroken(line: string): string {
  return line.replace(/ (%|mm\b|days\b)/g, '\u00a0$1');
}
