// Owns the worklist's follow-up markers (↺ beside the study date): what changed since the patient's prior
// study, in a few words — "↺ 1 grown · 1 new", "↺ no growth" — with the Since prior box's summary and lines on
// hover, so a reader sees which follow-ups hold a growing or new nodule before opening any. Each is the
// comparison the viewer, the report and the export make (GET /api/series/{uid}/follow-up: the latest earlier
// study of the modality, each side in this reader's view). They are asked one series at a time, in the list's
// order, only for the rows shown and only while the list is on screen, so the server's decoding never crowds
// out the viewer; and asked again only when a count of findings or decisions on either scan moved, or the
// reader comes back from the patient's scans (a mask corrected there moves no count but can change a volume).
import type { FollowUp, WorklistItem } from '../src/shared/api-types.ts';
import { formatDicomDate } from '../src/shared/dicom-date.ts';
import { followUpBrief, followUpLines } from '../src/shared/follow-up-text.ts';
import { api } from './api-client.ts';
import { element } from './dom.ts';

/** A comparison, or why there is none, and the state it was asked for ('' once it is out of date). */
type Known = { key: string; result: FollowUp | string };

/** What a follow-up row's marker says: its words, its hover text, and whether something grew or is new. */
export interface FollowUpMarker {
  text: string;
  title: string;
  changed: boolean;
}

/** While a series or its prior is still being read by the model, its findings are not final: no comparison. */
const settled = (item: WorklistItem) => item.status !== 'model-running';

export class WorklistFollowUps {
  private readonly known = new Map<string, Known>();
  /** Series to compare next (uid → the key it is wanted for), in the order the list shows them. */
  private wanted = new Map<string, string>();
  private running = false;
  /** The comparison being asked now (`uid key`), so a render meanwhile does not ask it again. */
  private asking = '';
  /** The worklist is hidden (the viewer is open): what is left waits until it shows again. */
  private paused = false;
  /** Counts clear() calls: an answer asked for before one is the last reader's and is dropped. */
  private generation = 0;

  /**
   * `onKnown(uid)`: a comparison came back; the page redraws that row's marker. `ask`: the comparison (the
   * API's; tests give their own).
   */
  constructor(
    private readonly onKnown: (uid: string) => void,
    private readonly ask: (seriesUid: string) => Promise<FollowUp> = (uid) => api.followUp(uid),
  ) {}

  /** Another reader: every comparison was the last reader's view. */
  clear(): void {
    this.generation++;
    this.known.clear();
    this.wanted.clear();
  }

  /** The reader is back from this patient's scans: compare the patient's series again. */
  forgetPatient(patientId: string, items: readonly WorklistItem[]): void {
    for (const item of items) {
      const known = this.known.get(item.seriesUid);
      if (item.patientId === patientId && known) known.key = '';
    }
  }

  /** The list left the screen: no new comparison starts until resume(). */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    void this.pump();
  }

  /** Starts a render: only the rows it asks badges for are compared. */
  beginRender(): void {
    this.wanted = new Map();
  }

  /** A follow-up row's marker element (null when the series has no prior); see marker(). */
  badge(item: WorklistItem, items: readonly WorklistItem[]): HTMLElement | null {
    const shown = this.marker(item, items);
    return (
      shown &&
      element('span', {
        className: shown.changed ? 'prior-badge changed' : 'prior-badge',
        text: shown.text,
        attributes: { title: shown.title, 'aria-label': shown.title },
      })
    );
  }

  /** What a follow-up row's marker says (null when the series has no prior), asking for its comparison if needed. */
  marker(item: WorklistItem, items: readonly WorklistItem[]): FollowUpMarker | null {
    if (!item.priorStudyDate) return null;
    const prior = `prior study ${formatDicomDate(item.priorStudyDate)} in the dataset (S shows it side by side)`;
    const priors = items.filter(
      (other) =>
        other.patientId === item.patientId &&
        other.studyDate === item.priorStudyDate &&
        other.modality === item.modality,
    );
    const key = [item, ...priors]
      .map((s) => `${s.seriesUid}:${s.status}:${s.findingCount}:${s.reviewedCount}`)
      .join('|');
    const known = this.known.get(item.seriesUid);
    const needed = known?.key !== key && this.asking !== `${item.seriesUid} ${key}`;
    if (needed && settled(item) && priors.every(settled)) {
      this.wanted.set(item.seriesUid, key);
      void this.pump();
    }
    // The last answer stays up while a newer one is asked (it rarely changes, and a marker should not flicker).
    const shown = known?.result;
    if (shown === undefined || typeof shown === 'string') {
      const why = shown === undefined ? '' : ` — no comparison: ${shown}`;
      return { text: '↺', title: `follow-up: ${prior}${why}`, changed: false };
    }
    const brief = followUpBrief(shown);
    const caution = shown.registration.uncertain ? ['(The scans lined up poorly: check the matches.)'] : [];
    return {
      text: `↺ ${brief.text}`,
      title: [`follow-up: ${prior}`, ...followUpLines(shown), ...caution].join('\n'),
      changed: brief.changed,
    };
  }

  private async pump(): Promise<void> {
    if (this.running || this.paused) return;
    this.running = true;
    try {
      for (let next = first(this.wanted); next && !this.paused; next = first(this.wanted)) {
        const [uid, key] = next;
        this.wanted.delete(uid);
        this.asking = `${uid} ${key}`;
        const generation = this.generation;
        let result: FollowUp | string;
        try {
          result = await this.ask(uid);
        } catch (error) {
          result = error instanceof Error ? error.message : String(error);
        }
        if (generation !== this.generation) continue;
        this.known.set(uid, { key, result });
        this.onKnown(uid);
      }
    } finally {
      this.running = false;
      this.asking = '';
    }
  }
}

function first<K, V>(map: Map<K, V>): [K, V] | undefined {
  return map.entries().next().value;
}
