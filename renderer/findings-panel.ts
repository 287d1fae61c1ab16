// The review panel's list of findings (score, diameter, slice range, decision) and the slice bar's marks:
// plain rendering from the viewer's state; clicks call back into the viewer.
import { formatProbability } from './format-probability.ts';
import type { FindingInfo } from '../src/shared/api-types.ts';
import { byId, element } from './dom.ts';
import { findingState } from './finding-state.ts';
import { sliceAtFraction, sliceBarMarks } from './slice-bar-marks.ts';

const REASON_TEXT: Record<string, string> = {
  vessel: 'vessel',
  scar: 'scar',
  artefact: 'artefact',
  benign: 'benign',
  other: 'other',
};

function decisionText(finding: FindingInfo): string {
  const decision = finding.decision;
  if (!decision) return 'Pending';
  if (decision.kind === 'rejected') {
    const reason = decision.reason ? ` — ${REASON_TEXT[decision.reason]}` : '';
    return `Rejected${reason}${decision.note ? ` (${decision.note})` : ''}`;
  }
  return decision.kind[0]!.toUpperCase() + decision.kind.slice(1);
}

export function renderFindings(
  findings: readonly FindingInfo[],
  visible: ReadonlySet<number>,
  selectedId: number | null,
  onSelect: (id: number) => void,
  /** The selected finding's axes and density (finding-profile.ts), once computed. */
  selectedProfile: string | null = null,
): void {
  const list = byId('findings-list');
  const items = findings.map((finding, index) => {
    const state = findingState(finding);
    const score = finding.score === null ? 'reader' : formatProbability(finding.score);
    const [first, last] = finding.sliceRange;
    const button = element(
      'button',
      {
        className: 'finding-button',
        attributes: {
          type: 'button',
          'aria-pressed': String(finding.id === selectedId),
          'aria-label': `Finding ${index + 1}: ${score}, ${finding.diameterMm.toFixed(1)} mm, ${decisionText(finding)}`,
        },
      },
      [
        element('span', { className: `swatch ${state}` }),
        element('span', { className: 'finding-title', text: `#${index + 1} ${score}` }),
        element('span', {
          className: 'finding-detail',
          text: `⌀ ${finding.diameterMm.toFixed(1)} mm · slices ${first + 1}–${last + 1}`,
        }),
        ...(finding.id === selectedId && selectedProfile
          ? [element('span', { className: 'finding-profile', text: selectedProfile })]
          : []),
        element('span', { className: `finding-decision ${state}`, text: decisionText(finding) }),
      ],
    );
    button.addEventListener('click', () => onSelect(finding.id));
    const classes = ['finding', state];
    if (finding.id === selectedId) classes.push('selected');
    if (!visible.has(finding.id)) classes.push('below-threshold');
    return element('li', { className: classes.join(' ') }, [button]);
  });
  list.replaceChildren(...items);
  byId('findings-heading').textContent = `Findings (${findings.length})`;
  list.querySelector('li.selected')?.scrollIntoView({ block: 'nearest' });
}

export function renderSliceBar(
  findings: readonly FindingInfo[],
  slices: number,
  current: number,
  selectedId: number | null,
): void {
  const bar = byId('slice-bar');
  const marks = sliceBarMarks(findings, slices, selectedId);
  // Called on every frame while scrolling: the marks are rebuilt only when they change, the cursor moved.
  const key = JSON.stringify([slices, marks]);
  if (bar.dataset['marks'] !== key) {
    const nodes = marks.map((mark) => {
      const node = element('div', {
        className: `slice-mark ${mark.state}${mark.selected ? ' selected' : ''}`,
      });
      node.style.top = `${mark.start * 100}%`;
      node.style.height = `${(mark.end - mark.start) * 100}%`;
      return node;
    });
    bar.replaceChildren(...nodes, element('div', { className: 'slice-cursor' }));
    bar.dataset['marks'] = key;
    bar.setAttribute('aria-valuemin', '1');
    bar.setAttribute('aria-valuemax', String(slices));
  }
  const cursor = bar.lastElementChild as HTMLElement;
  cursor.style.top = `${slices > 0 ? ((current + 0.5) / slices) * 100 : 0}%`;
  bar.setAttribute('aria-valuenow', String(current + 1));
}

/** Clicking or dragging on the slice bar scrolls to that slice. */
export function wireSliceBar(slices: () => number, go: (k: number) => void): void {
  const bar = byId('slice-bar');
  const at = (event: PointerEvent) => {
    const box = bar.getBoundingClientRect();
    go(sliceAtFraction((event.clientY - box.top) / box.height, slices()));
  };
  bar.addEventListener('pointerdown', (event) => {
    bar.setPointerCapture(event.pointerId);
    at(event);
    const move = (e: PointerEvent) => at(e);
    bar.addEventListener('pointermove', move);
    bar.addEventListener('pointerup', () => bar.removeEventListener('pointermove', move), { once: true });
  });
}
