// Owns lining up a series with an earlier one of the same patient: the translation (mm, patient coordinates)
// that carries a point of the current scan to the same anatomy in the prior, found by normalised
// cross-correlation of the two coarse lattices (coarse-lattice.ts) — an exhaustive search on 32 mm cells over
// the plausible range of table positions, refined on 16, 8 and 4 mm cells around the best few, then a
// parabola through the last scores for a sub-cell answer. A translation only: two scans of a chest also differ
// by breathing and posture, which the nodule matcher absorbs with a match radius rather than pretending to
// model (a deformable registration library would be the step beyond; none is maintained for Node).
// Hand-written because no maintained JavaScript library registers volumes; the search is small enough
// (≈ 10⁷–10⁸ cell visits) to run in a fraction of a second.
import type { Vec3 } from '../dicom/volume.ts';
import { halveLattice, type CoarseLattice } from './coarse-lattice.ts';

export interface Registration {
  /** Add to a current point (LPS, mm) to find the same anatomy in the prior. */
  translationMm: Vec3;
  /** Normalised cross-correlation at that translation on the finest lattice, −1…1. */
  correlation: number;
  /** Share of the smaller scan's cells that overlap the other at that translation. */
  overlap: number;
  /** The search's finest cell (mm). */
  cellMm: number;
}

export interface SearchRange {
  /** Largest shift tried across the table (x) and front to back (y), mm. */
  inPlaneMm: number;
  /** Largest shift tried along the body (z), mm. */
  alongMm: number;
}

export const DEFAULT_RANGE: SearchRange = { inPlaneMm: 64, alongMm: 240 };
/** Below this much overlap a correlation says too little to trust. */
const MIN_OVERLAP = 0.3;

interface Scored {
  shift: [number, number, number];
  correlation: number;
  overlap: number;
}

/**
 * NCC of a and b over the cells both sampled, with b's cell = a's cell + shift; `rowStep` 2 visits every other
 * row and plane of a (a quarter of the cells: plenty on the finest lattice).
 */
export function correlationAt(
  a: CoarseLattice,
  b: CoarseLattice,
  shift: readonly number[],
  rowStep = 1,
): Scored {
  const [ax, ay, az] = a.size;
  const [bx, by, bz] = b.size;
  // a's cell x maps to b's cell x + a.low − b.low + shift.
  const off = [0, 1, 2].map((c) => a.low[c] - b.low[c] + shift[c]);
  const range = (c: number, n: number, m: number) => [Math.max(0, -off[c]), Math.min(n, m - off[c])];
  const [x0, x1] = range(0, ax, bx);
  const [y0, y1] = range(1, ay, by);
  const [z0, z1] = range(2, az, bz);
  const [aw, av, bw, bv] = [a.weight, a.value, b.weight, b.value];
  let n = 0;
  let sa = 0;
  let sb = 0;
  let saa = 0;
  let sbb = 0;
  let sab = 0;
  for (let z = z0; z < z1; z += rowStep) {
    for (let y = y0; y < y1; y += rowStep) {
      let ia = x0 + ax * (y + ay * z);
      let ib = x0 + off[0] + bx * (y + off[1] + by * (z + off[2]));
      for (let x = x0; x < x1; x++, ia++, ib++) {
        if (aw[ia] === 0 || bw[ib] === 0) continue;
        const va = av[ia];
        const vb = bv[ib];
        n++;
        sa += va;
        sb += vb;
        saa += va * va;
        sbb += vb * vb;
        sab += va * vb;
      }
    }
  }
  const overlap = (n * rowStep * rowStep) / Math.max(1, Math.min(a.occupied, b.occupied));
  if (n < 8) return { shift: [...shift] as Scored['shift'], correlation: -1, overlap };
  const va = saa - (sa * sa) / n;
  const vb = sbb - (sb * sb) / n;
  const correlation = va > 0 && vb > 0 ? (sab - (sa * sb) / n) / Math.sqrt(va * vb) : -1;
  return { shift: [...shift] as Scored['shift'], correlation, overlap };
}

function better(x: Scored, y: Scored): boolean {
  const okX = x.overlap >= MIN_OVERLAP;
  const okY = y.overlap >= MIN_OVERLAP;
  return okX !== okY ? okX : x.correlation > y.correlation;
}

function searchAround(
  a: CoarseLattice,
  b: CoarseLattice,
  centre: number[],
  reach: number[],
  rowStep = 1,
): Scored[] {
  const scored: Scored[] = [];
  for (let dz = -reach[2]; dz <= reach[2]; dz++)
    for (let dy = -reach[1]; dy <= reach[1]; dy++)
      for (let dx = -reach[0]; dx <= reach[0]; dx++)
        scored.push(correlationAt(a, b, [centre[0] + dx, centre[1] + dy, centre[2] + dz], rowStep));
  return scored.sort((x, y) => (better(x, y) ? -1 : better(y, x) ? 1 : 0));
}

/** Vertex of the parabola through (−1, l), (0, m), (1, r), clamped to half a cell. */
function vertex(l: number, m: number, r: number): number {
  const curvature = l - 2 * m + r;
  if (!(curvature < 0)) return 0;
  return Math.max(-0.5, Math.min(0.5, (0.5 * (l - r)) / curvature));
}

/**
 * The translation from `current` to `prior`, both lattices of the same cell size (4 mm is what the follow-up
 * builds); `range` bounds the search.
 */
export async function registerTranslation(
  current: CoarseLattice,
  prior: CoarseLattice,
  range: SearchRange = DEFAULT_RANGE,
): Promise<Registration> {
  if (current.cell !== prior.cell) throw new Error('registerTranslation: lattices of different cell sizes');
  const levels = [[current, prior]];
  for (let n = 0; n < 3; n++) {
    const [a, b] = levels[levels.length - 1];
    levels.push([halveLattice(a), halveLattice(b)]);
  }
  const order = (x: Scored, y: Scored) => (better(x, y) ? -1 : better(y, x) ? 1 : 0);
  // 32 mm cells: every shift in range; keep the best three.
  const [ca, cb] = levels[3];
  const reach = [range.inPlaneMm, range.inPlaneMm, range.alongMm].map((mm) => Math.ceil(mm / ca.cell));
  let candidates = searchAround(ca, cb, [0, 0, 0], reach).slice(0, 3);
  // Each finer level: around each candidate's shift, doubled — ±2 cells on 16 mm (the coarse answer is within
  // a cell or two), ±1 below; two candidates survive 16 mm, one 8 mm. Between levels the event loop runs, so
  // a server answering the viewer is never held for more than one level (≈ 50 ms).
  let scored: Scored[] = [];
  for (const [level, spread, keep] of [
    [2, 2, 2],
    [1, 1, 1],
    [0, 1, 1],
  ]) {
    await new Promise((done) => setImmediate(done));
    const [a, b] = levels[level];
    const around = candidates.map((c) =>
      searchAround(
        a,
        b,
        c.shift.map((s) => s * 2),
        [spread, spread, spread],
        level === 0 ? 2 : 1,
      ),
    );
    candidates = around
      .map((list) => list[0])
      .sort(order)
      .slice(0, keep);
    scored = around.flat();
  }
  const best = candidates[0];
  // A parabola through the best 4 mm score and its neighbours on each axis (scored above unless the best sits
  // on the edge of its window).
  const sub = [0, 1, 2].map((axis) => {
    const at = (d: number) => {
      const shift = best.shift.map((s, c) => s + (c === axis ? d : 0));
      const known = scored.find((x) => x.shift.every((s, c) => s === shift[c]));
      return (known ?? correlationAt(current, prior, shift, 2)).correlation;
    };
    return vertex(at(-1), best.correlation, at(1));
  });
  return {
    translationMm: best.shift.map(
      (s, axis) => Math.round((s + sub[axis]) * current.cell * 100) / 100,
    ) as Vec3,
    correlation: Math.round(best.correlation * 1000) / 1000,
    overlap: Math.round(best.overlap * 1000) / 1000,
    cellMm: current.cell,
  };
}
