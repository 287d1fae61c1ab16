import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  planeMaximum,
  planeMask,
  planeName,
  planeSlab,
  planeSpacing,
  rowOfSlice,
  stackPlane,
  stackRows,
  type PlaneMaximum,
  type SlicePixels,
} from '../../../renderer/viewport/reformat.ts';
import { crosshairLines } from '../../../renderer/crosshair.ts';

type Direction = [[number, number, number], [number, number, number], [number, number, number]];
const AXIAL: Direction = [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
];

/** A 3 × 2 image (columns × rows) stack with the given slice positions and axes. */
function stack(positions: number[], direction: Direction = AXIAL) {
  return {
    rows: 2,
    columns: 3,
    slices: positions.length,
    slicePositionsMm: positions,
    pixelSpacingMm: [0.8, 0.7] as [number, number],
    geometry: {
      size: [3, 2, positions.length] as [number, number, number],
      spacing: [0.7, 0.8, 1] as [number, number, number],
      origin: [0, 0, 0] as [number, number, number],
      direction,
    },
  };
}

test('an axial stack reformats head up: the last (most superior) slice is the top row', () => {
  const rows = stackRows(stack([0, 2, 4, 6]))!;
  assert.deepEqual(rows, { rowSlices: [3, 2, 1, 0], rowSpacingMm: 2 });
  // Feet-first normal (−z): ascending positions run towards the feet, so slice 0 is the head.
  const flipped: Direction = [
    [1, 0, 0],
    [0, -1, 0],
    [0, 0, -1],
  ];
  assert.deepEqual(stackRows(stack([0, 2, 4, 6], flipped))!.rowSlices, [0, 1, 2, 3]);
});

test('uneven slices are resampled to the median gap: a missing slice repeats its nearest neighbour', () => {
  // Slices at 0, 1, 2, 4, 5 mm (3 is missing): six rows 1 mm apart, the gap filled from the nearer slice.
  const rows = stackRows(stack([0, 1, 2, 4, 5]))!;
  assert.equal(rows.rowSpacingMm, 1);
  assert.deepEqual(rows.rowSlices, [4, 3, 2, 2, 1, 0]); // 5, 4, 3→2 (tie: lower), 2, 1, 0 mm
  assert.equal(rowOfSlice(rows, 2), 2);
  assert.equal(rowOfSlice(rows, 0), 5);
  // Duplicate positions leave no gap of their own; without any gap or positions there is no plane.
  assert.equal(stackRows(stack([0, 0, 1.5, 3]))!.rowSpacingMm, 1.5);
  assert.equal(stackRows(stack([7, 7])), null);
  assert.equal(stackRows(stack([0])), null);
});

test('planes are named by the patient axis they cut across, whatever the stack’s own axes', () => {
  assert.equal(planeName(stack([0, 1]), 'row'), 'Coronal');
  assert.equal(planeName(stack([0, 1]), 'column'), 'Sagittal');
  // A coronal acquisition: rows run along x, columns along −z, slices along y.
  const coronal: Direction = [
    [1, 0, 0],
    [0, 0, -1],
    [0, 1, 0],
  ];
  assert.equal(planeName(stack([0, 1], coronal), 'row'), 'Axial');
  assert.equal(planeName(stack([0, 1], coronal), 'column'), 'Sagittal');
  // Which the viewer refuses to reformat: it builds planes from axial stacks only.
  assert.equal(stackPlane(stack([0, 1], coronal)), 'Coronal');
  assert.equal(stackPlane(stack([0, 1])), 'Axial');
});

test('a plane gathers the voxels of one image row or column from every slice, in modality values', () => {
  const series = stack([0, 1, 2]);
  // Voxel value = 100 k + 10 row + column, stored int16 with slope 1 on slices 0 and 2; slice 1 stored ×2 + 5.
  const slices = [0, 1, 2].map((k) => {
    const values = Int16Array.from({ length: 6 }, (_, i) => 100 * k + 10 * Math.floor(i / 3) + (i % 3));
    if (k !== 1) return { data: values, slope: 1, intercept: 0 };
    return { data: Float32Array.from(values, (v) => (v - 5) / 2), slope: 2, intercept: 5 };
  });
  const rows = stackRows(series)!;
  const coronal = planeValues(series, 'row', 1, rows, (k) => slices[k], -1024);
  assert.ok(coronal instanceof Float32Array, 'a slice with a slope makes the plane float32');
  assert.deepEqual(Array.from(coronal), [210, 211, 212, 110, 111, 112, 10, 11, 12]);
  const sagittal = planeValues(series, 'column', 2, rows, (k) => (k === 1 ? undefined : slices[k]), -1024);
  assert.ok(sagittal instanceof Int16Array, 'int16 slices make an int16 plane');
  assert.deepEqual(Array.from(sagittal), [202, 212, -1024, -1024, 2, 12]); // slice 1 not loaded yet
  assert.deepEqual(planeSpacing(series, 'row', rows), [1, 0.7]);
  assert.deepEqual(planeSpacing(series, 'column', rows), [1, 0.8]);
});

test('a mask is cut along a plane; a plane that misses it gives null', () => {
  const series = stack([0, 1, 2]);
  const rows = stackRows(series)!;
  const masks = new Map([[1, Uint8Array.from([0, 1, 0, 0, 1, 1])]]);
  assert.deepEqual(
    Array.from(planeMask(series, 'row', 1, rows, (k) => masks.get(k))!),
    [0, 0, 0, 0, 1, 1, 0, 0, 0],
  );
  assert.deepEqual(
    Array.from(planeMask(series, 'column', 1, rows, (k) => masks.get(k))!),
    [0, 0, 1, 1, 0, 0],
  );
  assert.equal(
    planeMask(series, 'column', 0, rows, (k) => masks.get(k)),
    null,
  );
});

test('a thick slab on a plane is the maximum over the image rows or columns within half its thickness', () => {
  // Rows 0.8 mm apart, columns 0.7 mm: a 3 mm slab reaches 1.5 mm, so one row either side, two columns.
  const series = { ...stack([0, 1, 2]), rows: 5, columns: 6, pixelSpacingMm: [0.8, 0.7] as [number, number] };
  assert.deepEqual(planeSlab(series, 'row', 2, 3), [1, 3]);
  assert.deepEqual(planeSlab(series, 'column', 2, 3), [0, 4]);
  assert.deepEqual(planeSlab(series, 'row', 0, 3), [0, 1], 'clipped at the image edge');
  assert.deepEqual(planeSlab(series, 'row', 4, 0), [4, 4], 'no slab: the plane itself');
  assert.deepEqual(planeSlab(series, 'row', 4, 1.5), [4, 4], 'thinner than two rows: the plane itself');
  // Voxel = 100 k + 10 row + column, except one bright voxel (row 3, column 1, slice 1) of 999.
  const slices = [0, 1, 2].map((k) => ({
    data: Int16Array.from({ length: 30 }, (_, i) =>
      k === 1 && i === 3 * 6 + 1 ? 999 : 100 * k + 10 * Math.floor(i / 6) + (i % 6),
    ),
    slope: 1,
    intercept: 0,
  }));
  const rows = stackRows(series)!;
  const mip = planeValues(series, 'row', [1, 3], rows, (k) => slices[k], -1024);
  assert.ok(mip instanceof Int16Array);
  // Row 3 is the brightest of rows 1–3 everywhere, and the bright voxel shows on slice 1's plane row.
  assert.deepEqual(Array.from(mip.subarray(6, 12)), [130, 999, 132, 133, 134, 135]);
  assert.deepEqual(Array.from(mip.subarray(0, 6)), [230, 231, 232, 233, 234, 235]);
  // A negative slope keeps the largest modality value: the smallest stored one.
  const inverted = slices.map((slice) => ({
    data: Float32Array.from(slice.data, (v) => -v),
    slope: -1,
    intercept: 0,
  }));
  assert.deepEqual(
    Array.from(planeValues(series, 'row', [1, 3], rows, (k) => inverted[k], 0)),
    Array.from(mip),
  );
  // Masks through a slab: the union of their cuts.
  const masks = new Map([[0, new Uint8Array(30)]]);
  masks.get(0)![1 * 6 + 4] = 1;
  masks.get(0)![3 * 6 + 5] = 1;
  assert.deepEqual(
    Array.from(planeMask(series, 'row', [1, 3], rows, (k) => masks.get(k))!.subarray(12)),
    [0, 0, 0, 0, 1, 1],
  );
  assert.equal(
    planeMask(series, 'row', [2, 2], rows, (k) => masks.get(k)),
    null,
  );
});

test('the crosshair leaves a gap of the same screen size around its point at any zoom and aspect', () => {
  // 4 screen px per image column, 8 per row (a plane whose rows are twice as far apart as its columns).
  const lines = crosshairLines(
    { x: 10, y: 5 },
    { columns: 40, rows: 20 },
    [4, 0, 0, 8, 0, 0],
    'Sagittal',
    'Axial',
  );
  assert.equal(lines.length, 4);
  const [up, down, left, right] = lines;
  assert.deepEqual(
    [up!.a, up!.b],
    [
      { x: 10, y: -0.5 },
      { x: 10, y: 5 - 14 / 8 },
    ],
  );
  assert.deepEqual(
    [down!.a, down!.b],
    [
      { x: 10, y: 5 + 14 / 8 },
      { x: 10, y: 19.5 },
    ],
  );
  assert.deepEqual(
    [left!.a, left!.b],
    [
      { x: -0.5, y: 5 },
      { x: 10 - 14 / 4, y: 5 },
    ],
  );
  assert.deepEqual(right!.b, { x: 39.5, y: 5 });
  assert.ok(lines.every((l) => l.guide && l.label === ''));
  assert.deepEqual(up!.colour, [230, 200, 60]); // the vertical line stands for the sagittal plane
  assert.deepEqual(left!.colour, [230, 70, 70]);
  // At the image's edge the part beyond it is left out.
  assert.equal(
    crosshairLines({ x: 0, y: 0 }, { columns: 40, rows: 20 }, [4, 0, 0, 8, 0, 0], 'Sagittal', 'Axial').length,
    2,
  );
});

test('a slab plane built from the previous one is the plane computed afresh, on both axes', () => {
  // 40 × 30 images, 12 slices 1 mm apart; few distinct values so ties are common; rescaled and int16 slices.
  const [columns, rows, count] = [40, 30, 12];
  const series = {
    ...stack(Array.from({ length: count }, (_, k) => k)),
    rows,
    columns,
    geometry: { ...stack([0]).geometry, size: [columns, rows, count] as [number, number, number] },
  };
  let state = 5;
  const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31), state / 2 ** 31);
  for (const stored of ['int16', 'scaled'] as const) {
    const slices: (SlicePixels | undefined)[] = Array.from({ length: count }, (_, k) =>
      stored === 'int16'
        ? {
            data: Int16Array.from({ length: columns * rows }, () => Math.round(next() * 6) * 100),
            slope: 1,
            intercept: 0,
          }
        : {
            data: Uint16Array.from({ length: columns * rows }, () => Math.round(next() * 6) * 40),
            slope: 1 + (k % 2),
            intercept: -1000,
          },
    );
    slices[4] = undefined; // not fetched yet: its row is the fill value
    const rowsOf = stackRows(series)!;
    for (const axis of ['row', 'column'] as const) {
      const planes = axis === 'row' ? rows : columns; // planes along the axis
      const width = axis === 'row' ? columns : rows; // pixels across each
      const steps: [number, number][] = [
        [0, 6],
        [1, 7],
        [2, 8],
        [1, 7],
        [0, 6],
        [10, 16],
        [11, 17],
        [20, 26],
        [planes - 7, planes - 1],
        [planes - 3, planes - 1],
        [5, 5],
        [3, 9],
        [0, planes - 1],
        [4, 6],
      ];
      let previous = null as PlaneMaximum | null;
      for (const slab of steps) {
        const before = previous && Array.from(previous.values);
        const built = planeMaximum(series, axis, slab, rowsOf, (k) => slices[k], -1024, previous);
        const fresh = planeMaximum(series, axis, slab, rowsOf, (k) => slices[k], -1024);
        assert.deepEqual(Array.from(built.values), Array.from(fresh.values), `${stored} ${axis} ${slab}`);
        assert.equal(built.values.constructor, stored === 'int16' ? Int16Array : Float32Array);
        built.from.forEach((plane, pixel) => {
          const source = slices[rowsOf.rowSlices[Math.floor(pixel / width)]!];
          if (!source) return;
          assert.ok(plane >= slab[0] && plane <= slab[1], `pixel ${pixel} from plane ${plane}`);
        });
        if (previous && before)
          assert.deepEqual(Array.from(previous.values), before, 'the previous plane is kept');
        previous = built;
      }
      // A slice that arrives meanwhile changes a row: the previous plane is not reused.
      const arrived = [...slices];
      arrived[4] = slices[3];
      const after = planeMaximum(series, axis, [1, 7], rowsOf, (k) => arrived[k], -1024, previous);
      assert.deepEqual(
        Array.from(after.values),
        Array.from(planeMaximum(series, axis, [1, 7], rowsOf, (k) => arrived[k], -1024).values),
      );
    }
  }
});

test('a sagittal slab stepped across the image and back, a column a step, is the plane computed afresh', () => {
  // Wide enough (70 columns) for every slice's column band to be copied on its turn, outrun and copied again,
  // each way; int16 and float32 slices, few distinct values so ties are common.
  const [columns, rows, count] = [70, 9, 30];
  const series = {
    ...stack(Array.from({ length: count }, (_, k) => k)),
    rows,
    columns,
    geometry: { ...stack([0]).geometry, size: [columns, rows, count] as [number, number, number] },
  };
  let state = 11;
  const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31), state / 2 ** 31);
  const rowsOf = stackRows(series)!;
  for (const type of ['int16', 'float32'] as const) {
    const slices: SlicePixels[] = Array.from({ length: count }, () => {
      const values = Array.from({ length: columns * rows }, () => Math.round(next() * 5) * 100 - 200);
      const data = type === 'int16' ? Int16Array.from(values) : Float32Array.from(values);
      return { data, slope: 1, intercept: 0 };
    });
    const half = 4;
    const centres = [
      ...Array.from({ length: columns - 2 * half }, (_, c) => c + half),
      ...Array.from({ length: columns - 2 * half }, (_, c) => columns - half - 1 - c),
    ];
    let previous = null as PlaneMaximum | null;
    for (const centre of centres) {
      const slab = [centre - half, centre + half] as const;
      const built = planeMaximum(series, 'column', slab, rowsOf, (k) => slices[k], -1024, previous);
      const fresh = planeMaximum(series, 'column', slab, rowsOf, (k) => slices[k], -1024);
      assert.deepEqual(Array.from(built.values), Array.from(fresh.values), `${type} centre ${centre}`);
      built.from.forEach((plane, pixel) => {
        const k = rowsOf.rowSlices[Math.floor(pixel / rows)]!;
        const value = slices[k]!.data[(pixel % rows) * columns + plane]!;
        assert.equal(value, built.values[pixel], `${type} centre ${centre}: pixel ${pixel} names its plane`);
      });
      previous = built;
    }
  }
});

/** The plane computed afresh. */
const planeValues = (...args: Parameters<typeof planeMaximum>) => planeMaximum(...args).values;
