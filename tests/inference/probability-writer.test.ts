// The write-back's two-pass resampling with background rows skipped must give exactly the bytes of the plain
// bilinear resampling (resampleSlice) quantised, on maps that are mostly background with a few blobs, with
// values straddling the rounding edge, and with the series' field of view cropped or padded on the model grid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromModelTaps, modelGrid, resampleSlice } from '../../src/inference/model-grid.ts';
import { ProbabilityWriter } from '../../src/inference/probability-writer.ts';
import { seededRandom } from '../../src/metrics/seeded-random.ts';
import { manifest } from './manifest-fixtures.ts';

let referencePeak = 0;

function reference(plane: Float32Array, grid: ReturnType<typeof modelGrid>, cols: number, rows: number) {
  const out = new Float32Array(cols * rows);
  resampleSlice(
    plane,
    grid.cols,
    fromModelTaps(grid, 'row', rows),
    fromModelTaps(grid, 'col', cols),
    out,
    0,
    (v) => v,
  );
  for (const v of out) referencePeak = Math.max(referencePeak, v);
  return Uint8Array.from(out, (v) => Math.min(255, Math.max(0, Math.round(v * 255))));
}

const cases: [string, number, number, number, number][] = [
  ['0.7 mm series on a 1 mm grid', 100, 90, 0.7, 0.7],
  ['unequal row/column spacing', 77, 64, 0.63, 1.4],
  ['the same spacing (copy)', 48, 40, 1, 1],
];

for (const [name, cols, rows, spacingCol, spacingRow] of cases) {
  test(`write-back bytes equal the plain resampling: ${name}`, () => {
    const m = manifest();
    const grid = modelGrid(m.input, cols, rows, spacingCol, spacingRow);
    const random = seededRandom(cols * rows);
    referencePeak = 0;
    const slices = 6;
    const planes = Array.from({ length: slices }, (_, s) => {
      const plane = new Float32Array(grid.rows * grid.cols);
      for (let n = 0; n < plane.length; n++) {
        const r = random();
        // Mostly background just under and over the rounding edge, some rows of blobs, one slice all zero.
        plane[n] = s === 0 ? 0 : r < 0.9 ? r * (1.2 / 255) : random();
      }
      if (s === 2)
        for (let n = 0; n < plane.length; n++) if (Math.floor(n / grid.cols) % 7) plane[n]! *= 0.001;
      // Rows whose largest value sits just above the rounding edge: they must not be taken for background.
      if (s === 4)
        for (let n = 0; n < plane.length; n++) plane[n] = (Math.floor(n / grid.cols) % 5 ? 0.1 : 0.9) / 255;
      return plane;
    });
    const writer = new ProbabilityWriter(m, grid, [cols, rows, slices]);
    const data = new Float32Array(slices * planes[0]!.length);
    planes.forEach((plane, s) => data.set(plane, s * plane.length));
    writer.write(data.subarray(0, 2 * planes[0]!.length), [2, 1, grid.rows, grid.cols], 0, 2);
    writer.write(data.subarray(2 * planes[0]!.length), [4, 1, grid.rows, grid.cols], 2, 4);

    for (let s = 0; s < slices; s++) {
      const expected = reference(planes[s]!, grid, cols, rows);
      const actual = writer.values.subarray(s * cols * rows, (s + 1) * cols * rows);
      let differing = 0;
      for (let n = 0; n < expected.length; n++) if (expected[n] !== actual[n]) differing++;
      assert.equal(differing, 0, `slice ${s}: ${differing} bytes differ`);
    }
    assert.ok(
      writer.values.some((v) => v > 0),
      'the test maps have foreground',
    );
    assert.ok(Math.abs(writer.peak - referencePeak) < 1e-6, `peak ${writer.peak} vs ${referencePeak}`);
    // Each series row's highest byte, which findingsAtThreshold trusts to skip rows.
    for (let row = 0; row < rows * slices; row++) {
      const max = writer.values.subarray(row * cols, (row + 1) * cols).reduce((m, v) => Math.max(m, v), 0);
      assert.equal(writer.rowMax[row], max, `row ${row % rows} of slice ${Math.floor(row / rows)}`);
    }
    assert.ok(writer.rowMax.some((v) => v === 0) && writer.rowMax.some((v) => v > 0), 'rows of both kinds');
  });
}
