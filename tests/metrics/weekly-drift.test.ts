import { test } from 'node:test';
import assert from 'node:assert/strict';
import { weekOf, weeklyFigures } from '../../src/metrics/weekly-drift.ts';
import { added, confirmed, rejected, series } from './decision-fixtures.ts';

test('weeks start on Monday (UTC)', () => {
  assert.equal(weekOf('2026-11-02T00:00:00Z'), '2026-11-02'); // a Monday
  assert.equal(weekOf('2026-11-08T23:59:59Z'), '2026-11-02'); // the Sunday after
  assert.equal(weekOf('2026-11-09T00:00:00Z'), '2026-11-09');
  assert.throws(() => weekOf('yesterday'), /not a date/);
});

test('a model that starts missing nodules shows as falling weekly sensitivity', () => {
  const week1 = '2026-11-03T09:00:00Z';
  const week2 = '2026-11-11T09:00:00Z';
  const data = [
    series(0.9, [confirmed(0.9)], { reviewedAt: week1 }),
    series(0.8, [confirmed(0.8), rejected(0.6)], { reviewedAt: week1 }),
    // Week 2: 1 of 3 lesions found, 2 false positives on 2 scans.
    series(0.7, [confirmed(0.7), added(), rejected(0.6)], { reviewedAt: week2 }),
    series(0.6, [added(), rejected(0.6)], { reviewedAt: week2 }),
  ];
  const weeks = weeklyFigures(data, { resamples: 100 });
  assert.deepEqual(
    weeks.map((w) => [w.week, w.series, w.sensitivity.value, w.sensitivity.count, w.fpPerScan.value]),
    [
      ['2026-11-02', 2, 1, 2, 0.5],
      ['2026-11-09', 2, 1 / 3, 3, 1],
    ],
  );
});
