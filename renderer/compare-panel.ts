// The review panel's "Compare readers" box, for second reads and adjudication: two readers chosen from the
// dataset's, their agreement on the open series as the API computes it (per finding both decisions, Cohen's
// kappa over the findings both decided or one added, Dice of their final masks) and, on request, the second
// reader's outlines drawn dashed over the first's on the slice. Closed by default, since it reveals another reader's
// decisions; a click on a row selects that finding.
import type { DecisionKind, ReaderAgreement } from '../src/shared/api-types.ts';
import { api } from './api-client.ts';
import { byId, element } from './dom.ts';
import { showError } from './toasts.ts';
import type { ViewerPage } from './viewer-page.ts';

type AgreementRow = ReaderAgreement['findings'][number];
const kept = (kind: DecisionKind | null) => kind !== null && kind !== 'rejected';
/** Whether the API counts the row in kappa: both decided it, or one added it (the other read past it). */
const counted = (f: AgreementRow) => (f.a !== null && f.b !== null) || f.a === 'added' || f.b === 'added';

/** One reader's side of a row: the decision, "not marked" for a lesion the other added, or "undecided". */
function sideText(kind: DecisionKind | null, other: DecisionKind | null): string {
  return kind ?? (other === 'added' ? 'not marked' : 'undecided');
}

/** A row's text after the finding's number: both sides, the verdict when counted, and the Dice. */
export function agreementRowText(f: AgreementRow, dice: number | undefined): string {
  const verdict = counted(f) ? (f.agree ? ' — agree' : ' — differ') : '';
  const overlap = dice === undefined ? '' : ` · Dice ${dice.toFixed(2)}`;
  return `${sideText(f.a, f.b)} · ${sideText(f.b, f.a)}${verdict}${overlap}`;
}

/** The summary line: kappa and how many of the counted findings (decided by both, or added by one) agree. */
export function agreementSummary(agreement: ReaderAgreement): string {
  const pairs = agreement.findings.filter(counted);
  if (pairs.length === 0) return 'No finding decided by both readers yet.';
  const agree = pairs.filter((f) => f.agree).length;
  const kappa =
    agreement.kappa === null ? 'κ undefined (every decision the same)' : `κ ${agreement.kappa.toFixed(2)}`;
  const added = pairs.some((f) => f.a === 'added' || f.b === 'added') ? ' or added by one' : '';
  return `${kappa} · ${agree} of ${pairs.length} finding${pairs.length === 1 ? '' : 's'} decided by both${added} agree`;
}

export class ComparePanel {
  private readonly box = byId<HTMLDetailsElement>('compare-box');
  private readonly first = byId<HTMLSelectElement>('compare-a');
  private readonly second = byId<HTMLSelectElement>('compare-b');
  private readonly outlines = byId<HTMLInputElement>('compare-outlines');
  private requests = 0;

  constructor(private readonly viewer: ViewerPage) {
    this.box.addEventListener('toggle', () => void this.refresh());
    for (const control of [this.first, this.second, this.outlines]) {
      control.addEventListener('change', () => {
        control.blur(); // the keys go back to the viewer
        void this.refresh();
      });
    }
  }

  /** Reads the agreement again (the box opened, a reader chosen, a decision made, another series). */
  async refresh(): Promise<void> {
    const viewer = this.viewer;
    const series = viewer.series;
    const request = ++this.requests;
    if (!this.box.open || !series) {
      viewer.setComparison(null);
      return;
    }
    try {
      const session = await api.session();
      const readers = session.readers;
      fill(this.first, readers, this.first.value || session.reader || readers[0]);
      const other = readers.find((name) => name !== this.first.value);
      fill(
        this.second,
        readers,
        this.second.value && this.second.value !== this.first.value ? this.second.value : other,
      );
      const [a, b] = [this.first.value, this.second.value];
      if (readers.length < 2 || !a || !b || a === b) {
        this.show(
          readers.length < 2
            ? 'Only one reader in this dataset. A second reader switches reader (top bar) and reads the series.'
            : 'Choose two different readers.',
          [],
        );
        viewer.setComparison(null);
        return;
      }
      const agreement = await api.agreement(series.seriesUid, a, b);
      if (request !== this.requests || viewer.series !== series) return;
      const dice = new Map(agreement.dice.map((d) => [d.findingId, d.dice]));
      const rows = agreement.findings.map((f) => {
        const index = viewer.findings.findIndex((finding) => finding.id === f.findingId);
        const text = `#${index + 1} ${agreementRowText(f, dice.get(f.findingId))}`;
        const button = element('button', { attributes: { type: 'button' }, text });
        button.addEventListener('click', () => viewer.select(f.findingId));
        return element('li', { className: counted(f) && !f.agree ? 'differ' : '' }, [button]);
      });
      this.show(agreementSummary(agreement), rows);
      viewer.setComparison(
        this.outlines.checked
          ? { reader: b, kept: new Set(agreement.findings.filter((f) => kept(f.b)).map((f) => f.findingId)) }
          : null,
      );
    } catch (error) {
      showError(error);
    }
  }

  private show(summary: string, rows: HTMLElement[]): void {
    byId('compare-summary').textContent = summary;
    byId('compare-list').replaceChildren(...rows);
  }
}

/** Puts `names` into a select, choosing `chosen` when it is one of them. */
function fill(select: HTMLSelectElement, names: string[], chosen: string | undefined): void {
  const current = Array.from(select.options, (o) => o.value);
  if (current.join('\n') !== names.join('\n')) {
    select.replaceChildren(
      ...names.map((name) => element('option', { attributes: { value: name }, text: name })),
    );
  }
  if (chosen !== undefined && names.includes(chosen)) select.value = chosen;
}
