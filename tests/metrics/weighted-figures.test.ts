// The fast bootstrap path (per-series weights over presorted lists) must give the figures of the plain
// definitions (decision-set.ts, froc-curve.ts, series-auc.ts) and the same intervals for the same seed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapIntervals, bootstrapWeightedIntervals } from '../../src/metrics/bootstrap-interval.ts';
import { operatingPoint, type ReviewedSeries } from '../../src/metrics/decision-set.ts';
import { cpm } from '../../src/metrics/froc-curve.ts';
import { seededRandom } from '../../src/metrics/seeded-random.ts';
import { seriesAuc } from '../../src/metrics/series-auc.ts';
import { WeightedFigures } from '../../src/metrics/weighted-figures.ts';
import {
  added,
  confirmed,
  corrected,
  rejected,
  series,
  undecided,
  workedExample,
} from './decision-fixtures.ts';

/** Random decision sets with ties (scores on a coarse grid, as stored probabilities are). */
function randomSet(random: () => number, size: number): ReviewedSeries[] {
  const grid = () => Math.round((0.5 + random() * 0.5) * 20) / 20;
  return Array.from({ length: size }, () => {
    const findings = [];
    for (let k = Math.floor(random() * 4); k > 0; k--) {
      const p = random();
      findings.push(
        p < 0.4
          ? confirmed(grid())
          : p < 0.5
            ? corrected(grid(), random())
            : p < 0.9
              ? rejected(grid())
              : undecided(grid()),
      );
    }
    if (random() < 0.25) findings.push(added());
    return series(random() < 0.9 ? Math.round(random() * 10) / 10 : null, findings);
  });
}

function reference(sample: readonly ReviewedSeries[]): (number | null)[] {
  const point = operatingPoint(sample);
  let diceSum = 0;
  let diceCount = 0;
  for (const s of sample)
    for (const f of s.findings)
      if (f.kind === 'corrected' && f.dice !== null) {
        diceSum += f.dice;
        diceCount++;
      }
  return [
    point.sensitivity,
    point.precision,
    point.fpPerScan,
    cpm(sample),
    seriesAuc(sample),
    diceCount ? diceSum / diceCount : null,
  ];
}

function assertClose(actual: (number | null)[], expected: (number | null)[], what: string): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((value, n) => {
    if (expected[n] === null) assert.equal(value, null, `${what}[${n}]`);
    else
      assert.ok(
        value !== null && Math.abs(value - expected[n]!) < 1e-9,
        `${what}[${n}]: ${value} ≠ ${expected[n]}`,
      );
  });
}

test('weighted figures equal the plain definitions on the worked example and 50 random sets', () => {
  const table = new WeightedFigures(workedExample());
  assertClose(table.figures(table.ones()), reference(workedExample()), 'worked example');
  const random = seededRandom(99);
  for (let n = 0; n < 50; n++) {
    const set = randomSet(random, 1 + Math.floor(random() * 30));
    const weighted = new WeightedFigures(set);
    assertClose(weighted.figures(weighted.ones()), reference(set), `set ${n}`);
  }
});

test('weighted and resampled bootstraps give the same intervals for the same seed', () => {
  const set = randomSet(seededRandom(5), 40);
  const table = new WeightedFigures(set);
  const fast = bootstrapWeightedIntervals(table.size, (w) => table.figures(w), 6, {
    resamples: 300,
    seed: 11,
  });
  const plain = bootstrapIntervals(set, reference, 6, { resamples: 300, seed: 11 });
  fast.forEach((interval, n) => {
    assert.ok(interval && plain[n], `interval ${n} formed`);
    assert.ok(
      Math.abs(interval.low - plain[n]!.low) < 1e-9 && Math.abs(interval.high - plain[n]!.high) < 1e-9,
      `interval ${n}`,
    );
  });
});

test('a series drawn twice counts twice', () => {
  // S1: 1 TP + 1 FN; S2: 1 FP. Weights [2, 1]: TP 2 of 4 lesions, FP 1 over 3 scans.
  const table = new WeightedFigures([series(0.9, [confirmed(0.9), added()]), series(0.6, [rejected(0.6)])]);
  const [sensitivity, precision, fpPerScan] = table.figures([2, 1]);
  assert.deepEqual([sensitivity, precision, fpPerScan], [0.5, 2 / 3, 1 / 3]);
});
