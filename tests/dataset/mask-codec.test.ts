import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import {
  decodeMaskSlice,
  encodeMaskSlice,
  encodeSortedIndices,
  maskSliceCount,
  maskSliceIndices,
} from '../../src/dataset/mask-codec.ts';
import { openDatasetConnection, openDataset } from '../../src/dataset/open-dataset.ts';
import { ballFinding, MODEL, outcomeOf, syntheticStudy, tempDir } from './dataset-fixtures.ts';
import { seededRandom } from '../../src/metrics/seeded-random.ts';

/** Deterministic pseudo-random numbers (mulberry32), so a failure reproduces. */
const random = seededRandom;

test('round-trips empty, full, edge and random slices', () => {
  const next = random(7);
  const cases: Uint8Array[] = [new Uint8Array(100), new Uint8Array(100).fill(1), new Uint8Array(1).fill(1)];
  const edges = new Uint8Array(300);
  edges[0] = edges[299] = 1;
  cases.push(edges);
  for (let n = 0; n < 50; n++) {
    const density = next();
    cases.push(Uint8Array.from({ length: 1 + Math.floor(next() * 70000) }, () => (next() < density ? 1 : 0)));
  }
  for (const mask of cases) {
    const encoded = encodeMaskSlice(mask);
    assert.deepEqual(decodeMaskSlice(encoded, mask.length), mask);
    const ones = [...mask.keys()].filter((i) => mask[i]);
    assert.equal(maskSliceCount(encoded, mask.length), ones.length);
    const indices: number[] = [];
    maskSliceIndices(encoded, mask.length, 1000, indices);
    assert.deepEqual(
      indices,
      ones.map((i) => i + 1000),
    );
    assert.deepEqual(encodeSortedIndices(ones, 0, ones.length, 0, mask.length), encoded);
  }
});

test('any non-zero byte counts as painted', () => {
  assert.deepEqual(
    decodeMaskSlice(encodeMaskSlice(Uint8Array.from([0, 255, 7, 0])), 4),
    Uint8Array.from([0, 1, 1, 0]),
  );
});

test('corrupt data is refused, naming the mismatch', () => {
  const encoded = encodeMaskSlice(Uint8Array.from([0, 1, 1, 0]));
  assert.throws(() => decodeMaskSlice(encoded, 5), /covers 4 voxels but the slice has 5/);
  assert.throws(() => decodeMaskSlice(Uint8Array.from([0x80]), 4), /ends inside a run length/);
});

test('a 500-slice 512×512 series of findings stores its masks in tens of KiB', () => {
  const t = tempDir();
  try {
    const file = join(t.dir, 'd.sqlite');
    const store = openDataset(file);
    const size: [number, number, number] = [512, 512, 500];
    const { study, geometry } = syntheticStudy('1.7', { patientId: 'P7', patientName: 'N' }, [
      { seriesUid: '1.7.1', rows: 512, columns: 512, slices: 500 },
    ]);
    store.importStudy(study, geometry);
    // Ten balls of radius 6 to 29 voxels (13 to 59 slices each), about 350 000 voxels in all.
    const findings = Array.from({ length: 10 }, (_, n) =>
      ballFinding(
        n + 1,
        size,
        [60 + n * 40, 100 + n * 30, 25 + n * 50],
        6 + Math.round(n * 2.6),
        0.9 - n / 20,
      ),
    );
    const runId = store.startRun('1.7.1', MODEL, 0.5, {});
    const stored = store.finishRun(runId, { ...outcomeOf(size, findings), probability: new Uint8Array(0) });
    store.close();
    const db = openDatasetConnection(file);
    const { bytes, rows } = db
      .prepare('SELECT sum(length(runs)) AS bytes, count(*) AS rows FROM mask_slices')
      .get() as { bytes: number; rows: number };
    db.close();
    const voxels = findings.reduce((sum, f) => sum + f.voxels.length, 0);
    const raw = 512 * 512 * 500;
    console.log(
      `  ${voxels} mask voxels in ${rows} slice rows: ${bytes} bytes (raw 0/1 volume: ${raw} bytes)`,
    );
    assert.ok(bytes < 100_000, `masks take ${bytes} bytes`);
    // One slice back is exactly what was painted.
    const again = openDataset(file);
    const f = findings[3];
    const k = f.focusSlice;
    const slice = again.maskSlice(stored[3].id, k, 'proposal');
    const expected = new Uint8Array(512 * 512);
    for (const v of f.voxels) if (Math.floor(v / (512 * 512)) === k) expected[v % (512 * 512)] = 1;
    assert.deepEqual(slice, expected);
    assert.deepEqual(again.maskVoxels(stored[3].id, 'proposal'), f.voxels);
    again.close();
  } finally {
    t.remove();
  }
});
