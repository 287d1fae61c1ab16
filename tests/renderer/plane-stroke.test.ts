import { test } from 'node:test';
import assert from 'node:assert/strict';
import { paintDisc } from '../../renderer/mask-brush.ts';
import { PlaneStroke, type PlaneAt } from '../../renderer/plane-stroke.ts';

// A 6-row × 8-column stack of 5 slices, shown head up (slice 4 on the plane's top row).
const ROWS = 6;
const COLUMNS = 8;
const coronal: PlaneAt = {
  axis: 'row',
  index: 2,
  rowSlices: [4, 3, 2, 1, 0],
  rows: ROWS,
  columns: COLUMNS,
  widthMm: 0.7,
  aspect: 1,
  image: null,
};

const ones = (mask: Uint8Array | undefined) => (mask ? mask.reduce((sum, v) => sum + v, 0) : 0);

test('a vertical stroke on the coronal plane paints image row `index` of every slice it crosses', () => {
  const stroke = new PlaneStroke(coronal, () => undefined, 1, 0.4, { x: 3, y: 0 });
  assert.deepEqual(stroke.to({ x: 3, y: 4 }).sort(), [0, 1, 2, 3]);
  for (let k = 0; k < 5; k++) {
    const mask = stroke.masks.get(k)!;
    assert.equal(mask[2 * COLUMNS + 3], 1, `slice ${k}`);
    assert.equal(ones(mask), 1, `slice ${k}: only the voxel under the brush`);
    assert.equal(ones(stroke.before.get(k)), 0);
  }
  const edit = stroke.edit()!;
  assert.equal(edit.firstSlice, 0);
  assert.equal(edit.lines.length, 5 * COLUMNS);
  for (let s = 0; s < 5; s++)
    assert.deepEqual([...edit.lines.subarray(s * COLUMNS, (s + 1) * COLUMNS)], [0, 0, 0, 1, 0, 0, 0, 0]);
});

test('on the sagittal plane the plane column is the image row, in image column `index`', () => {
  const sagittal: PlaneAt = { ...coronal, axis: 'column', index: 6 };
  const stroke = new PlaneStroke(sagittal, () => undefined, 1, 0.4, { x: 1, y: 2 });
  stroke.to({ x: 4, y: 2 });
  const mask = stroke.masks.get(2)!;
  for (let j = 0; j < ROWS; j++)
    for (let i = 0; i < COLUMNS; i++)
      assert.equal(mask[j * COLUMNS + i], Number(i === 6 && j >= 1 && j <= 4), `row ${j} column ${i}`);
  const edit = stroke.edit()!;
  assert.deepEqual(edit, {
    axis: 'column',
    index: 6,
    firstSlice: 2,
    lines: Uint8Array.from([0, 1, 1, 1, 1, 0]),
  });
});

test('the eraser clears from the current masks, keeps the originals, and sends the lines between', () => {
  const current = new Map<number, Uint8Array>();
  for (const k of [1, 2, 3]) current.set(k, new Uint8Array(ROWS * COLUMNS).fill(1));
  const stroke = new PlaneStroke(coronal, (k) => current.get(k), 0, 0.4, { x: 0, y: 1 }); // slice 3
  stroke.to({ x: 7, y: 1 });
  stroke.to({ x: 7, y: 3 }); // down to slice 1 through slice 2, at column 7
  assert.equal(ones(current.get(3)), ROWS * COLUMNS, 'the current masks are not touched');
  assert.equal(ones(stroke.before.get(3)), ROWS * COLUMNS);
  assert.equal(ones(stroke.masks.get(3)), ROWS * COLUMNS - COLUMNS, 'row 2 of slice 3 erased');
  assert.equal(ones(stroke.masks.get(2)), ROWS * COLUMNS - 1);
  const edit = stroke.edit()!;
  assert.equal(edit.firstSlice, 1);
  assert.deepEqual([...edit.lines.subarray(0, COLUMNS)], [1, 1, 1, 1, 1, 1, 1, 0]); // slice 1
  assert.deepEqual([...edit.lines.subarray(2 * COLUMNS)], new Array(COLUMNS).fill(0)); // slice 3
});

test('a plane row that repeats a slice (a gap in the stack) paints that slice', () => {
  const gapped: PlaneAt = { ...coronal, rowSlices: [2, 1, 1, 0] };
  const stroke = new PlaneStroke(gapped, () => undefined, 1, 0.4, { x: 5, y: 1 });
  stroke.to({ x: 5, y: 2 });
  assert.deepEqual([...stroke.masks.keys()], [1]);
  assert.equal(stroke.masks.get(1)![2 * COLUMNS + 5], 1);
});

test('the brush stays round in mm on rows that are further apart than pixels are wide', () => {
  // Rows twice as far apart as columns are wide: a radius of 2 widths reaches one row up and down.
  const mask = new Uint8Array(7 * 9);
  paintDisc(mask, 7, 9, { x: 4, y: 3 }, 2, 1, 2);
  const rowsPainted = [...Array(7).keys()].filter((y) => mask.subarray(y * 9, (y + 1) * 9).includes(1));
  assert.deepEqual(rowsPainted, [2, 3, 4]);
  assert.deepEqual([...mask.subarray(3 * 9, 4 * 9)], [0, 0, 1, 1, 1, 1, 1, 0, 0]);
  assert.deepEqual(
    [...mask.subarray(2 * 9, 3 * 9)],
    [0, 0, 0, 0, 1, 0, 0, 0, 0],
    'dy 2 mm: only the centre column',
  );
  // A stroke down 4 rows with a 0.5-width brush still paints every row it crosses.
  const stroke = new PlaneStroke({ ...coronal, aspect: 3 }, () => undefined, 1, 0.5, { x: 2, y: 0 });
  stroke.to({ x: 2, y: 4 });
  assert.deepEqual([...stroke.masks.keys()].sort(), [0, 1, 2, 3, 4]);
});

test('with a paint range, a plane stroke sets only the plane pixels it allows; erasing ignores it', () => {
  // Plane row y shows slice 4 - y; only columns 0–3 of slices 2 and 3 are allowed.
  const width = COLUMNS;
  const paintable = new Uint8Array(5 * width);
  for (const y of [1, 2]) for (let x = 0; x < 4; x++) paintable[y * width + x] = 1;
  const stroke = new PlaneStroke(coronal, () => undefined, 1, 0.4, { x: 0, y: 0 }, paintable);
  // Swept over the whole plane, row by row.
  for (let y = 0; y < 5; y++) {
    stroke.to({ x: 0, y });
    stroke.to({ x: 7, y });
  }
  const painted = [...stroke.masks].flatMap(([k, mask]) =>
    [...mask.keys()].filter((i) => mask[i]).map((i) => `${k}:${i - 2 * COLUMNS}`),
  );
  assert.deepEqual(painted.sort(), ['2:0', '2:1', '2:2', '2:3', '3:0', '3:1', '3:2', '3:3'].sort());

  const full = new Uint8Array(ROWS * COLUMNS).fill(1);
  const eraser = new PlaneStroke(coronal, () => full, 0, 0.4, { x: 6, y: 0 }, paintable);
  eraser.to({ x: 6, y: 4 });
  for (let k = 0; k < 5; k++) assert.equal(eraser.masks.get(k)![2 * COLUMNS + 6], 0, `slice ${k}`);
});
