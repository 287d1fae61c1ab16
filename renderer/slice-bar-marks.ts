// Where the slice bar beside the image marks findings: each finding spans its slice range as a fraction
// of the stack's height, with a tick at its focus slice. Pure so the geometry is tested without a DOM.
import type { FindingInfo } from '../src/shared/api-types.ts';
import { findingState, type FindingState } from './finding-state.ts';

export interface SliceBarMark {
  findingId: number;
  /** Top of the mark, 0…1 of the bar (slice 0 at the top). */
  start: number;
  /** Bottom of the mark, 0…1; at least one slice tall. */
  end: number;
  /** Centre of the focus slice, 0…1. */
  focus: number;
  state: FindingState;
  selected: boolean;
}

export function sliceBarMarks(
  findings: readonly FindingInfo[],
  slices: number,
  selectedId: number | null,
): SliceBarMark[] {
  if (slices <= 0) return [];
  const clamp = (k: number) => Math.min(slices - 1, Math.max(0, k));
  return findings.map((finding) => {
    const first = clamp(Math.min(...finding.sliceRange));
    const last = clamp(Math.max(...finding.sliceRange));
    return {
      findingId: finding.id,
      start: first / slices,
      end: (last + 1) / slices,
      focus: (clamp(finding.focusSlice) + 0.5) / slices,
      state: findingState(finding),
      selected: finding.id === selectedId,
    };
  });
}

/** The slice under a point of the bar, `fraction` 0…1 from the top. */
export function sliceAtFraction(fraction: number, slices: number): number {
  return Math.min(slices - 1, Math.max(0, Math.floor(fraction * slices)));
}
