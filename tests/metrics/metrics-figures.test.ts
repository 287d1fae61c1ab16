import { test } from 'node:test';
import assert from 'node:assert/strict';
import { metricsFigures } from '../../src/metrics/metrics-figures.ts';
import { cpm, frocCurve } from '../../src/metrics/froc-curve.ts';
import { prCurve } from '../../src/metrics/pr-curve.ts';
import { auc, seriesAuc } from '../../src/metrics/series-auc.ts';
import { confirmed, rejected, series, workedExample } from './decision-fixtures.ts';

const close = (actual: number | null, expected: number, what: string) =>
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-12, `${what}: ${actual} ≠ ${expected}`);

test('the worked example gives the counts, sensitivity, precision and FP/scan worked out by hand', () => {
  const figures = metricsFigures(workedExample(), { resamples: 200 });
  // TP: 0.90, 0.80 (corrected), 0.55 = 3. FP: 0.60, 0.70, 0.85 = 3. FN: 1 added. Undecided 0.52 left out.
  assert.deepEqual(figures.counts, {
    series: 5,
    truePositives: 3,
    confirmed: 2,
    corrected: 1,
    falsePositives: 3,
    rejectedBy: { vessel: 1, scar: 1, artefact: 1, benign: 0, other: 0 },
    falseNegatives: 1,
    undecided: 1,
  });
  // sensitivity 3 / (3 + 1) over 4 lesions; precision 3 / 6 over 6 proposals; FP/scan 3 / 5 over 5 scans.
  assert.equal(figures.sensitivity.value, 0.75);
  assert.equal(figures.sensitivity.count, 4);
  assert.equal(figures.precision.value, 0.5);
  assert.equal(figures.precision.count, 6);
  assert.equal(figures.fpPerScan.value, 0.6);
  assert.equal(figures.fpPerScan.count, 5);
  // One corrected finding, Dice 0.5.
  assert.equal(figures.dice.value, 0.5);
  assert.equal(figures.dice.count, 1);
  for (const e of [figures.sensitivity, figures.precision, figures.fpPerScan, figures.cpm, figures.auc]) {
    assert.ok(e.low !== null && e.high !== null && e.value !== null, 'every figure has an interval');
    assert.ok(e.low <= e.value && e.value <= e.high, `interval [${e.low}, ${e.high}] holds ${e.value}`);
  }
});

test('FROC points: one per distinct score, sensitivity over 4 lesions, FP over 5 scans', () => {
  // Sweep down: 0.90 TP → 1/4, 0/5 · 0.85 FP → 1/4, 1/5 · 0.80 TP → 2/4, 1/5 · 0.70 FP → 2/4, 2/5 ·
  // 0.60 FP → 2/4, 3/5 · 0.55 TP → 3/4, 3/5. The reader-added finding is never reached.
  assert.deepEqual(frocCurve(workedExample()), [
    { threshold: 0.9, sensitivity: 0.25, fpPerScan: 0 },
    { threshold: 0.85, sensitivity: 0.25, fpPerScan: 0.2 },
    { threshold: 0.8, sensitivity: 0.5, fpPerScan: 0.2 },
    { threshold: 0.7, sensitivity: 0.5, fpPerScan: 0.4 },
    { threshold: 0.6, sensitivity: 0.5, fpPerScan: 0.6 },
    { threshold: 0.55, sensitivity: 0.75, fpPerScan: 0.6 },
  ]);
});

test('CPM: mean of the step-read sensitivities at 1/8 … 8 FP/scan', () => {
  // ≤ 1/8 FP/scan: only the 0.90 point (FP 0) → 0.25. ≤ 1/4: up to 0.80 (FP 0.2) → 0.5. ≤ 1/2: 0.70 point
  // (FP 0.4) → 0.5. ≤ 1, 2, 4, 8: the last point → 0.75. Mean (0.25 + 0.5 + 0.5 + 4 × 0.75) / 7 = 4.25 / 7.
  close(cpm(workedExample()), 4.25 / 7, 'CPM');
  const figures = metricsFigures(workedExample(), { resamples: 50 });
  assert.deepEqual(
    figures.cpmPoints.map((p) => p.sensitivity),
    [0.25, 0.5, 0.5, 0.75, 0.75, 0.75, 0.75],
  );
});

test('PR points follow the same sweep', () => {
  const pr = prCurve(workedExample());
  assert.deepEqual(
    pr.map((p) => [p.threshold, p.recall]),
    [
      [0.9, 0.25],
      [0.85, 0.25],
      [0.8, 0.5],
      [0.7, 0.5],
      [0.6, 0.5],
      [0.55, 0.75],
    ],
  );
  // precision: 1/1, 1/2, 2/3, 2/4, 2/5, 3/6
  const expected = [1, 1 / 2, 2 / 3, 2 / 4, 2 / 5, 3 / 6];
  pr.forEach((p, n) => close(p.precision, expected[n], `precision at ${p.threshold}`));
});

test('study AUC: positives S1 0.90, S2 0.80, S3 0.70 against negatives S4 0.20, S5 0.85 → 4 of 6 pairs', () => {
  // 0.90 beats both; 0.80 and 0.70 beat 0.20 but not 0.85: 2 + 1 + 1 = 4 of 3 × 2 pairs.
  close(seriesAuc(workedExample()), 4 / 6, 'AUC');
});

test('AUC counts tied scores one half, and is undefined without both classes', () => {
  // positive 0.5 vs negatives 0.5 (tie: ½) and 0.3 (win: 1) → 1.5 / 2
  close(
    auc([
      { score: 0.5, positive: true },
      { score: 0.5, positive: false },
      { score: 0.3, positive: false },
    ]),
    0.75,
    'AUC with a tie',
  );
  assert.equal(auc([{ score: 0.5, positive: true }]), null);
});

test('tied finding scores enter the FROC curve together', () => {
  // Two findings at 0.7 (one kept, one rejected) on 2 scans with 2 lesions: one point (0.5, 0.5), not two.
  const tied = [series(0.7, [confirmed(0.7), rejected(0.7)]), series(0.6, [confirmed(0.6)])];
  assert.deepEqual(frocCurve(tied), [
    { threshold: 0.7, sensitivity: 0.5, fpPerScan: 0.5 },
    { threshold: 0.6, sensitivity: 1, fpPerScan: 0.5 },
  ]);
});

test('figures with no lesions are undefined, not zero', () => {
  const figures = metricsFigures([series(0.8, [rejected(0.8)]), series(0.1, [])], { resamples: 50 });
  assert.equal(figures.sensitivity.value, null);
  assert.equal(figures.cpm.value, null);
  assert.equal(figures.auc.value, null);
  assert.equal(figures.precision.value, 0);
  assert.equal(figures.fpPerScan.value, 0.5);
});

test('the bootstrap is seeded: the same data give the same interval; another seed, another', () => {
  const a = metricsFigures(workedExample(), { resamples: 300, seed: 7 });
  const b = metricsFigures(workedExample(), { resamples: 300, seed: 7 });
  const c = metricsFigures(workedExample(), { resamples: 300, seed: 8 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(
    [a.sensitivity, a.precision, a.fpPerScan, a.cpm, a.auc],
    [c.sensitivity, c.precision, c.fpPerScan, c.cpm, c.auc],
  );
});
