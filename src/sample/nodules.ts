// Lung nodules: where they go (free in the lung, on a vessel, on the pleura), what they look like (solid,
// part-solid, ground-glass; smooth or lobulated spheroids) and how they are drawn into the HU volume and the
// truth label volume. The label volume marks voxel centres inside the shape and inside the lung.
import type { Vec3, VolumeGeometry } from '../dicom/volume.ts';
import type { Anatomy } from './anatomy.ts';
import type { Random } from './random.ts';
import { distanceToSegment, type VesselSegment } from './vessels.ts';

export type NoduleType = 'solid' | 'part-solid' | 'ground-glass';
export type NoduleAttachment = 'vessel' | 'pleura' | 'none';

export interface NoduleShape {
  type: NoduleType;
  attached: NoduleAttachment;
  centre: Vec3;
  /** Longest axis of the spheroid before lobulation (mm). */
  diameter: number;
  /** Per-axis semi-axis factors (the largest is 1). */
  axes: Vec3;
  lobulation: number;
  phases: Vec3;
  /** Nodule HU (solid part, or the ground glass). */
  hu: number;
  /** Part-solid: radius of the solid core as a fraction of the nodule's, and its HU. */
  core: number;
  coreHu: number;
}

const SPHERE_DIRECTIONS: Vec3[] = [];
for (let a = 0; a < 6; a++) {
  for (let b = -2; b <= 2; b++) {
    const phi = (b / 2.5) * (Math.PI / 2);
    const theta = (a / 6) * Math.PI * 2;
    SPHERE_DIRECTIONS.push([Math.cos(phi) * Math.cos(theta), Math.cos(phi) * Math.sin(theta), Math.sin(phi)]);
  }
}
SPHERE_DIRECTIONS.push([0, 0, 1], [0, 0, -1]);

function add(a: Vec3, b: Vec3, scale: number): Vec3 {
  return [a[0] + b[0] * scale, a[1] + b[1] * scale, a[2] + b[2] * scale];
}

function ballInLung(anatomy: Anatomy, centre: Vec3, radius: number): boolean {
  if (!anatomy.lungAt(centre[0], centre[1], centre[2])) return false;
  return SPHERE_DIRECTIONS.every((d) => {
    const p = add(centre, d, radius);
    return anatomy.lungAt(p[0], p[1], p[2]);
  });
}

function randomDirection(random: Random): Vec3 {
  const v: Vec3 = [random.gaussian(), random.gaussian(), random.gaussian()];
  const length = Math.hypot(...v) || 1;
  return [v[0] / length, v[1] / length, v[2] / length];
}

function normalise(v: Vec3): Vec3 {
  const length = Math.hypot(v[0], v[1], v[2]) || 1;
  return [v[0] / length, v[1] / length, v[2] / length];
}

function perpendicular(v: Vec3, axis: Vec3): Vec3 {
  const dot = v[0] * axis[0] + v[1] * axis[1] + v[2] * axis[2];
  return normalise([v[0] - dot * axis[0], v[1] - dot * axis[1], v[2] - dot * axis[2]]);
}

/** No vessel runs through the middle of the nodule, so its centre shows the nodule's own density. */
function clearCentre(region: PlacementRegion, centre: Vec3, radius: number): boolean {
  const clearance = Math.max(0.35 * radius, 1.5);
  return region.vessels.every((s) => distanceToSegment(centre, s) - s.radius > clearance);
}

interface PlacementRegion {
  anatomy: Anatomy;
  vessels: VesselSegment[];
  /** Box (mm) the centre must stay within so the whole nodule is in the scanned volume. */
  low: Vec3;
  high: Vec3;
}

function randomLungPoint(random: Random, region: PlacementRegion): Vec3 | undefined {
  for (let attempt = 0; attempt < 200; attempt++) {
    const p: Vec3 = [0, 1, 2].map((a) => random.uniform(region.low[a], region.high[a])) as Vec3;
    if (region.anatomy.lungAt(p[0], p[1], p[2])) return p;
  }
  return undefined;
}

function place(
  random: Random,
  region: PlacementRegion,
  attached: NoduleAttachment,
  radius: number,
  taken: NoduleShape[],
): Vec3 | undefined {
  const { anatomy } = region;
  const inBox = (p: Vec3): boolean =>
    p.every((v, a) => v - radius >= region.low[a] && v + radius <= region.high[a]) &&
    taken.every(
      (o) =>
        Math.hypot(o.centre[0] - p[0], o.centre[1] - p[1], o.centre[2] - p[2]) > radius + o.diameter / 2 + 4,
    );
  for (let attempt = 0; attempt < 80; attempt++) {
    if (attached === 'pleura') {
      const start = randomLungPoint(random, region);
      if (!start) return undefined;
      const dir = randomDirection(random);
      let edge = start;
      while (anatomy.lungAt(edge[0], edge[1], edge[2])) edge = add(edge, dir, 1);
      // Centre a little inside the pleural surface: the nodule abuts the chest wall.
      const centre = add(edge, dir, -radius * 0.75 - 1);
      if (
        inBox(centre) &&
        ballInLung(anatomy, centre, radius * 0.4 + 1.5) &&
        clearCentre(region, centre, radius)
      ) {
        return centre;
      }
    } else if (attached === 'vessel') {
      const candidates = region.vessels.filter(
        (s) => s.radius >= 0.9 && s.radius <= Math.min(4, radius * 0.8),
      );
      if (candidates.length === 0) return undefined;
      const segment = random.pick(candidates);
      const t = random.uniform(0.2, 0.8);
      const onAxis: Vec3 = [0, 1, 2].map(
        (a) => segment.from[a] + (segment.to[a] - segment.from[a]) * t,
      ) as Vec3;
      const axis = normalise([0, 1, 2].map((a) => segment.to[a] - segment.from[a]) as Vec3);
      const across = perpendicular(randomDirection(random), axis);
      const centre = add(onAxis, across, radius * 0.8 + segment.radius * 0.5);
      if (inBox(centre) && ballInLung(anatomy, centre, radius * 0.9) && clearCentre(region, centre, radius)) {
        return centre;
      }
    } else {
      const centre = randomLungPoint(random, region);
      if (!centre || !inBox(centre) || !ballInLung(anatomy, centre, radius + 2)) continue;
      if (region.vessels.every((s) => distanceToSegment(centre, s) > radius + s.radius + 1)) return centre;
    }
  }
  return undefined;
}

export function drawNoduleShapes(
  random: Random,
  region: PlacementRegion,
  count: number,
  minimumDiameter: number,
): NoduleShape[] {
  const nodules: NoduleShape[] = [];
  for (let n = 0; n < count; n++) {
    const type = random.pick<NoduleType>(['solid', 'solid', 'part-solid', 'ground-glass']);
    // A part-solid core must span a few voxels to be seen at all, so those nodules start larger.
    const smallest =
      type === 'solid'
        ? Math.max(3, minimumDiameter)
        : type === 'ground-glass'
          ? Math.max(6, minimumDiameter)
          : Math.max(8, minimumDiameter * 2.5);
    let diameter = Math.min(30, smallest) + Math.max(0, 30 - smallest) * random.next() ** 2;
    const wanted = random.pick<NoduleAttachment>(['none', 'vessel', 'pleura']);
    // A crowded or short volume may not fit the first draw: shrink it, then give up the attachment.
    let centre: Vec3 | undefined;
    let attached = wanted;
    for (let attempt = 0; attempt < 4 && !centre; attempt++) {
      if (attempt > 0) diameter = Math.max(smallest, diameter * 0.6);
      if (attempt === 3) attached = 'none';
      centre = place(random, region, attached, diameter / 2, nodules);
    }
    if (!centre) continue;
    const axes: Vec3 = [1, random.uniform(0.8, 1), random.uniform(0.8, 1)];
    for (let a = 2; a > 0; a--) {
      const b = random.int(0, a);
      [axes[a], axes[b]] = [axes[b], axes[a]];
    }
    nodules.push({
      type,
      attached,
      centre,
      diameter,
      axes,
      lobulation: random.bool(0.4) ? random.uniform(0.06, 0.14) : random.uniform(0, 0.03),
      phases: [random.uniform(0, 6.3), random.uniform(0, 6.3), random.uniform(0, 6.3)],
      hu:
        type === 'ground-glass' || type === 'part-solid'
          ? random.uniform(-650, -550)
          : random.uniform(20, 50),
      core: random.uniform(0.45, 0.6),
      coreHu: random.uniform(20, 50),
    });
  }
  return nodules;
}

/** Signed depth inside the nodule in units of its radius: > 0 inside, < 0 outside. */
function depth(nodule: NoduleShape, point: Vec3): number {
  const r = nodule.diameter / 2;
  const q: Vec3 = [0, 1, 2].map((a) => (point[a] - nodule.centre[a]) / (r * nodule.axes[a])) as Vec3;
  const rho = Math.sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2]);
  if (rho === 0) return 1;
  const [p0, p1, p2] = nodule.phases;
  const lobe =
    nodule.lobulation *
    Math.sin((3 * q[0]) / rho + p0) *
    Math.sin((3 * q[1]) / rho + p1) *
    Math.sin((3 * q[2]) / rho + p2);
  return (1 + lobe - rho) / (1 + lobe);
}

/** Draws the nodule into `hu` and its `label` into `mask` (voxel centres inside shape and lung). */
export function drawNodule(
  hu: Int16Array,
  mask: Uint8Array,
  geometry: VolumeGeometry,
  anatomy: Anatomy,
  nodule: NoduleShape,
  label: number,
): void {
  const [nx, ny, nz] = geometry.size;
  const [sx, sy, sz] = geometry.spacing;
  const [ox, oy, oz] = geometry.origin;
  const edge = Math.min(sx, sy);
  const extent = (nodule.diameter / 2) * 1.2 + edge * 2;
  const range = (axis: number, n: number): [number, number] => {
    const o = geometry.origin[axis];
    const s = geometry.spacing[axis];
    return [
      Math.max(0, Math.floor((nodule.centre[axis] - extent - o) / s)),
      Math.min(n - 1, Math.ceil((nodule.centre[axis] + extent - o) / s)),
    ];
  };
  const [i0, i1] = range(0, nx);
  const [j0, j1] = range(1, ny);
  const [k0, k1] = range(2, nz);
  const radius = nodule.diameter / 2;
  const point: Vec3 = [0, 0, 0];
  for (let k = k0; k <= k1; k++) {
    point[2] = oz + k * sz;
    for (let j = j0; j <= j1; j++) {
      point[1] = oy + j * sy;
      for (let i = i0; i <= i1; i++) {
        point[0] = ox + i * sx;
        const d = depth(nodule, point);
        const coverage = Math.min(1, (d * radius) / edge + 0.5);
        if (coverage <= 0 || !anatomy.lungAt(point[0], point[1], point[2])) continue;
        const index = i + j * nx + k * nx * ny;
        if (d > 0) mask[index] = label;
        const current = hu[index];
        let value = nodule.hu;
        if (nodule.type === 'part-solid' && d > 1 - nodule.core) value = nodule.coreHu;
        // Ground glass veils what lies beneath (vessels stay visible through it).
        const blended = current + (value - current) * coverage;
        hu[index] = Math.round(value < -200 ? Math.max(current, blended) : blended);
      }
    }
  }
}
