// Owns the precision–recall curve over the same threshold sweep as the FROC curve: at each distinct finding
// score t, recall = kept findings scoring ≥ t / all lesions and precision = kept / (kept + rejected) scoring
// ≥ t. Recall never reaches 1 while readers added findings the model missed.
import type { PrPoint } from '../shared/metrics-types.ts';
import type { ReviewedSeries } from './decision-set.ts';
import { sweep } from './froc-curve.ts';

export function prCurve(series: readonly ReviewedSeries[]): PrPoint[] {
  return sweep(series)
    .filter((p) => p.lesions > 0)
    .map((p) => ({
      threshold: p.threshold,
      recall: p.truePositives / p.lesions,
      precision: p.truePositives / (p.truePositives + p.falsePositives),
    }));
}
