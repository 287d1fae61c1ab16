import { test } from 'node:test';
import assert from 'node:assert/strict';
import { intensityScopeWarning, seriesScope } from '../../src/inference/series-scope.ts';
import { geometry } from './volume-fixtures.ts';
import { manifest } from './manifest-fixtures.ts';

const chest = manifest(); // CT, CHEST, pixel spacing 0.5–1 mm, slice thickness 0.6–2.5 mm, intensity −1024…3071

test('a series inside every training range runs without warnings', () => {
  const scope = seriesScope(chest, {
    geometry: geometry([512, 512, 200], [0.7, 0.7, 1.25]),
    modality: 'CT',
    bodyPart: 'chest',
    sliceThicknessMm: 1.25,
  });
  assert.deepEqual(scope, { warnings: [] });
});

test('thick slices, other spacing, modality and body part run with warnings that name the numbers', () => {
  const scope = seriesScope(chest, {
    geometry: geometry([512, 512, 60], [1.4, 1.4, 5]),
    modality: 'MR',
    bodyPart: 'HEAD',
    sliceThicknessMm: 5,
  });
  assert.equal(scope.skip, undefined);
  assert.deepEqual(scope.warnings, [
    "outside the model's scope: modality MR, trained on CT",
    "outside the model's scope: body part HEAD, trained on CHEST",
    "outside the model's scope: pixel spacing 1.4 mm, trained on 0.5–1 mm",
    "outside the model's scope: slice thickness 5 mm, trained on 0.6–2.5 mm",
  ]);
});

test('slice spacing stands in for a missing slice thickness', () => {
  const scope = seriesScope(chest, { geometry: geometry([64, 64, 10], [0.7, 0.7, 3]) });
  assert.deepEqual(scope.warnings, [
    "outside the model's scope: slice thickness 3 mm, trained on 0.6–2.5 mm",
  ]);
});

test('a single image and colour images are skipped with the reason', () => {
  assert.match(
    seriesScope(chest, { geometry: geometry([512, 512, 1], [0.7, 0.7, 1]) }).skip ?? '',
    /single image/,
  );
  assert.match(
    seriesScope(chest, {
      geometry: geometry([512, 512, 40], [0.7, 0.7, 1]),
      samplesPerPixel: 3,
      photometric: 'RGB',
    }).skip ?? '',
    /colour images \(RGB\)/,
  );
});

test('values that do not look like HU are flagged; air and scanner padding are not', () => {
  const ct = new Float32Array(10_000).map((_, n) => (n < 3000 ? -3024 : n < 6000 ? -1000 : 40));
  assert.equal(intensityScopeWarning(chest, ct), undefined);
  // e.g. an MR-like scale in the thousands
  const other = new Float32Array(10_000).map((_, n) => (n < 4000 ? 0 : 4000 + (n % 2000)));
  assert.match(
    intensityScopeWarning(chest, other) ?? '',
    /intensities 4\d{3}–5\d{3} .* trained on -1024–3071/,
  );
});
