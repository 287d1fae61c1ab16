// The chest phantom as implicit functions of patient position (LPS, mm): body, chest wall, ribs, spine,
// sternum, lungs, heart, aorta, trachea, liver and an optional table. One set of shape parameters per study,
// drawn from the seed, so bodies differ; `lungAt` is shared with vessel and nodule placement so that those
// land inside the very lungs the slices show.
import type { Random } from './random.ts';

export interface AnatomyParameters {
  /** Body semi-axes (mm): left-right, anterior-posterior; body centre y. */
  bodyA: number;
  bodyB: number;
  centreY: number;
  fat: number;
  muscle: number;
  /** Scan range: z (mm) of the lung bases (w = 0) and of the apices (w = 1). */
  zBase: number;
  zApex: number;
  contrast: boolean;
  contrastHu: number;
  withTable: boolean;
  ribPeriod: number;
  ribPhase: number;
  wave: [number, number, number, number];
}

// Math.hypot is several times slower than this in V8, and these run per voxel.
function length2(x: number, y: number): number {
  return Math.sqrt(x * x + y * y);
}

export const HU = {
  air: -1000,
  fat: -95,
  muscle: 45,
  lung: -850,
  blood: 40,
  liver: 58,
  marrow: 260,
  cortex: 950,
} as const;

export function drawAnatomy(
  random: Random,
  fieldOfView: number,
  zFirst: number,
  zLast: number,
): AnatomyParameters {
  const bodyA = fieldOfView * random.uniform(0.36, 0.44);
  const height = zLast - zFirst;
  return {
    bodyA,
    bodyB: bodyA * random.uniform(0.6, 0.74),
    centreY: random.uniform(-12, 8),
    fat: random.uniform(6, 22),
    muscle: random.uniform(8, 14),
    // The scan spans a little below the lung bases and a little above the apices, like a chest CT.
    zBase: zFirst + height * random.uniform(0.05, 0.09),
    zApex: zLast - height * random.uniform(0.0, 0.04),
    contrast: random.bool(0.5),
    contrastHu: random.uniform(170, 280),
    withTable: random.bool(0.7),
    ribPeriod: random.uniform(24, 30),
    ribPhase: random.uniform(0, 30),
    wave: [
      random.uniform(0, 6.3),
      random.uniform(0, 6.3),
      random.uniform(0, 6.3),
      random.uniform(0.03, 0.07),
    ],
  };
}

/** Derived shapes that depend only on the parameters (computed once per study). */
export class Anatomy {
  readonly cavityA: number;
  readonly cavityB: number;
  readonly spineY: number;
  readonly spineRadius: number;
  private cachedZ = NaN;
  private cachedW = 0;
  private cachedAx = 0;
  private cachedAy = 0;
  private cachedSinZ = 0;
  private cachedY = NaN;
  private cachedSinY = 0;

  constructor(readonly p: AnatomyParameters) {
    this.cavityA = p.bodyA - p.fat - p.muscle - 9;
    this.cavityB = p.bodyB - p.fat - p.muscle - 9;
    this.spineRadius = Math.min(20, this.cavityB * 0.2);
    this.spineY = p.centreY + this.cavityB - this.spineRadius * 1.1;
  }

  /** Height through the lungs: 0 at the bases, 1 at the apices. */
  w(z: number): number {
    return (z - this.p.zBase) / (this.p.zApex - this.p.zBase);
  }

  /** Height of the diaphragm dome (in w) under (x, y); the right dome rides higher over the liver. */
  dome(x: number, y: number): number {
    const u = x / this.cavityA;
    const v = (y - this.p.centreY) / this.cavityB;
    const side = x < 0 ? 0.05 : 0;
    return 0.02 + side + 0.2 * Math.max(0, 1 - (Math.abs(u) - 0.45) ** 2 * 4 - v * v) - 0.06 * v;
  }

  /** Heart: an ellipsoid left-anterior of the midline, low in the chest. Returns < 1 inside. */
  heart(x: number, y: number, w: number): number {
    const hx = (x - this.cavityA * 0.18) / (this.cavityA * 0.48);
    const hy = (y - (this.p.centreY - this.cavityB * 0.2)) / (this.cavityB * 0.56);
    const hw = (w - 0.2) / 0.27;
    return hx * hx + hy * hy + hw * hw;
  }

  /** Whether (x, y) at height w (and z for the surface wave) lies in lung parenchyma. */
  lungAt(x: number, y: number, z: number): boolean {
    // Slices and rows are rendered in order, so terms of z and of y are kept from the previous call.
    if (z !== this.cachedZ) {
      this.cachedZ = z;
      const w = this.w(z);
      const profile = w < 0 || w > 1.02 ? 0 : Math.sqrt(Math.max(0, 1 - ((w - 0.36) / 0.66) ** 2));
      this.cachedW = w;
      this.cachedAx = this.cavityA * 0.45 * profile;
      this.cachedAy = this.cavityB * 0.9 * Math.sqrt(profile);
      this.cachedSinZ = this.p.wave[3] * Math.sin(z * 0.03 + this.p.wave[2]);
    }
    if (y !== this.cachedY) {
      this.cachedY = y;
      this.cachedSinY = Math.sin(y * 0.05 + this.p.wave[1]);
    }
    const ax = this.cachedAx;
    if (ax <= 0) return false;
    const w = this.cachedW;
    const cx = (x < 0 ? -0.5 : 0.5) * this.cavityA;
    const cy = this.p.centreY + this.cavityB * 0.06;
    const u = (x - cx) / ax;
    const v = (y - cy) / this.cachedAy;
    const wave = this.cachedSinZ * this.cachedSinY * Math.sin(x * 0.045 + this.p.wave[0]);
    if (u * u + v * v + wave >= 1) return false;
    if (w < this.dome(x, y)) return false;
    if (this.heart(x, y, w) < 1.25) return false;
    // Mediastinum, great vessels and the paravertebral gutter stay soft tissue.
    if (Math.abs(x) < this.cavityA * 0.1 && y < this.spineY) return false;
    if (this.aortaDistance(x, y, w) < 4 || (w > 0.6 && this.tracheaDistance(x, y) < 5)) return false;
    const sy = y - this.spineY;
    return x * x + sy * sy > (this.spineRadius * 1.6) ** 2;
  }

  /** Hounsfield value of tissue at (x, y, z), before vessels, nodules, blur and noise. */
  tissueAt(x: number, y: number, z: number): number {
    const p = this.p;
    const dy = y - p.centreY;
    const body = (x / p.bodyA) ** 2 + (dy / p.bodyB) ** 2;
    if (body >= 1) return this.outside(x, y);
    const muscleA = p.bodyA - p.fat;
    const muscleB = p.bodyB - p.fat;
    if ((x / muscleA) ** 2 + (dy / muscleB) ** 2 >= 1) return body > 0.985 ? 20 : HU.fat;
    const bone = this.boneAt(x, y, z);
    if (bone !== undefined) return bone;
    const ribA = this.cavityA + 9;
    const ribB = this.cavityB + 9;
    if ((x / ribA) ** 2 + (dy / ribB) ** 2 >= 1) return HU.muscle;
    const cavity = (x / this.cavityA) ** 2 + (dy / this.cavityB) ** 2;
    if (cavity >= 1) return this.ribAt(x, dy, z, ribA, ribB) ?? HU.muscle;
    return this.insideChest(x, y, z);
  }

  private outside(x: number, y: number): number {
    if (!this.p.withTable) return HU.air;
    // A cradle: the table's edges curve up (anterior) around the patient.
    const top = this.p.centreY + this.p.bodyB + 4 - x * x * 0.0012;
    if (Math.abs(x) > 210 || y < top || y > top + 22) return HU.air;
    return y < top + 2.5 || y > top + 19.5 ? 250 : -920;
  }

  private boneAt(x: number, y: number, z: number): number | undefined {
    // Vertebral body with discs every ~28 mm, spinal canal and spinous process.
    const r = this.spineRadius;
    const vx = x / (r * 1.1);
    const vy = (y - this.spineY) / r;
    const vertebra = vx * vx + vy * vy;
    if (vertebra < 1) {
      const disc = (((z - this.p.ribPhase) % 28) + 28) % 28 < 4;
      if (disc) return 85;
      return vertebra > 0.8 ? HU.cortex : HU.marrow;
    }
    const canalY = this.spineY + r + 9;
    const canal = (x * x + (y - canalY) ** 2) / 49;
    if (canal < 1) return 15;
    if (canal < 2.6 && y > this.spineY) return 800;
    if (Math.abs(x) < 4 && y > canalY && y < canalY + 32) return 700;
    // Sternum in the upper two thirds, just in front of the cavity.
    const w = this.w(z);
    if (w > 0.32 && w < 0.98) {
      const sy = (y - (this.p.centreY - this.cavityB - 5)) / 6;
      const sx = x / 15;
      const sternum = sx * sx + sy * sy;
      if (sternum < 1) return sternum > 0.55 ? 850 : 300;
    }
    return undefined;
  }

  /** Ribs: tilted bands in the chest wall, higher at the back than at the front, none at the midline front. */
  private ribAt(x: number, dy: number, z: number, ribA: number, ribB: number): number | undefined {
    if (Math.abs(x) < 28 && dy < 0) return undefined;
    const w = this.w(z);
    if (w < -0.05 || w > 1.05) return undefined;
    const angle = Math.atan2(dy / ribB, x / ribA);
    const frontness = (1 - Math.sin(angle)) / 2;
    const period = this.p.ribPeriod;
    const phase = (((z + 95 * frontness - this.p.ribPhase) % period) + period) % period;
    const along = (phase - period / 2) / 5.5;
    if (Math.abs(along) >= 1) return undefined;
    const cavity = Math.sqrt((x / this.cavityA) ** 2 + (dy / this.cavityB) ** 2);
    const outer = Math.sqrt((x / ribA) ** 2 + (dy / ribB) ** 2);
    const across = (2 * (cavity - 1)) / (cavity - outer + 1e-9) + 1;
    // Costal cartilage near the front is barely denser than muscle.
    if (frontness > 0.8) return 130;
    return across * across + along * along < 0.45 ? HU.marrow : HU.cortex;
  }

  private insideChest(x: number, y: number, z: number): number {
    const w = this.w(z);
    if (this.lungAt(x, y, z)) {
      // Dependent (posterior) lung is a little denser, as in a supine patient.
      return HU.lung + 40 * ((y - this.p.centreY) / this.cavityB);
    }
    if (w < this.dome(x, y)) return x < 0 || w < 0 ? HU.liver : 45;
    const blood = this.p.contrast ? this.p.contrastHu : HU.blood;
    const heart = this.heart(x, y, w);
    if (heart < 1) return heart < 0.55 ? blood : 50;
    if (this.aortaDistance(x, y, w) < 0) return blood;
    if (w > 0.6) {
      const trachea = this.tracheaDistance(x, y);
      if (trachea < 0) return trachea < -2 ? HU.air : 40;
    }
    return heart < 1.25 ? HU.fat : 30 - 60 * Math.min(1, Math.abs(x) / (this.cavityA * 0.15));
  }

  private tracheaDistance(x: number, y: number): number {
    return length2(x, y - (this.p.centreY + this.cavityB * 0.1)) - 9;
  }

  /** Signed distance (mm) to the aorta's wall: ascending, arch and descending; negative inside. */
  aortaDistance(x: number, y: number, w: number): number {
    const arch = 0.74;
    const ax = this.cavityA * 0.04;
    const ay = this.p.centreY - this.cavityB * 0.15;
    const dx = this.cavityA * 0.2;
    const dy = this.spineY - this.spineRadius * 1.25;
    let distance = Infinity;
    if (w < arch) distance = length2(x - dx, y - dy) - 12;
    if (w > 0.35 && w < arch) distance = Math.min(distance, length2(x - ax, y - ay) - 14);
    if (Math.abs(w - arch) < 0.035) {
      const ux = dx - ax;
      const uy = dy - ay;
      const t = Math.max(0, Math.min(1, ((x - ax) * ux + (y - ay) * uy) / (ux * ux + uy * uy)));
      distance = Math.min(distance, length2(x - ax - t * ux, y - ay - t * uy) - 13);
    }
    return distance;
  }
}
