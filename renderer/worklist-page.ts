// The worklist screen: series in the API's priority order, filtered by status and text as one types,
// ↑/↓ (or J/K) to move, Enter or double-click to open. Refreshes itself while models are running.
import type { WorklistItem, WorklistSort } from '../src/shared/api-types.ts';
import { api } from './api-client.ts';
import { formatDicomDate } from './corner-text.ts';
import { byId, element } from './dom.ts';
import {
  filterWorklist,
  formatLargest,
  formatScore,
  formatWaiting,
  progressText,
  STATUS_LABELS,
  worklistProgress,
  type StatusFilter,
} from './worklist-filter.ts';
import { followRunningJobs } from './jobs-panel.ts';
import { showError } from './toasts.ts';
import { WorklistFollowUps } from './worklist-follow-ups.ts';

export class WorklistPage {
  items: WorklistItem[] = [];
  private shown: WorklistItem[] = [];
  private selectedUid: string | null = null;
  private readonly view = byId('worklist-view');
  private readonly body = byId('worklist-body');
  private readonly status = byId<HTMLSelectElement>('status-filter');
  private readonly text = byId<HTMLInputElement>('text-filter');
  private readonly sort = byId<HTMLSelectElement>('sort-select');
  private timer: ReturnType<typeof setInterval> | null = null;
  /** What changed since each follow-up's prior, filled in as the comparisons come back. */
  readonly followUps = new WorklistFollowUps((uid) => this.redrawFollowUp(uid));
  /** Patients whose series were opened since the worklist last showed: their comparisons are asked again. */
  private readonly openedPatients = new Set<string>();
  /** Called after each render with every item (unfiltered): the first-run sample offer listens. */
  onRendered: (items: readonly WorklistItem[]) => void = () => {};

  constructor(private readonly onOpen: (item: WorklistItem) => void) {
    this.status.addEventListener('change', () => this.render());
    this.sort.addEventListener('change', () => void this.refresh());
    this.text.addEventListener('input', () => this.render());
    this.text.addEventListener('keydown', (event) => {
      if (event.key === 'ArrowDown' || event.key === 'Enter') {
        event.preventDefault();
        this.text.blur();
        if (event.key === 'Enter') this.open();
      }
    });
  }

  get visible(): boolean {
    return !this.view.hidden;
  }

  show(): void {
    this.view.hidden = false;
    for (const patientId of this.openedPatients) this.followUps.forgetPatient(patientId, this.items);
    this.openedPatients.clear();
    this.followUps.resume();
    void this.refresh().then(() => {
      // Opened while the model is still reading (a restart, another window): show those runs' progress.
      if (this.items.some((item) => item.status === 'model-running'))
        void followRunningJobs(() => this.refresh());
    });
    this.timer ??= setInterval(() => {
      if (this.visible && this.items.some((item) => item.status === 'model-running')) void this.refresh();
    }, 2000);
  }

  /** A series of this patient opened in the viewer, where a mask may change without moving any count. */
  opened(patientId: string): void {
    this.openedPatients.add(patientId);
  }

  hide(): void {
    this.view.hidden = true;
    this.followUps.pause();
  }

  async refresh(): Promise<void> {
    try {
      this.items = (await api.worklist(this.sort.value as WorklistSort)).items;
      this.render();
    } catch (error) {
      showError(error);
    }
  }

  focusFilter(): void {
    this.text.focus();
    this.text.select();
  }

  move(delta: number): void {
    if (this.shown.length === 0) return;
    const index = this.shown.findIndex((item) => item.seriesUid === this.selectedUid);
    const next = Math.min(this.shown.length - 1, Math.max(0, index < 0 ? 0 : index + delta));
    this.select(this.shown[next]!.seriesUid);
  }

  open(): void {
    const item = this.shown.find((i) => i.seriesUid === this.selectedUid) ?? this.shown[0];
    if (item) this.onOpen(item);
  }

  select(uid: string): void {
    this.selectedUid = uid;
    for (const row of this.body.querySelectorAll<HTMLTableRowElement>('tr')) {
      const selected = row.dataset['uid'] === uid;
      row.classList.toggle('selected', selected);
      row.setAttribute('aria-selected', String(selected));
      if (selected) row.scrollIntoView({ block: 'nearest' });
    }
  }

  private render(): void {
    this.shown = filterWorklist(this.items, {
      status: this.status.value as StatusFilter,
      text: this.text.value,
    });
    if (!this.shown.some((item) => item.seriesUid === this.selectedUid)) {
      this.selectedUid = this.shown[0]?.seriesUid ?? null;
    }
    this.followUps.beginRender();
    this.body.replaceChildren(...this.shown.map((item) => this.row(item)));
    byId('worklist-empty').hidden = this.items.length > 0;
    byId('worklist-count').textContent = `${this.shown.length} of ${this.items.length} series`;
    const progress = worklistProgress(this.items);
    const bar = byId<HTMLProgressElement>('worklist-progress');
    bar.max = Math.max(1, progress.series);
    bar.value = progress.done;
    byId('worklist-progress-text').textContent = progressText(progress);
    if (this.selectedUid) this.select(this.selectedUid);
    this.onRendered(this.items);
  }

  private row(item: WorklistItem): HTMLTableRowElement {
    const statusText = STATUS_LABELS[item.status];
    const warnings = [...item.scopeWarnings, ...item.warnings];
    const followUp = this.followUps.badge(item, this.items);
    const row = element(
      'tr',
      { className: `status-${item.status}`, attributes: { 'aria-selected': 'false' } },
      [
        element('td', { text: item.patientName.replace(/\^/g, ' ').trim() || '(no name)' }),
        element('td', { text: item.patientId }),
        element('td', { className: 'study-date' }, [
          document.createTextNode(formatDicomDate(item.studyDate)),
          ...(followUp ? [followUp] : []),
        ]),
        element('td', { text: item.accessionNumber }),
        element('td', {
          className: 'long',
          text: item.studyDescription,
          attributes: { title: item.studyDescription },
        }),
        element('td', {
          className: 'long',
          text: item.seriesDescription,
          attributes: { title: item.seriesDescription },
        }),
        element('td', { text: item.modality }),
        element('td', { className: 'number', text: String(item.instances) }),
        element('td', { className: 'number', text: formatScore(item.score) }),
        element('td', { className: 'number', text: formatLargest(item.largestMm) }),
        element('td', { className: 'number', text: formatWaiting(item.arrivedAt, new Date()) }),
        element('td', {
          className: 'number',
          text: item.findingCount ? `${item.reviewedCount}/${item.findingCount}` : '0',
        }),
        element('td', {}, [
          element('span', {
            className: `status-pill ${item.status}`,
            text: statusText,
            attributes: warnings.length ? { title: warnings.join('\n') } : {},
          }),
        ]),
      ],
    );
    row.dataset['uid'] = item.seriesUid;
    row.addEventListener('click', () => this.select(item.seriesUid));
    row.addEventListener('dblclick', () => this.onOpen(item));
    return row;
  }

  /** A follow-up's comparison came back: its row's marker says what changed. */
  private redrawFollowUp(uid: string): void {
    const item = this.shown.find((i) => i.seriesUid === uid);
    const row = [...this.body.querySelectorAll<HTMLTableRowElement>('tr')].find(
      (r) => r.dataset['uid'] === uid,
    );
    const old = row?.querySelector('.prior-badge');
    const badge = item && this.followUps.badge(item, this.items);
    if (old && badge) old.replaceWith(badge);
  }
}
