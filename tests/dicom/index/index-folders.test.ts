// The header index on folders of real pydicom-written files: geometric order whatever the file names, reversed
// stacks, several series in one folder, one series over two folders, enhanced multi-frame, files without
// preamble or meta header, non-DICOM files counted as skipped, and a symlink loop that must not hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { indexDicom, seriesGeometry, type IndexedSeries } from '../../../src/dicom/index/index.ts';
import { indexFixtures } from './index-fixtures.ts';

const root = indexFixtures();
const only = (series: IndexedSeries[]) => {
  assert.equal(series.length, 1);
  return series[0];
};
const positions = (series: IndexedSeries) => series.frames.map((frame) => frame.positionMm);

test('shuffled file names and a reversed stack come out in ascending z with the right geometry', async () => {
  const index = await indexDicom([path.join(root, 'shuffled')]);
  assert.deepEqual(index.errors, []);
  const series = only(index.studies[0].series);
  const expected = Array.from({ length: 10 }, (_, i) => 27.5 + 2.5 * i);
  assert.deepEqual(positions(series), expected);
  // Instance 1 was written at the top (z = 50), so the ascending order reverses the instance numbers.
  const numbers = series.frames.map((f) =>
    series.instances.find((i) => i.sopInstanceUid === f.sopInstanceUid)!,
  );
  assert.deepEqual(
    numbers.map((i) => i.instanceNumber),
    [10, 9, 8, 7, 6, 5, 4, 3, 2, 1],
  );
  assert.deepEqual(series.warnings, []);
  assert.deepEqual(seriesGeometry(series), {
    size: [8, 8, 10],
    spacing: [0.8, 0.7, 2.5],
    origin: [-100, -120, 27.5],
    direction: [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ],
  });
  const first = series.instances[0];
  assert.equal(first.modality, 'CT');
  assert.equal(first.transferSyntaxUid, '1.2.840.10008.1.2.1');
  assert.equal(first.rescaleIntercept, -1024);
  assert.equal(first.windowWidth, 400);
  assert.equal(first.bodyPart, 'CHEST');
  assert.equal(first.manufacturer, 'Acme');
  assert.equal(first.model, 'Scan9');
  assert.equal(first.bitsAllocated, 16);
  assert.equal(first.photometric, 'MONOCHROME2');
  assert.ok(first.fileSize > 128 && first.mtimeMs > 0);
});

test('two series in one folder and one series over two folders', async () => {
  const index = await indexDicom([path.join(root, 'two'), path.join(root, 'split')]);
  const series = index.studies[0].series;
  assert.deepEqual(
    series.map((s) => [s.description, s.instances.length]),
    [
      ['A', 5],
      ['B', 4],
      ['Axial', 6],
    ],
  );
  assert.deepEqual(positions(series[1]), [10, 12, 14, 16]);
  assert.deepEqual(positions(series[2]), [0, 3, 6, 9, 12, 15]);
  assert.equal(new Set(series[2].frames.map((f) => path.dirname(f.path))).size, 2);
  for (const s of series) assert.deepEqual(s.warnings, []);
});

test('a missing slice and uneven spacing are warned about, not fatal', async () => {
  const missing = only((await indexDicom([path.join(root, 'missing')])).studies[0].series);
  assert.equal(missing.warnings.length, 1);
  assert.match(missing.warnings[0], /1 slice\(s\) missing: gaps at 4→8 mm/);
  assert.equal(seriesGeometry(missing).spacing[2], 2);
  const uneven = only((await indexDicom([path.join(root, 'uneven')])).studies[0].series);
  assert.equal(uneven.warnings.length, 1);
  assert.match(uneven.warnings[0], /uneven slice spacing: gaps from 1 to 1\.5 mm/);
});

test('enhanced CT frames are ordered by their per-frame Plane Position', async () => {
  const series = only((await indexDicom([path.join(root, 'enhanced')])).studies[0].series);
  assert.equal(series.instances.length, 1);
  // Written at z = 20, 10, 40, 0, 30: ascending z visits frames 3, 1, 0, 4, 2.
  assert.deepEqual(
    series.frames.map((f) => f.frameIndex),
    [3, 1, 0, 4, 2],
  );
  assert.deepEqual(positions(series), [0, 10, 20, 30, 40]);
  const instance = series.instances[0];
  assert.equal(instance.numberOfFrames, 5);
  assert.equal(instance.rescaleIntercept, -1000);
  assert.equal(instance.sliceThickness, 2);
  const geometry = seriesGeometry(series);
  assert.deepEqual(geometry.spacing, [0.6, 0.5, 10]);
  assert.deepEqual(geometry.origin, [-50, -60, 0]);
});

test('files without preamble and raw datasets index; text and random files are skipped', async () => {
  const index = await indexDicom([path.join(root, 'odd')]);
  assert.deepEqual(index.errors, []);
  assert.equal(index.skipped, 2);
  const series = only(index.studies[0].series);
  assert.deepEqual(series.frames.map((f) => path.basename(f.path)).sort(), [
    'full.dcm',
    'nopreamble.dcm',
    'raw.dcm',
  ]);
  assert.deepEqual(positions(series), [0, 1, 2]);
  const raw = series.instances.find((i) => i.path.endsWith('raw.dcm'))!;
  assert.equal(raw.transferSyntaxUid, '1.2.840.10008.1.2.1');
});

test('a symlink loop is walked once and does not hang', async () => {
  const index = await indexDicom([path.join(root, 'loop')]);
  assert.deepEqual(index.errors, []);
  assert.equal(only(index.studies[0].series).instances.length, 2);
});

test('patients group studies; a folder given twice lists each file once', async () => {
  const index = await indexDicom([path.join(root, 'two'), path.join(root, 'two', '.')]);
  assert.equal(index.patients.length, 1);
  assert.equal(index.patients[0].patientId, 'IDX-001');
  assert.equal(
    index.studies[0].series.reduce((n, s) => n + s.instances.length, 0),
    9,
  );
});

test('a localizer and a bigger image in a series are warned about; seriesGeometry refuses mixed sizes', async () => {
  const series = only((await indexDicom([path.join(root, 'mixed')])).studies[0].series);
  assert.equal(series.instances.length, 5);
  assert.ok(
    series.warnings.some((w) => /mixed image sizes in one series: 8×8 \(4\), 16×16 \(1\)/.test(w)),
    series.warnings.join(),
  );
  assert.ok(series.warnings.some((w) => /mixed orientations in one series: 1 instance\(s\)/.test(w)));
  // The localizer's position is not mistaken for a gap in the axial stack.
  assert.equal(series.warnings.length, 2, series.warnings.join('; '));
  assert.throws(() => seriesGeometry(series), /mixes image sizes/);
});

test('without geometry the frames fall back to Instance Number and seriesGeometry says why it cannot', async () => {
  const series = only((await indexDicom([path.join(root, 'nogeo')])).studies[0].series);
  const numbers = series.frames.map((f) => series.instances.find((i) => i.path === f.path)!.instanceNumber);
  assert.deepEqual(numbers, [1, 2, 3]);
  assert.ok(series.frames.every((f) => f.positionMm === undefined));
  assert.match(series.warnings.join(), /ordered by Instance Number/);
  assert.throws(() => seriesGeometry(series), /no Image Orientation or Pixel Spacing/);
});

test('an oblique stack is ordered along its tilted normal; origin is the lowest slice', async () => {
  const series = only((await indexDicom([path.join(root, 'oblique')])).studies[0].series);
  assert.deepEqual(series.warnings, []);
  const numbers = series.frames.map((f) => series.instances.find((i) => i.path === f.path)!.instanceNumber);
  assert.deepEqual(numbers, [5, 4, 3, 2, 1]); // written top-down along the normal
  const geometry = seriesGeometry(series);
  const [c, s] = [Math.cos(Math.PI / 6), Math.sin(Math.PI / 6)];
  assert.ok(Math.abs(geometry.spacing[2] - 2) < 1e-4);
  geometry.direction[2].forEach((v, i) => assert.ok(Math.abs(v - [0, -s, c][i]) < 1e-4));
  geometry.origin.forEach((v, i) => assert.ok(Math.abs(v - [10, 20, 30][i]) < 1e-4));
});

test('frame order and positions agree with pydicom reading the same files', async () => {
  const folders = ['shuffled', 'two', 'split', 'enhanced', 'oblique', 'missing'].map((f) =>
    path.join(root, f),
  );
  const script = path.resolve(
    path.dirname(new URL(import.meta.url).pathname),
    '../../fixtures/index/read-order.py',
  );
  const result = spawnSync('/usr/bin/python3', [script, ...folders], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const expected = JSON.parse(result.stdout) as Record<string, [string, number, number][]>;
  const index = await indexDicom(folders);
  const series = index.studies.flatMap((study) => study.series);
  assert.deepEqual(series.map((s) => s.seriesInstanceUid).sort(), Object.keys(expected).sort());
  for (const s of series) {
    const theirs = expected[s.seriesInstanceUid];
    assert.deepEqual(
      s.frames.map((f) => [f.sopInstanceUid, f.frameIndex]),
      theirs.map(([sop, frame]) => [sop, frame]),
    );
    s.frames.forEach((f, i) => assert.ok(Math.abs(f.positionMm! - theirs[i][2]) < 1e-6));
  }
});

test('a header longer than the first read is read in full, and its fields are right', async () => {
  const series = only((await indexDicom([path.join(root, 'long')])).studies[0].series);
  const instance = series.instances[0];
  assert.ok(instance.fileSize > 40000);
  assert.deepEqual(instance.imagePosition, [0, 0, 7.5]);
  assert.equal(instance.rows, 8);
  assert.equal(instance.hasPixelData, true);
});
