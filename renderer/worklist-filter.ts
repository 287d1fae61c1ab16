// The worklist's filters, applied in the browser so typing narrows the list at once. The API's order
// (effective priority) is kept; filtering never re-sorts. Also which series D opens next.
import { formatProbability } from './format-probability.ts';
import { formatLength } from './measurement.ts';
import type { SeriesStatus, WorklistItem } from '../src/shared/api-types.ts';

export type StatusFilter = SeriesStatus | 'all' | 'to-read';

export interface WorklistFilter {
  status: StatusFilter;
  text: string;
}

export const STATUS_LABELS: Record<SeriesStatus, string> = {
  unread: 'Unread',
  'model-running': 'Model running',
  flagged: 'Flagged',
  'no-findings': 'No findings',
  'outside-scope': "Outside the model's scope",
  'in-review': 'In review',
  done: 'Done',
};

/** Statuses that still need a reader. */
const TO_READ = new Set<SeriesStatus>([
  'unread',
  'model-running',
  'flagged',
  'no-findings',
  'in-review',
  'outside-scope',
]);

function haystack(item: WorklistItem): string {
  return [
    item.patientName,
    item.patientId,
    item.studyDate,
    item.accessionNumber,
    item.studyDescription,
    item.seriesDescription,
    item.modality,
    STATUS_LABELS[item.status],
  ]
    .join(' ')
    .toLowerCase();
}

/** Items matching the status and every whitespace-separated word of the text, in the given order. */
export function filterWorklist(items: readonly WorklistItem[], filter: WorklistFilter): WorklistItem[] {
  const words = filter.text.toLowerCase().split(/\s+/).filter(Boolean);
  return items.filter((item) => {
    if (
      filter.status === 'to-read'
        ? !TO_READ.has(item.status)
        : filter.status !== 'all' && item.status !== filter.status
    ) {
      return false;
    }
    const text = haystack(item);
    return words.every((word) => text.includes(word));
  });
}

/** The series D opens after `currentUid`: the next one down the list not yet done, else the first one above. */
export function nextToRead(items: readonly WorklistItem[], currentUid: string): WorklistItem | null {
  const index = items.findIndex((item) => item.seriesUid === currentUid);
  const after = items
    .slice(index + 1)
    .find((item) => item.status !== 'done' && item.seriesUid !== currentUid);
  if (after) return after;
  return items.slice(0, Math.max(0, index)).find((item) => item.status !== 'done') ?? null;
}

/** Score as the worklist shows it: a percentage, or a dash before the model ran. */
export function formatScore(score: number | null): string {
  return score === null ? '—' : formatProbability(score);
}

/** The worklist's "Largest" column: the model's largest finding across, "—" when it found nothing or has not run. */
export function formatLargest(mm: number | null): string {
  return mm === null ? '—' : formatLength(mm);
}

/** How long a series has waited, for the worklist's "Waiting" column: "5 min", "3 h", "2 d". */
export function formatWaiting(arrivedAt: string, now: Date): string {
  const arrived = Date.parse(arrivedAt);
  if (Number.isNaN(arrived)) return '—';
  const minutes = Math.max(0, Math.floor((now.getTime() - arrived) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)} h`;
  return `${Math.floor(minutes / (24 * 60))} d`;
}

/** How far the reading of the whole worklist has got: series done, and findings this reader decided. */
export interface WorklistProgress {
  series: number;
  done: number;
  findings: number;
  decided: number;
}

export function worklistProgress(items: readonly WorklistItem[]): WorklistProgress {
  const progress = { series: items.length, done: 0, findings: 0, decided: 0 };
  for (const item of items) {
    if (item.status === 'done') progress.done++;
    progress.findings += item.findingCount;
    progress.decided += item.reviewedCount;
  }
  return progress;
}

/** "2 of 5 series done · 7 of 12 findings decided", for the worklist's progress bar. */
export function progressText(progress: WorklistProgress): string {
  const findings =
    progress.findings > 0
      ? ` · ${progress.decided} of ${progress.findings} finding${progress.findings === 1 ? '' : 's'} decided`
      : '';
  return `${progress.done} of ${progress.series} series done${findings}`;
}
