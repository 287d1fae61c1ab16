// Owns what makes a synthetic study a follow-up of another: the same patient scanned again some days later,
// lying a little differently on the table (the whole body shifted in patient coordinates, a few slices more or
// less at each end), each nodule stable, grown, shrunk or gone, sometimes a new one. generate-study.ts draws the
// baseline and applies this plan, so the same seed gives the pair byte for byte, and the baseline written with
// a follow-up is the very study written without one.
import type { Vec3 } from '../dicom/volume.ts';
import { addDays } from '../shared/dicom-date.ts';
import type { NoduleShape } from './nodules.ts';
import type { PatientIdentity } from './patient-identity.ts';
import { Random } from './random.ts';

export type NoduleFate = 'stable' | 'grown' | 'shrunk' | 'resolved';

export interface FollowUpOptions {
  /** Days after the baseline study (default 90–540, drawn from the seed). */
  days?: number;
}

/** What truth.json records of a follow-up: how it relates to its baseline, so tests can check matching. */
export interface FollowUpTruth {
  baselineStudyInstanceUid: string;
  baselineSeriesInstanceUid: string;
  days: number;
  /** Added to a point of the baseline's patient coordinates gives the same anatomy in this study (mm). */
  shiftMm: Vec3;
  /** Slices of the baseline's stack not scanned at its lower and upper end. */
  croppedSlices: [number, number];
  /** Per baseline nodule (by id): its fate, diameter factor, and its id here (null when resolved). */
  nodules: { baselineId: number; fate: NoduleFate; diameterFactor: number; id: number | null }[];
  /** Ids here of nodules the baseline did not have. */
  newNoduleIds: number[];
}

export interface FollowUpPlan {
  random: Random;
  days: number;
  shift: Vec3;
  crop: [number, number];
  newNodules: number;
}

export function planFollowUp(seed: string, options: FollowUpOptions, slices: number): FollowUpPlan {
  const random = new Random(`${seed}:follow-up`);
  const days = options.days ?? random.int(90, 540);
  if (!Number.isInteger(days) || days < 1 || days > 3650)
    throw new Error(`follow-up days ${days} must be a whole number from 1 to 3650`);
  const shift: Vec3 = [random.uniform(-15, 15), random.uniform(-15, 15), random.uniform(-40, 40)].map(
    (v) => Math.round(v * 100) / 100,
  ) as Vec3;
  const most = Math.floor(slices / 10);
  const crop: [number, number] = [random.int(0, most), random.int(0, most)];
  return { random, days, shift, crop, newNodules: random.bool(0.5) ? 1 : 0 };
}

/**
 * The follow-up's nodules from the baseline's (ids 1…n) and any new shapes: each baseline nodule's fate drawn
 * (stable 35 %, grown 40 %, shrunk 15 %, resolved 10 %), its diameter scaled, and its centre kept (the shift
 * is applied to the whole study later).
 */
export function followUpNodules(
  plan: FollowUpPlan,
  baseline: NoduleShape[],
  added: NoduleShape[],
): { shapes: NoduleShape[]; truth: Pick<FollowUpTruth, 'nodules' | 'newNoduleIds'> } {
  const shapes: NoduleShape[] = [];
  const nodules: FollowUpTruth['nodules'] = [];
  baseline.forEach((shape, index) => {
    const roll = plan.random.next();
    const fate: NoduleFate =
      roll < 0.35 ? 'stable' : roll < 0.75 ? 'grown' : roll < 0.9 ? 'shrunk' : 'resolved';
    const factor =
      fate === 'grown'
        ? plan.random.uniform(1.2, 1.5)
        : fate === 'shrunk'
          ? plan.random.uniform(0.6, 0.75)
          : fate === 'stable'
            ? 1
            : 0;
    const diameterFactor = Math.round(factor * 1000) / 1000;
    if (fate === 'resolved') {
      nodules.push({ baselineId: index + 1, fate, diameterFactor, id: null });
      return;
    }
    shapes.push({ ...shape, diameter: shape.diameter * diameterFactor });
    nodules.push({ baselineId: index + 1, fate, diameterFactor, id: shapes.length });
  });
  const newNoduleIds = added.map((shape) => shapes.push(shape));
  return { shapes, truth: { nodules, newNoduleIds } };
}

/** The same patient; a new date, time, accession number and study id. */
export function followUpIdentity(plan: FollowUpPlan, baseline: PatientIdentity): PatientIdentity {
  const r = plan.random;
  const two = (value: number) => String(value).padStart(2, '0');
  return {
    ...baseline,
    studyDate: addDays(baseline.studyDate, plan.days),
    studyTime: `${two(r.int(7, 19))}${two(r.int(0, 59))}${two(r.int(0, 59))}`,
    accessionNumber: `A${r.digits(9)}`,
    studyId: String(r.int(1000, 99999)),
  };
}
