import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cornerTexts, formatDicomDate, formatValue } from '../../renderer/corner-text.ts';

const series = {
  patientName: 'Doe^Jane',
  patientId: 'P-1',
  studyDate: '20240102',
  studyDescription: 'CT CHEST',
  seriesDescription: 'Lung 1.25',
  modality: 'CT',
  slices: 120,
  slicePositionsMm: Array.from({ length: 120 }, (_, k) => -300 + 1.25 * k),
  sliceThicknessMm: 1.25,
};

test('corners show patient, study, series, slice position and thickness, W/L and zoom', () => {
  const texts = cornerTexts(series, {
    slice: 9,
    window: { width: 1500, center: -600 },
    zoom: 1.5,
    invert: false,
  });
  assert.equal(texts.topLeft, 'Doe Jane\nP-1\n2024-01-02');
  assert.equal(texts.topRight, 'CT CHEST\nLung 1.25\nCT');
  assert.equal(texts.bottomLeft, 'Slice 10 / 120\nPos -288.8 mm\nThk 1.25 mm');
  assert.equal(texts.bottomRight, 'W 1500 L -600\nZoom 1.50×');
});

test('unknown thickness and position are left out rather than shown as nonsense; inversion is named', () => {
  const texts = cornerTexts(
    { ...series, sliceThicknessMm: null, slicePositionsMm: [] },
    { slice: 0, window: { width: 400, center: 50 }, zoom: 1, invert: true },
  );
  assert.equal(texts.bottomLeft, 'Slice 1 / 120');
  assert.match(texts.bottomRight, /inverted/);
});

test('DICOM dates read as ISO dates; other text passes through', () => {
  assert.equal(formatDicomDate('19991231'), '1999-12-31');
  assert.equal(formatDicomDate(''), '');
  assert.equal(formatDicomDate('2024-01-02'), '2024-01-02');
});

test('the slab, the value under the pointer and the newest length join the corners', () => {
  const texts = cornerTexts(series, {
    slice: 9,
    window: { width: 1500, center: -600 },
    zoom: 1,
    invert: false,
    slab: { mm: 10, first: 5, last: 13 },
    probe: { column: 200, row: 311, value: -652 },
    lengthMm: 12.34,
  });
  assert.equal(
    texts.bottomLeft,
    'Slice 10 / 120\nPos -288.8 mm\nThk 1.25 mm\nMIP 10 mm · slices 6–14\nHU -652 at 200, 311',
  );
  assert.equal(texts.bottomRight, 'W 1500 L -600\nZoom 1.00×\nLength 12.3 mm');
});

test('values of other modalities are not called HU, and non-integer values keep one decimal', () => {
  assert.equal(formatValue('CT', -1000), 'HU -1000');
  assert.equal(formatValue('MR', 412.37), 'Value 412.4');
  assert.equal(formatValue('CT', 35.25), 'HU 35.3');
});

test('with the probability map shown, the value under the pointer carries the model’s probability there', () => {
  const texts = cornerTexts(series, {
    slice: 0,
    window: { width: 1500, center: -600 },
    zoom: 1,
    invert: false,
    probe: { column: 12, row: 34, value: 41, probability: 221 / 255 },
  });
  assert.match(texts.bottomLeft, /\nHU 41 · p 0\.87 at 12, 34$/);
});
