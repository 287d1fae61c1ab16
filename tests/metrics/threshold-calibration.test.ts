import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseThreshold, previewThreshold } from '../../src/metrics/threshold-calibration.ts';
import { added, confirmed, rejected, series, workedExample } from './decision-fixtures.ts';

test('raising the threshold to 0.65 loses the 0.55 true positive and the 0.60 false positive', () => {
  const preview = previewThreshold(workedExample(), 'lung-nodule-unet', 0.65);
  assert.deepEqual(preview.current, {
    truePositives: 3,
    falsePositives: 3,
    falseNegatives: 1,
    series: 5,
    sensitivity: 0.75,
    precision: 0.5,
    fpPerScan: 0.6,
  });
  // Kept at ≥ 0.65: 0.90 TP, 0.85 FP, 0.80 TP, 0.70 FP → TP 2, FP 2, lesions still 4.
  assert.deepEqual(preview.proposed, {
    truePositives: 2,
    falsePositives: 2,
    falseNegatives: 2,
    series: 5,
    sensitivity: 0.5,
    precision: 0.5,
    fpPerScan: 0.4,
  });
  assert.deepEqual(preview.lost, { truePositives: 1, falsePositives: 1 });
  assert.deepEqual(preview.gained, { truePositives: 0 });
  assert.deepEqual(preview.caveats, []);
});

test('lowering the threshold below the run’s finds the reader-added finding in its kept map, with a caveat', () => {
  // The added finding's peak probability is 0.35: at 0.3 it would have been proposed → 4 of 4 lesions.
  const preview = previewThreshold(workedExample(), 'lung-nodule-unet', 0.3);
  assert.deepEqual(preview.gained, { truePositives: 1 });
  assert.equal(preview.proposed.sensitivity, 1);
  assert.equal(preview.proposed.falsePositives, 3);
  assert.match(preview.caveats[0], /5 series were run at a higher threshold/);
  // At 0.4 the peak (0.35) is still below: nothing gained.
  assert.equal(previewThreshold(workedExample(), 'lung-nodule-unet', 0.4).gained.truePositives, 0);
});

test("a reader's miss the run's map held above its threshold is not caught at that threshold or above", () => {
  // Run at 0.5, the added nodule's map peaks at 0.9 inside it: the run had that component and did not propose
  // it (too small, or part of a proposal the reader rejected). At 0.5 the preview is as reviewed; at 0.7 only
  // the 0.6 false positive goes; below the run's threshold, at 0.45, the miss counts as caught.
  const reviewed = [series(0.9, [confirmed(0.9), rejected(0.6, 'vessel'), added(0.9)])];
  const atRun = previewThreshold(reviewed, 'm', 0.5);
  assert.deepEqual(atRun.gained, { truePositives: 0 });
  assert.deepEqual(atRun.proposed, atRun.current);
  const higher = previewThreshold(reviewed, 'm', 0.7);
  assert.deepEqual(higher.gained, { truePositives: 0 });
  assert.equal(higher.proposed.truePositives, 1);
  assert.equal(higher.proposed.falsePositives, 0);
  const lower = previewThreshold(reviewed, 'm', 0.45);
  assert.deepEqual(lower.gained, { truePositives: 1 });
  assert.equal(lower.proposed.sensitivity, 1);
});

test('a sensitivity target picks the highest threshold that reaches it', () => {
  // Sensitivity 0.5 is first reached at 0.80 (FROC point 0.80 → 2/4); 0.75 only at 0.55.
  assert.equal(chooseThreshold(workedExample(), 'm', { sensitivity: 0.5 }).threshold, 0.8);
  const choice = chooseThreshold(workedExample(), 'm', { sensitivity: 0.75 });
  assert.equal(choice.threshold, 0.55);
  assert.equal(choice.preview?.proposed.sensitivity, 0.75);
  // 1.0 needs the added finding, which no reviewed threshold proposes.
  const unreachable = chooseThreshold(workedExample(), 'm', { sensitivity: 1 });
  assert.equal(unreachable.threshold, null);
  assert.equal(unreachable.reached, false);
});

test('an FP/scan target picks the lowest threshold within it', () => {
  // FP/scan ≤ 0.4: the points 0.90 … 0.70 qualify (0.70 → 0.4), 0.60 does not (0.6).
  assert.equal(chooseThreshold(workedExample(), 'm', { fpPerScan: 0.4 }).threshold, 0.7);
  assert.equal(chooseThreshold(workedExample(), 'm', { fpPerScan: 0 }).threshold, 0.9);
  assert.equal(chooseThreshold(workedExample(), 'm', { fpPerScan: 5 }).threshold, 0.55);
});

test('a threshold outside (0, 1] is refused with what to give instead', () => {
  assert.throws(() => previewThreshold(workedExample(), 'm', 0), /outside \(0, 1\]/);
  assert.throws(() => previewThreshold(workedExample(), 'm', 1.5), /outside \(0, 1\]/);
});
