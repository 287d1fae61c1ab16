// Builds one synthetic chest CT study in memory from a seed: acquisition parameters, the HU volume (Int16,
// i-fastest, ascending z), the nodule label volume and the nodule truth. Writing to disk is
// write-sample-studies.ts's job, so the model trainer can use studies without touching the disk.
import type { Vec3, VolumeGeometry } from '../dicom/volume.ts';
import { Anatomy, drawAnatomy } from './anatomy.ts';
import { NoiseTile, blur121 } from './ct-texture.ts';
import {
  drawNodule,
  drawNoduleShapes,
  type NoduleAttachment,
  type NoduleShape,
  type NoduleType,
} from './nodules.ts';
import {
  followUpIdentity,
  followUpNodules,
  planFollowUp,
  type FollowUpOptions,
  type FollowUpTruth,
} from './follow-up.ts';
import { drawIdentity, type PatientIdentity } from './patient-identity.ts';
import { Random, uid } from './random.ts';
import { distanceToSegment, drawVessels, growVessels, type VesselSegment } from './vessels.ts';

export interface GenerateStudyOptions {
  seed: number | string;
  /** Rows and columns (default 512); pixel spacing scales so the field of view stays 320–400 mm. */
  size?: number;
  /** Number of slices; default 150–250 depending on the drawn slice spacing. */
  slices?: number;
  /** Number of nodules; default 0–4 drawn from the seed. */
  nodules?: number;
  /**
   * Make the study the same seed's baseline scanned again later instead (src/sample/follow-up.ts): same
   * patient, shifted on the table, nodules changed.
   */
  followUp?: FollowUpOptions;
}

export type PixelStorage = 'unsigned-12' | 'unsigned-16' | 'signed-16';
export type DiskOrder = 'ascending' | 'descending' | 'shuffled';
export type FileNaming = 'IM0001' | 'hex' | 'hex.dcm' | 'IM0001.dcm';

export interface Acquisition {
  pixelSpacing: number;
  sliceThickness: number;
  sliceSpacing: number;
  contrast: boolean;
  storage: PixelStorage;
  diskOrder: DiskOrder;
  naming: FileNaming;
  /** Instance Number 1 is the highest slice (head-first scan) when true, the lowest otherwise. */
  numberFromTop: boolean;
  noiseSigma: number;
}

export interface NoduleTruth {
  id: number;
  /** Value of this nodule's voxels in the label volume. */
  label: number;
  type: NoduleType;
  attached: NoduleAttachment;
  /** Centre in patient coordinates (LPS, mm). */
  centre: Vec3;
  /** Centre as continuous voxel indices (i, j, k) into the geometry. */
  centreVoxel: Vec3;
  /** Longest axis of the spheroid before lobulation (mm). */
  diameterMm: number;
  /** Label voxel count × voxel volume (mm³). */
  volumeMm3: number;
  voxelCount: number;
  /** First and last k (ascending z) holding label voxels, and their z (mm). */
  sliceRange: { firstK: number; lastK: number; zMin: number; zMax: number };
}

export interface SampleStudy {
  seed: string;
  geometry: VolumeGeometry;
  /** Hounsfield units, i-fastest: index = i + j·columns + k·columns·rows, k ascending z. */
  hu: Int16Array;
  /** Nodule labels (0 = background, n = nodules[n − 1]) in the same order as `hu`. */
  mask: Uint8Array;
  nodules: NoduleTruth[];
  /** Points (LPS, mm) of known tissue, for checking HU: air outside the body, open lung in each lung. */
  landmarks: { air: Vec3; lungs: Vec3[] };
  acquisition: Acquisition;
  identity: PatientIdentity;
  uids: { study: string; series: string; frameOfReference: string; instances: string[] };
  /** Set on a follow-up: how it relates to its baseline. */
  followUp?: FollowUpTruth;
}

export function generateStudy(options: GenerateStudyOptions): SampleStudy {
  const size = options.size ?? 512;
  if (!Number.isInteger(size) || size < 32 || size > 1024)
    throw new Error(`size ${size} must be an integer from 32 to 1024`);
  const seed = String(options.seed);
  const random = new Random(seed);
  const baselineIdentity = drawIdentity(random.fork('identity'));
  const setup = random.fork('acquisition');

  const pixelSpacing = Math.round((setup.uniform(320, 400) / size) * 1e4) / 1e4;
  const sliceThickness = setup.pick([1, 1.25, 1.5, 2, 2.5]);
  const sliceSpacing = setup.bool(0.3) ? Math.round(sliceThickness * 80) / 100 : sliceThickness;
  const slices =
    options.slices ?? Math.min(250, Math.max(150, Math.round(setup.uniform(270, 330) / sliceSpacing)));
  if (!Number.isInteger(slices) || slices < 4 || slices > 2000)
    throw new Error(`slices ${slices} must be an integer from 4 to 2000`);
  const plan = options.followUp ? planFollowUp(seed, options.followUp, slices) : undefined;
  const identity = plan ? followUpIdentity(plan, baselineIdentity) : baselineIdentity;
  const fieldOfView = pixelSpacing * size;
  const zFirst = Math.round(setup.uniform(-420, -120) * 100) / 100;
  const origin: Vec3 = [
    Math.round((-fieldOfView / 2 + pixelSpacing / 2 + setup.uniform(-12, 12)) * 1000) / 1000,
    Math.round((-fieldOfView / 2 + pixelSpacing / 2 + setup.uniform(-8, 16)) * 1000) / 1000,
    zFirst,
  ];
  const geometry: VolumeGeometry = {
    size: [size, size, slices],
    spacing: [pixelSpacing, pixelSpacing, sliceSpacing],
    origin,
    direction: [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ],
  };
  // A full chest whatever the slice count: the anatomy stretches over the scanned range.
  const anatomy = new Anatomy(
    drawAnatomy(
      random.fork('anatomy'),
      Math.min(fieldOfView, 420),
      zFirst,
      zFirst + (slices - 1) * sliceSpacing,
    ),
  );
  const acquisition: Acquisition = {
    pixelSpacing,
    sliceThickness,
    sliceSpacing,
    contrast: anatomy.p.contrast,
    storage: setup.pick<PixelStorage>(['unsigned-12', 'unsigned-16', 'signed-16']),
    diskOrder: setup.pick<DiskOrder>(['ascending', 'descending', 'shuffled']),
    naming: setup.pick<FileNaming>(['IM0001', 'hex', 'hex.dcm', 'IM0001.dcm']),
    numberFromTop: setup.bool(0.7),
    noiseSigma: setup.uniform(10, 20),
  };

  const hu = new Int16Array(size * size * slices);
  renderTissue(hu, geometry, anatomy);
  const vessels = growVessels(random.fork('vessels'), anatomy);
  drawVessels(hu, geometry, vessels, anatomy.p.contrast ? 60 : 42);

  const mask = new Uint8Array(hu.length);
  const noduleRandom = random.fork('nodules');
  const count = options.nodules ?? noduleRandom.int(0, 4);
  const extent = (axis: number): number => origin[axis] + (geometry.size[axis] - 1) * geometry.spacing[axis];
  const region = {
    anatomy,
    vessels,
    low: [origin[0] + 8, origin[1] + 8, origin[2] + sliceSpacing] as Vec3,
    high: [extent(0) - 8, extent(1) - 8, extent(2) - sliceSpacing] as Vec3,
  };
  const smallest = Math.max(3, 3.5 * pixelSpacing, 1.6 * sliceSpacing);
  // A follow-up replays the baseline's draws, then draws its new nodules after them.
  const replay = plan && plan.newNodules > 0 ? noduleRandom.clone() : undefined;
  const baselineShapes = drawNoduleShapes(noduleRandom, region, count, smallest);
  const changed = plan
    ? followUpNodules(
        plan,
        baselineShapes,
        replay
          ? drawNoduleShapes(replay, region, count + plan.newNodules, smallest).slice(baselineShapes.length)
          : [],
      )
    : undefined;
  const shapes = changed?.shapes ?? baselineShapes;
  shapes.forEach((shape, index) => drawNodule(hu, mask, geometry, anatomy, shape, index + 1));

  // The baseline's noise streams are forked either way, so every later fork (the UIDs) matches the baseline's.
  const noise = { tile: random.fork('noise-tile'), grain: random.fork('noise') };
  if (plan) Object.assign(noise, { tile: plan.random.fork('noise-tile'), grain: plan.random.fork('noise') });
  applyTexture(hu, geometry, new NoiseTile(noise.tile, size, acquisition.noiseSigma), noise.grain);

  const uidRandom = random.fork('uids');
  const uidsOf = (source: Random, count: number) => ({
    study: uid(source),
    series: uid(source),
    frameOfReference: uid(source),
    instances: Array.from({ length: count }, () => uid(source)),
  });
  const baselineUids = uidsOf(uidRandom, slices);
  const landmarks = { air: airPoint(geometry), lungs: openLungPoints(anatomy, vessels, shapes, geometry) };
  if (!plan || !changed) {
    const nodules = nodulesTruth(shapes, mask, geometry);
    return { seed, geometry, hu, mask, nodules, landmarks, acquisition, identity, uids: baselineUids };
  }
  // The follow-up: crop the stack's ends, then move the whole patient by the plan's shift.
  const [below, above] = plan.crop;
  const kept = slices - below - above;
  const plane = size * size;
  const moved = (p: Vec3, dz = 0): Vec3 =>
    p.map((v, a) => Math.round((v + plan.shift[a] + (a === 2 ? dz : 0)) * 1e4) / 1e4) as Vec3;
  const followGeometry: VolumeGeometry = {
    ...geometry,
    size: [size, size, kept],
    origin: moved(geometry.origin, below * sliceSpacing),
  };
  const followMask = mask.slice(below * plane, (below + kept) * plane);
  const followShapes = shapes.map((shape) => ({ ...shape, centre: moved(shape.centre) }));
  return {
    seed,
    geometry: followGeometry,
    hu: hu.slice(below * plane, (below + kept) * plane),
    mask: followMask,
    nodules: nodulesTruth(followShapes, followMask, followGeometry),
    landmarks: { air: moved(landmarks.air), lungs: landmarks.lungs.map((p) => moved(p)) },
    acquisition,
    identity,
    uids: uidsOf(plan.random.fork('uids'), kept),
    followUp: {
      baselineStudyInstanceUid: baselineUids.study,
      baselineSeriesInstanceUid: baselineUids.series,
      days: plan.days,
      shiftMm: plan.shift,
      croppedSlices: plan.crop,
      ...changed.truth,
    },
  };
}

function airPoint(geometry: VolumeGeometry): Vec3 {
  // Anterior right corner of the middle slice: outside any body and above the table.
  const [sx, sy, sz] = geometry.spacing;
  const [ox, oy, oz] = geometry.origin;
  return [ox + 3 * sx, oy + 3 * sy, oz + Math.floor(geometry.size[2] / 2) * sz].map(
    (v) => Math.round(v * 1e4) / 1e4,
  ) as Vec3;
}

/**
 * One point per lung near mid height: of the voxel centres on a coarse grid, the one farthest from any vessel,
 * nodule or pleural surface (up to 12 mm), so a reader sampling a small patch there sees open lung.
 */
function openLungPoints(
  anatomy: Anatomy,
  vessels: VesselSegment[],
  nodules: NoduleShape[],
  geometry: VolumeGeometry,
): Vec3[] {
  const [sx, sy, sz] = geometry.spacing;
  const [ox, oy, oz] = geometry.origin;
  const k = Math.round((anatomy.p.zBase + 0.6 * (anatomy.p.zApex - anatomy.p.zBase) - oz) / sz);
  const z = oz + Math.max(0, Math.min(geometry.size[2] - 1, k)) * sz;
  const near = vessels.filter(
    (v) =>
      Math.min(v.from[2], v.to[2]) - v.radius < z + 12 && Math.max(v.from[2], v.to[2]) + v.radius > z - 12,
  );
  const directions: Vec3[] = [
    [1, 0, 0],
    [-1, 0, 0],
    [0, 1, 0],
    [0, -1, 0],
    [0, 0, 1],
    [0, 0, -1],
    [0.7, 0.7, 0],
    [-0.7, 0.7, 0],
    [0.7, -0.7, 0],
    [-0.7, -0.7, 0],
  ];
  const clearance = (point: Vec3): number => {
    let best = 12;
    for (const d of directions) {
      for (let r = 1; r < best; r += 1) {
        if (!anatomy.lungAt(point[0] + d[0] * r, point[1] + d[1] * r, point[2] + d[2] * r)) best = r;
      }
    }
    for (const v of near) best = Math.min(best, distanceToSegment(point, v) - v.radius);
    for (const n of nodules)
      best = Math.min(
        best,
        Math.hypot(n.centre[0] - point[0], n.centre[1] - point[1], n.centre[2] - point[2]) - n.diameter / 2,
      );
    return best;
  };
  const step = Math.max(1, Math.round(3 / sx));
  const points: Vec3[] = [];
  for (const side of [-1, 1]) {
    let best: Vec3 | undefined;
    let bestClearance = -Infinity;
    for (let j = 2; j < geometry.size[1] - 2; j += step) {
      for (let i = 2; i < geometry.size[0] - 2; i += step) {
        // Voxel centres, so a reader sampling the nearest voxel sees exactly this point.
        const point = [ox + i * sx, oy + j * sy, z].map((v) => Math.round(v * 1e4) / 1e4) as Vec3;
        if (Math.sign(point[0]) !== side || !anatomy.lungAt(point[0], point[1], point[2])) continue;
        const score = clearance(point);
        if (score > bestClearance) {
          bestClearance = score;
          best = point;
        }
      }
    }
    if (best) points.push(best);
  }
  return points;
}

function renderTissue(hu: Int16Array, geometry: VolumeGeometry, anatomy: Anatomy): void {
  const [nx, ny, nz] = geometry.size;
  const [sx, sy, sz] = geometry.spacing;
  const [ox, oy, oz] = geometry.origin;
  let index = 0;
  for (let k = 0; k < nz; k++) {
    const z = oz + k * sz;
    for (let j = 0; j < ny; j++) {
      const y = oy + j * sy;
      for (let i = 0; i < nx; i++) hu[index++] = Math.round(anatomy.tissueAt(ox + i * sx, y, z));
    }
  }
}

function applyTexture(hu: Int16Array, geometry: VolumeGeometry, tile: NoiseTile, random: Random): void {
  const [nx, ny, nz] = geometry.size;
  const slice = new Float32Array(nx * ny);
  const scratch = new Float32Array(nx * ny);
  for (let k = 0; k < nz; k++) {
    const offset = k * nx * ny;
    for (let n = 0; n < slice.length; n++) slice[n] = hu[offset + n];
    // The scanner's point-spread function is ~0.5 mm: one [1 2 1] pass at sub-millimetre pixels, none on coarse grids.
    if (geometry.spacing[0] < 1.2) blur121(slice, scratch, nx, ny);
    tile.addTo(slice, nx, ny, random);
    for (let n = 0; n < slice.length; n++) {
      const value = slice[n];
      hu[offset + n] = value <= -1024 ? -1024 : value >= 3071 ? 3071 : Math.round(value);
    }
  }
}

/** Truth per nodule from one pass over the label volume (voxel counts and slice ranges). */
function nodulesTruth(shapes: NoduleShape[], mask: Uint8Array, geometry: VolumeGeometry): NoduleTruth[] {
  const [nx, ny, nz] = geometry.size;
  const [sx, sy, sz] = geometry.spacing;
  const counts = new Array<number>(shapes.length + 1).fill(0);
  const firstK = new Array<number>(shapes.length + 1).fill(-1);
  const lastK = new Array<number>(shapes.length + 1).fill(-1);
  const sliceSize = nx * ny;
  for (let k = 0; k < nz; k++) {
    const end = (k + 1) * sliceSize;
    for (let index = k * sliceSize; index < end; index++) {
      const label = mask[index];
      if (label === 0) continue;
      counts[label]++;
      if (firstK[label] < 0) firstK[label] = k;
      lastK[label] = k;
    }
  }
  const round = (v: number, digits = 3): number => Math.round(v * 10 ** digits) / 10 ** digits;
  return shapes.map((shape, index) => {
    const label = index + 1;
    return {
      id: label,
      label,
      type: shape.type,
      attached: shape.attached,
      centre: shape.centre.map((v) => round(v)) as Vec3,
      centreVoxel: shape.centre.map((v, a) => round((v - geometry.origin[a]) / geometry.spacing[a])) as Vec3,
      diameterMm: round(shape.diameter, 2),
      volumeMm3: round(counts[label] * sx * sy * sz, 1),
      voxelCount: counts[label],
      sliceRange: {
        firstK: firstK[label],
        lastK: lastK[label],
        zMin: round(geometry.origin[2] + firstK[label] * sz),
        zMax: round(geometry.origin[2] + lastK[label] * sz),
      },
    };
  });
}
