// Owns agreement between two readers on one series: per finding whether they agree (kept vs rejected),
// Cohen's kappa over the findings both decided (or one added), and Dice between their final masks.
// Kept = confirmed, corrected or added; a rejection counts as an empty mask for Dice, so a finding one reader
// kept and the other rejected scores 0. Findings neither kept are left out of Dice.
// A finding one of the two readers added and the other never decided is a lesion the other read past: as in
// free-response reader studies it counts as kept by one and not by the other (a disagreement, in kappa too).
// Another reader's addition neither of the two decided is left out: it says nothing about these two.
import type { DecisionKind, ReaderAgreement } from './dataset-types.ts';
import { maskVoxels, seriesFindings } from './finding-records.ts';
import { requireSeries } from './series-records.ts';
import type { StoreContext } from './store-context.ts';

const kept = (kind: DecisionKind | null) => kind !== null && kind !== 'rejected';

/** Cohen's kappa for two raters over two categories; null when chance agreement is total (or no pairs). */
export function cohenKappa(pairs: [boolean, boolean][]): number | null {
  const n = pairs.length;
  if (n === 0) return null;
  let agree = 0;
  let aYes = 0;
  let bYes = 0;
  for (const [a, b] of pairs) {
    if (a === b) agree++;
    if (a) aYes++;
    if (b) bYes++;
  }
  const observed = agree / n;
  const chance = (aYes / n) * (bYes / n) + (1 - aYes / n) * (1 - bYes / n);
  return chance === 1 ? null : (observed - chance) / (1 - chance);
}

/** Dice of two ascending index lists (1 when both are empty: nothing to disagree on). */
export function dice(a: Uint32Array, b: Uint32Array): number {
  if (a.length + b.length === 0) return 1;
  let both = 0;
  for (let i = 0, j = 0; i < a.length && j < b.length;) {
    if (a[i] === b[j]) {
      both++;
      i++;
      j++;
    } else if (a[i] < b[j]) i++;
    else j++;
  }
  return (2 * both) / (a.length + b.length);
}

export function readerAgreement(
  ctx: StoreContext,
  seriesUid: string,
  readerA: string,
  readerB: string,
): ReaderAgreement {
  requireSeries(ctx, seriesUid);
  const ofB = new Map(seriesFindings(ctx, seriesUid, readerB).map((f) => [f.id, f.decision?.kind ?? null]));
  const findings: ReaderAgreement['findings'] = [];
  const pairs: [boolean, boolean][] = [];
  const diceRows: ReaderAgreement['dice'] = [];
  for (const finding of seriesFindings(ctx, seriesUid, readerA)) {
    const findingId = finding.id;
    const a = finding.decision?.kind ?? null;
    const b = ofB.get(findingId) ?? null;
    if (a === null && b === null && finding.source === 'reader') continue;
    const counted = (a !== null && b !== null) || a === 'added' || b === 'added';
    findings.push({ findingId, a, b, agree: counted && kept(a) === kept(b) });
    if (counted) pairs.push([kept(a), kept(b)]);
    if (kept(a) || kept(b)) {
      const maskA = kept(a) ? maskVoxels(ctx, findingId, 'final', readerA) : new Uint32Array(0);
      const maskB = kept(b) ? maskVoxels(ctx, findingId, 'final', readerB) : new Uint32Array(0);
      diceRows.push({ findingId, dice: dice(maskA, maskB) });
    }
  }
  return { seriesUid, readers: [readerA, readerB], findings, kappa: cohenKappa(pairs), dice: diceRows };
}
