// Where the prior scan shows what the current one shows: a point of the current series (slice k, pixel column,
// row) carried into patient coordinates, moved by the follow-up's registration (the translation that takes a
// point of this series to the same anatomy in the prior), and read back as the prior's slice and pixel. Pure:
// the side-by-side prior (prior-pane.ts) scrolls with the stack through it; tested under Node.
import type { SeriesInfo, Vec3 } from '../src/shared/api-types.ts';
import { patientToVoxel, voxelToPatient } from '../src/shared/patient-coordinates.ts';

export interface PriorPoint {
  /** The prior's nearest slice (clamped to the series). */
  k: number;
  column: number;
  row: number;
  /** False when the point lies beyond the prior's first or last slice (k is then the nearest end). */
  inside: boolean;
}

export function priorPoint(
  current: SeriesInfo['geometry'],
  prior: SeriesInfo['geometry'],
  translationMm: Vec3,
  at: { k: number; column: number; row: number },
): PriorPoint {
  const lps = voxelToPatient(current, [at.column, at.row, at.k]);
  const moved: Vec3 = [lps[0] + translationMm[0], lps[1] + translationMm[1], lps[2] + translationMm[2]];
  const [column, row, k] = patientToVoxel(prior, moved);
  const last = prior.size[2] - 1;
  return {
    k: Math.min(last, Math.max(0, Math.round(k))),
    column,
    row,
    inside: k >= -0.5 && k <= last + 0.5,
  };
}

/**
 * Why the prior cannot be shown slice for slice beside the current scan, or null when it can: its slices must
 * lie in the same plane (a sagittal prior beside an axial scan has no matching slices) with rows and columns
 * along the same axes (either way round: the pane shows the prior as stored).
 */
export function sideBySideProblem(
  current: SeriesInfo['geometry'],
  prior: SeriesInfo['geometry'],
): string | null {
  const parallel = (a: Vec3, b: Vec3) => Math.abs(a[0] * b[0] + a[1] * b[1] + a[2] * b[2]) > 0.99;
  if (!parallel(current.direction[2], prior.direction[2]))
    return 'the prior is stacked in another plane, so no slice of it matches this one';
  if (!parallel(current.direction[0], prior.direction[0]))
    return "the prior's images are turned against this scan's";
  return null;
}
