// How a finding is shown and walked through: its review state (which colour), whether the threshold slider
// hides it, and the next/previous finding for J/K and Tab. Pure functions over the API's FindingInfo.
import type { FindingInfo } from '../src/shared/api-types.ts';

export type FindingState = 'pending' | 'confirmed' | 'rejected';

export function findingState(finding: FindingInfo): FindingState {
  switch (finding.decision?.kind) {
    case 'rejected':
      return 'rejected';
    case 'confirmed':
    case 'corrected':
    case 'added':
      return 'confirmed';
    default:
      return 'pending';
  }
}

/**
 * Findings at or above the slider's threshold. Reader-added findings have no score and are always shown:
 * the slider asks "what would the model flag at this threshold", and they are not the model's.
 */
export function visibleFindings(findings: readonly FindingInfo[], threshold: number): FindingInfo[] {
  return findings.filter((f) => f.score === null || f.score >= threshold);
}

/** How many of the model's flags a threshold would give (the slider's live count). */
export function modelFlagCount(findings: readonly FindingInfo[], threshold: number): number {
  return findings.filter((f) => f.source === 'model' && f.score !== null && f.score >= threshold).length;
}

/**
 * The finding after (direction 1) or before (-1) the selected one, wrapping around; with nothing selected,
 * the first pending one (or the first at all), so J from a fresh series lands where work is.
 */
export function stepFinding(
  findings: readonly FindingInfo[],
  selectedId: number | null,
  direction: 1 | -1,
): FindingInfo | null {
  if (findings.length === 0) return null;
  const index = findings.findIndex((f) => f.id === selectedId);
  if (index < 0) return findings.find((f) => findingState(f) === 'pending') ?? findings[0]!;
  return findings[(index + direction + findings.length) % findings.length]!;
}

/** The next finding still awaiting a decision after the selected one, or null when all are decided. */
export function nextPending(findings: readonly FindingInfo[], selectedId: number | null): FindingInfo | null {
  const start = findings.findIndex((f) => f.id === selectedId);
  for (let step = 1; step <= findings.length; step++) {
    const candidate = findings[(start + step + findings.length) % findings.length]!;
    if (findingState(candidate) === 'pending' && candidate.id !== selectedId) return candidate;
  }
  return null;
}

/** Findings present on slice k. */
export function findingsOnSlice(findings: readonly FindingInfo[], k: number): FindingInfo[] {
  return findings.filter((f) => f.sliceRange[0] <= k && k <= f.sliceRange[1]);
}
