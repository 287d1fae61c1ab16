// Owns how a follow-up reads as text, for the viewer's "Since prior" box and the findings report alike: one
// line per nodule (its number here and in the prior, the change, mean axial diameter then → now, volume
// change, doubling time) and a summary counting each kind of change. Pure, so both sides say the same thing.
import type { FollowUp, NoduleChange, TrackedNodule } from './api-types.ts';
import { formatDicomDate } from './dicom-date.ts';

const CHANGE_WORD: Record<NoduleChange['change'], string> = {
  grown: 'grown',
  stable: 'stable',
  shrunk: 'smaller',
  new: 'new',
  resolved: 'not seen now',
  'outside-prior': "outside the prior's scan",
  'outside-current': 'outside this scan',
};

const mm = (value: number | undefined) => (value === undefined ? '?' : value.toFixed(1));
const signed = (value: number) => `${value > 0 ? '+' : value < 0 ? '−' : '±'}${Math.abs(value)}`;

/** One change as a line: "#2 grown: 8.1 → 10.4 mm, volume +98 %, doubling time 211 days (prior #1)". */
export function changeLine(
  change: NoduleChange,
  current: ReadonlyMap<string, TrackedNodule>,
  prior: ReadonlyMap<string, TrackedNodule>,
): string {
  const now = change.current === undefined ? undefined : current.get(change.current);
  const then = change.prior === undefined ? undefined : prior.get(change.prior);
  const word = CHANGE_WORD[change.change];
  if (!now) return `prior #${then?.number ?? '?'} (${mm(then?.meanDiameterMm)} mm): ${word}`;
  if (!then) return `#${now.number} (${mm(now.meanDiameterMm)} mm): ${word}`;
  const figures = [
    `${mm(then.meanDiameterMm)} → ${mm(now.meanDiameterMm)} mm`,
    change.volumeChangePercent === undefined ? null : `volume ${signed(change.volumeChangePercent)} %`,
    change.doublingDays === undefined ? null : `doubling time ${change.doublingDays} days`,
  ].filter(Boolean);
  return `#${now.number} ${word}: ${figures.join(', ')} (prior #${then.number})`;
}

/** "Since 2024-03-02 (412 days): 1 grown, 2 stable, 1 new, 1 not seen now". */
export function followUpSummary(followUp: FollowUp): string {
  // The changes that call for action first.
  const counts = new Map<string, number>(
    (['grown', 'new', 'shrunk', 'resolved', 'stable', 'outside-prior', 'outside-current'] as const).map(
      (c) => [CHANGE_WORD[c], 0],
    ),
  );
  for (const change of followUp.changes) {
    const word = CHANGE_WORD[change.change];
    counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  const days = followUp.prior.daysBefore === null ? '' : ` (${followUp.prior.daysBefore} days)`;
  const found = [...counts].filter(([, n]) => n > 0);
  const what =
    found.length === 0 ? 'no nodule in either scan' : found.map(([word, n]) => `${n} ${word}`).join(', ');
  const date = formatDicomDate(followUp.prior.studyDate) || 'the prior (date unknown)';
  return `Since ${date}${days}: ${what}`;
}

/**
 * The worklist's few words for a follow-up: what calls for a look ("1 grown · 1 new", with nodules where the
 * prior did not scan, "1 outside the prior's scan"), else "no growth" — or "no nodules" when neither scan has
 * one. `changed` when something grew or is new.
 */
export function followUpBrief(followUp: FollowUp): { text: string; changed: boolean } {
  const count = (kind: NoduleChange['change']) => followUp.changes.filter((c) => c.change === kind).length;
  const parts = (['grown', 'new', 'outside-prior'] as const).flatMap((kind) =>
    count(kind) ? [`${count(kind)} ${CHANGE_WORD[kind]}`] : [],
  );
  if (parts.length > 0) return { text: parts.join(' · '), changed: count('grown') + count('new') > 0 };
  return { text: followUp.changes.length ? 'no growth' : 'no nodules', changed: false };
}

/** The summary, then a line per change in the API's order. */
export function followUpLines(followUp: FollowUp): string[] {
  const current = new Map(followUp.current.map((n) => [n.id, n]));
  const prior = new Map(followUp.priorNodules.map((n) => [n.id, n]));
  return [followUpSummary(followUp), ...followUp.changes.map((c) => changeLine(c, current, prior))];
}
