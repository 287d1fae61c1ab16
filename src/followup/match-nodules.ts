// Owns pairing a series' nodules with the same patient's prior ones and saying how each changed: matched by
// distance once the registration's translation has carried each current centre into the prior, one to one,
// nearest pairs first, within a radius that allows for breathing and growth; then the figures a follow-up
// report needs — the change in mean axial diameter (Lung-RADS v2022 calls > 1.5 mm growth), the change in
// volume (volumetry calls ≥ 25 % growth: the repeatability of semi-automatic volumes, ESTI / Fleischner), and
// the volume doubling time, VDT = Δt · ln 2 / ln(V₂ / V₁) (under 400 days is the malignant range). A nodule
// with no partner is new — or resolved — only where the other scan covered its place; else it says so.
import { patientToVoxel, type Vec3, type VolumeGeometry } from '../dicom/volume.ts';
import type { NoduleChange, TrackedNodule } from '../shared/api-types.ts';

export type { NoduleChange, TrackedNodule };

/** Volume ratio at or beyond which a change counts (±25 %), and the diameter change (mm). */
export const VOLUME_GROWTH = 1.25;
export const DIAMETER_GROWTH_MM = 1.5;

export interface MatchInput {
  current: TrackedNodule[];
  prior: TrackedNodule[];
  /** Adds to a current point to give the prior's (registration). */
  translationMm: Vec3;
  /** Days from the prior study to the current one; null when a study date is missing. */
  intervalDays: number | null;
  currentGeometry: VolumeGeometry;
  priorGeometry: VolumeGeometry;
}

/** How far apart (mm) two centres may be and still be the same nodule. */
export function matchRadiusMm(a: TrackedNodule, b: TrackedNodule): number {
  return 10 + 0.5 * Math.max(a.diameterMm ?? 0, b.diameterMm ?? 0);
}

/** Mean of the axial long and short axes where measured, else the 3-D diameter. */
export function meanDiameterMm(n: TrackedNodule): number | undefined {
  return n.longAxisMm !== undefined && n.shortAxisMm !== undefined
    ? (n.longAxisMm + n.shortAxisMm) / 2
    : n.diameterMm;
}

function inside(geometry: VolumeGeometry, point: Vec3): boolean {
  const ijk = patientToVoxel(geometry, point);
  return ijk.every((v, axis) => v >= -0.5 && v <= geometry.size[axis] - 0.5);
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;
const moved = (p: Vec3, t: Vec3, sign: 1 | -1): Vec3 => [
  p[0] + sign * t[0],
  p[1] + sign * t[1],
  p[2] + sign * t[2],
];

function compare(
  current: TrackedNodule,
  prior: TrackedNodule,
  distance: number,
  days: number | null,
): NoduleChange {
  const dNow = meanDiameterMm(current);
  const dThen = meanDiameterMm(prior);
  const diameterChange = dNow !== undefined && dThen !== undefined ? dNow - dThen : undefined;
  const ratio =
    current.volumeMm3 !== undefined && prior.volumeMm3 !== undefined && prior.volumeMm3 > 0
      ? current.volumeMm3 / prior.volumeMm3
      : undefined;
  const grown =
    (ratio !== undefined && ratio >= VOLUME_GROWTH) ||
    (diameterChange !== undefined && diameterChange > DIAMETER_GROWTH_MM);
  const shrunk =
    (ratio !== undefined && ratio <= 1 / VOLUME_GROWTH) ||
    (diameterChange !== undefined && diameterChange < -DIAMETER_GROWTH_MM);
  const change = grown ? 'grown' : shrunk ? 'shrunk' : 'stable';
  const doubling =
    change === 'grown' && ratio !== undefined && ratio > 1 && days !== null && days > 0
      ? (days * Math.LN2) / Math.log(ratio)
      : undefined;
  return {
    change,
    current: current.id,
    prior: prior.id,
    distanceMm: round(distance, 1),
    ...(diameterChange === undefined ? {} : { meanDiameterChangeMm: round(diameterChange, 1) }),
    ...(ratio === undefined ? {} : { volumeChangePercent: round((ratio - 1) * 100, 0) }),
    ...(doubling === undefined ? {} : { doublingDays: Math.round(doubling) }),
  };
}

export function matchNodules(input: MatchInput): NoduleChange[] {
  const t = input.translationMm;
  const pairs: { c: number; p: number; distance: number }[] = [];
  input.current.forEach((current, c) => {
    const there = moved(current.centreLps, t, 1);
    input.prior.forEach((prior, p) => {
      const distance = Math.hypot(...prior.centreLps.map((v: number, a: number) => v - there[a]));
      if (distance <= matchRadiusMm(current, prior)) pairs.push({ c, p, distance });
    });
  });
  pairs.sort((a, b) => a.distance - b.distance);
  const takenC = new Map<number, NoduleChange>();
  const takenP = new Set<number>();
  for (const { c, p, distance } of pairs) {
    if (takenC.has(c) || takenP.has(p)) continue;
    takenC.set(c, compare(input.current[c], input.prior[p], distance, input.intervalDays));
    takenP.add(p);
  }
  const changes: NoduleChange[] = input.current.map(
    (current, c) =>
      takenC.get(c) ?? {
        change: inside(input.priorGeometry, moved(current.centreLps, t, 1)) ? 'new' : 'outside-prior',
        current: current.id,
      },
  );
  input.prior.forEach((prior, p) => {
    if (takenP.has(p)) return;
    changes.push({
      change: inside(input.currentGeometry, moved(prior.centreLps, t, -1)) ? 'resolved' : 'outside-current',
      prior: prior.id,
    });
  });
  return changes;
}
