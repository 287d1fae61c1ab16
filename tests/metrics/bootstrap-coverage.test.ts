// Does the bootstrap 95 % interval mean what it says? Draw many decision sets from a model whose true
// sensitivity, FP/scan, precision and AUC are known, and count how often the interval holds the truth.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapIntervals } from '../../src/metrics/bootstrap-interval.ts';
import { operatingPoint, type ReviewedSeries } from '../../src/metrics/decision-set.ts';
import { seededRandom } from '../../src/metrics/seeded-random.ts';
import { seriesAuc } from '../../src/metrics/series-auc.ts';
import { added, confirmed, rejected, series } from './decision-fixtures.ts';

// Per scan: 0, 1 or 2 lesions (equally likely), each found with probability 0.8 (score uniform in
// [0.5, 1)), else added by the reader; 0 or 1 false positive (probability 0.5, score uniform in [0.5, 0.9)).
// The series score is the best finding's, or uniform in [0, 0.5) without one.
// Truth: sensitivity 0.8; FP/scan 0.5; precision E[TP] / (E[TP] + E[FP]) = 0.8 / (0.8 + 0.5) = 8/13.
const TRUE_SENSITIVITY = 0.8;
const TRUE_FP_PER_SCAN = 0.5;
const TRUE_PRECISION = 8 / 13;

function draw(random: () => number, scans: number): ReviewedSeries[] {
  const out: ReviewedSeries[] = [];
  for (let n = 0; n < scans; n++) {
    const findings = [];
    const lesions = Math.floor(random() * 3);
    for (let l = 0; l < lesions; l++) {
      findings.push(random() < TRUE_SENSITIVITY ? confirmed(0.5 + random() * 0.5) : added());
    }
    if (random() < TRUE_FP_PER_SCAN) findings.push(rejected(0.5 + random() * 0.4));
    const scores = findings.filter((f) => f.score !== null).map((f) => f.score as number);
    out.push(series(scores.length ? Math.max(...scores) : random() * 0.5, findings));
  }
  return out;
}

const statistics = (sample: readonly ReviewedSeries[]) => {
  const point = operatingPoint(sample);
  return [point.sensitivity, point.fpPerScan, point.precision, seriesAuc(sample)];
};

test('bootstrap 95 % intervals hold the true value in about 95 % of 200 simulated decision sets', () => {
  const random = seededRandom(4242);
  // The AUC's truth has no short closed form here: take it from one very large draw (200 000 scans, whose
  // own error, about ±0.001, is far inside any interval from 80 scans).
  const trueAuc = seriesAuc(draw(random, 200_000)) as number;
  const truths = [TRUE_SENSITIVITY, TRUE_FP_PER_SCAN, TRUE_PRECISION, trueAuc];
  const covered = [0, 0, 0, 0];
  const simulations = 200;
  for (let sim = 0; sim < simulations; sim++) {
    const sample = draw(random, 80);
    const intervals = bootstrapIntervals(sample, statistics, 4, { resamples: 400, seed: sim + 1 });
    intervals.forEach((interval, s) => {
      if (interval && interval.low <= truths[s] && truths[s] <= interval.high) covered[s]++;
    });
  }
  const rates = covered.map((c) => c / simulations);
  const names = ['sensitivity', 'FP/scan', 'precision', 'AUC'];
  for (const [s, rate] of rates.entries()) {
    // Binomial noise on 200 runs is ±3 % (two standard errors); percentile intervals run a little narrow.
    assert.ok(rate >= 0.88 && rate <= 0.99, `${names[s]}: covered in ${(rate * 100).toFixed(1)} % of runs`);
  }
  console.log(`coverage: ${names.map((n, s) => `${n} ${(rates[s] * 100).toFixed(1)} %`).join(', ')}`);
});
