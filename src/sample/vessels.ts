// Pulmonary vessel trees: tapering, branching tubes grown from each hilum and kept inside the lungs, then
// drawn into the HU volume as capsules with a partial-volume edge. Nodules use the segments to sit on vessels.
import type { VolumeGeometry, Vec3 } from '../dicom/volume.ts';
import type { Anatomy } from './anatomy.ts';
import type { Random } from './random.ts';

export interface VesselSegment {
  from: Vec3;
  to: Vec3;
  radius: number;
}

const MAX_DEPTH = 40;
const MAX_SEGMENTS = 30000;
const MIN_RADIUS = 0.55;

function normalise(v: Vec3): Vec3 {
  const length = Math.hypot(v[0], v[1], v[2]) || 1;
  return [v[0] / length, v[1] / length, v[2] / length];
}

/** Turns `dir` by `angle` towards a random perpendicular direction. */
function deflect(random: Random, dir: Vec3, angle: number): Vec3 {
  const other: Vec3 = [random.gaussian(), random.gaussian(), random.gaussian()];
  const dot = other[0] * dir[0] + other[1] * dir[1] + other[2] * dir[2];
  const perpendicular = normalise([
    other[0] - dot * dir[0],
    other[1] - dot * dir[1],
    other[2] - dot * dir[2],
  ]);
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return normalise([
    dir[0] * c + perpendicular[0] * s,
    dir[1] * c + perpendicular[1] * s,
    dir[2] * c + perpendicular[2] * s,
  ]);
}

export function growVessels(random: Random, anatomy: Anatomy): VesselSegment[] {
  const segments: VesselSegment[] = [];
  const { cavityA, cavityB } = anatomy;
  const p = anatomy.p;
  const zAt = (w: number): number => p.zBase + w * (p.zApex - p.zBase);
  const scale = Math.min(1.3, Math.max(0.6, cavityB / 75));

  interface Bud {
    from: Vec3;
    dir: Vec3;
    radius: number;
    length: number;
    depth: number;
  }
  // Grown breadth-first so that, if the segment budget runs out, every tree loses its finest twigs alike.
  const queue: Bud[] = [];
  for (const side of [-1, 1]) {
    for (const kind of ['artery', 'vein'] as const) {
      const hilum: Vec3 = [
        side * cavityA * 0.2,
        p.centreY + cavityB * (kind === 'artery' ? 0.0 : 0.12),
        zAt(kind === 'artery' ? 0.55 : 0.45),
      ];
      const lobes: Vec3[] = [
        [side * 0.4, -0.1, 0.9],
        [side * 0.6, 0.4, 0.6],
        [side * 0.9, -0.4, 0.1],
        [side * 0.8, 0.3, -0.3],
        [side * 0.6, -0.5, -0.6],
        [side * 0.4, 0.7, -0.6],
        [side * 0.3, 0.2, -0.95],
        [side * 0.2, 0.3, 1],
      ];
      for (const lobe of lobes) {
        const dir = deflect(random, normalise(lobe), random.uniform(0, 0.2));
        // Lower-lobe trunks leave from behind the hilum so they pass behind the heart, as they do in life.
        const from: Vec3 =
          lobe[2] < -0.5 ? [hilum[0] + side * cavityA * 0.08, hilum[1] + cavityB * 0.3, hilum[2]] : hilum;
        queue.push({
          from,
          dir,
          radius: random.uniform(4.5, 6.5) * scale,
          length: random.uniform(14, 20) * scale,
          depth: 0,
        });
      }
    }
  }
  for (let next = 0; next < queue.length && segments.length < MAX_SEGMENTS; next++) {
    const { from, dir, radius, length, depth } = queue[next];
    // The trunks may cross the mediastinum; branches must end in lung, trying a few bends before giving up.
    let to: Vec3 | undefined;
    let heading = dir;
    // Trunks get more tries so that lobes behind the heart or the dome are reached too.
    const attempts = depth <= 2 ? 10 : 4;
    for (let attempt = 0; attempt < attempts && !to; attempt++) {
      const step = length * (1 - (attempt % 4) * 0.18);
      const candidate: Vec3 = [
        from[0] + heading[0] * step,
        from[1] + heading[1] * step,
        from[2] + heading[2] * step,
      ];
      if (depth === 0 || anatomy.lungAt(candidate[0], candidate[1], candidate[2])) to = candidate;
      else heading = deflect(random, dir, random.uniform(0.3, attempt < 4 ? 0.8 : 1.4));
    }
    if (!to) continue;
    segments.push({ from, to, radius });
    if (depth >= MAX_DEPTH) continue;
    // Monopodial branching, as in real pulmonary trees: the parent runs on a little thinner and sheds a
    // thinner side branch at a wider angle.
    const runOn = radius * random.uniform(0.88, 0.95);
    const side = radius * random.uniform(0.55, 0.75);
    const runDir = deflect(random, heading, random.uniform(0.05, 0.25));
    const sideDir = deflect(random, heading, random.uniform(0.5, 1.0));
    if (runOn >= MIN_RADIUS) {
      queue.push({
        from: to,
        dir: runDir,
        radius: runOn,
        length: length * random.uniform(0.88, 0.97),
        depth: depth + 1,
      });
    }
    if (side >= MIN_RADIUS) {
      queue.push({
        from: to,
        dir: sideDir,
        radius: side,
        length: length * random.uniform(0.6, 0.8),
        depth: depth + 1,
      });
    }
  }
  return segments;
}

/** Distance from point to the segment (squared) — shared by drawing and by nodule placement. */
export function distanceToSegment(point: Vec3, segment: VesselSegment): number {
  const { from, to } = segment;
  const d0 = to[0] - from[0];
  const d1 = to[1] - from[1];
  const d2 = to[2] - from[2];
  const p0 = point[0] - from[0];
  const p1 = point[1] - from[1];
  const p2 = point[2] - from[2];
  const lengthSquared = d0 * d0 + d1 * d1 + d2 * d2 || 1;
  const t = Math.max(0, Math.min(1, (p0 * d0 + p1 * d1 + p2 * d2) / lengthSquared));
  const e0 = p0 - t * d0;
  const e1 = p1 - t * d1;
  const e2 = p2 - t * d2;
  return Math.sqrt(e0 * e0 + e1 * e1 + e2 * e2);
}

/**
 * Draws vessels of `hu` into lung voxels only (voxels below −300 HU), blending at the edge by coverage so thin
 * vessels fade rather than alias. Geometry is axial with ascending k, as generate-study builds it.
 */
export function drawVessels(
  hu: Int16Array,
  geometry: VolumeGeometry,
  segments: VesselSegment[],
  value: number,
): void {
  const [nx, ny, nz] = geometry.size;
  const [sx, sy, sz] = geometry.spacing;
  const [ox, oy, oz] = geometry.origin;
  const edge = Math.min(sx, sy);
  const point: Vec3 = [0, 0, 0];
  for (const segment of segments) {
    const r = segment.radius;
    const low = (a: number, b: number): number => Math.min(a, b) - r - edge;
    const high = (a: number, b: number): number => Math.max(a, b) + r + edge;
    const i0 = Math.max(0, Math.floor((low(segment.from[0], segment.to[0]) - ox) / sx));
    const i1 = Math.min(nx - 1, Math.ceil((high(segment.from[0], segment.to[0]) - ox) / sx));
    const j0 = Math.max(0, Math.floor((low(segment.from[1], segment.to[1]) - oy) / sy));
    const j1 = Math.min(ny - 1, Math.ceil((high(segment.from[1], segment.to[1]) - oy) / sy));
    const k0 = Math.max(0, Math.floor((low(segment.from[2], segment.to[2]) - oz) / sz));
    const k1 = Math.min(nz - 1, Math.ceil((high(segment.from[2], segment.to[2]) - oz) / sz));
    for (let k = k0; k <= k1; k++) {
      point[2] = oz + k * sz;
      for (let j = j0; j <= j1; j++) {
        point[1] = oy + j * sy;
        let index = i0 + j * nx + k * nx * ny;
        for (let i = i0; i <= i1; i++, index++) {
          const current = hu[index];
          if (current > -300) continue;
          point[0] = ox + i * sx;
          const coverage = Math.min(1, (r - distanceToSegment(point, segment)) / edge + 0.5);
          if (coverage <= 0) continue;
          hu[index] = Math.round(current + (value - current) * coverage);
        }
      }
    }
  }
}
