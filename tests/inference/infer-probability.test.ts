import { test } from 'node:test';
import assert from 'node:assert/strict';
import { patientToVoxel, type Vec3, type Volume } from '../../src/dicom/volume.ts';
import { modelGrid } from '../../src/inference/model-grid.ts';
import { SliceBatcher } from '../../src/inference/slice-batcher.ts';
import type { ModelManifest } from '../../src/inference/model-manifest.ts';
import { inferProbability, type RunBatch } from '../../src/inference/infer-probability.ts';
import { findingsAtThreshold } from '../../src/inference/findings-at-threshold.ts';
import { geometry } from './volume-fixtures.ts';
import { manifest } from './manifest-fixtures.ts';

/** A network stand-in that returns input channel `channel` as the probability (activation "none"). */
function channelNetwork(channel: number): RunBatch {
  return async ({ data, dims }) => {
    const [batch, channels, rows, cols] = dims;
    const plane = rows * cols;
    const out = new Float32Array(batch * plane);
    for (let b = 0; b < batch; b++) {
      out.set(
        data.subarray((b * channels + channel) * plane, (b * channels + channel + 1) * plane),
        b * plane,
      );
    }
    return { data: out, dims: [batch, 1, rows, cols] };
  };
}

/** A CT-like volume: -1000 HU everywhere, +400 HU inside a sphere. */
function sphereVolume(
  size: Vec3,
  spacing: Vec3,
  centreIjk: Vec3,
  radiusMm: number,
  descending = false,
): Volume {
  const g = geometry(size, spacing, { descending });
  const voxels = new Float32Array(size[0] * size[1] * size[2]).fill(-1000);
  for (let k = 0; k < size[2]; k++)
    for (let j = 0; j < size[1]; j++)
      for (let i = 0; i < size[0]; i++) {
        const d = Math.hypot(
          (i - centreIjk[0]) * spacing[0],
          (j - centreIjk[1]) * spacing[1],
          (k - centreIjk[2]) * spacing[2],
        );
        if (d <= radiusMm) voxels[i + j * size[0] + k * size[0] * size[1]] = 400;
      }
  return { geometry: g, voxels };
}

test('model grid: resample to the target spacing, pad to the size multiple, or fit a fixed size', () => {
  const spacingOnly = modelGrid(manifest().input, 512, 512, 0.7, 0.7);
  assert.deepEqual([spacingOnly.innerCols, spacingOnly.cols, spacingOnly.offsetCol], [358, 368, 0]);
  const sizeOnly = modelGrid(
    manifest({
      input: { name: 'x', channels: 1, size: [256, 256], normalization: { kind: 'window', window: [0, 1] } },
    }).input,
    512,
    400,
    0.7,
    0.7,
  );
  assert.deepEqual(
    [sizeOnly.rows, sizeOnly.cols, sizeOnly.scaleRow, sizeOnly.scaleCol],
    [256, 256, 400 / 256, 2],
  );
  const both = modelGrid(
    manifest({
      input: {
        name: 'x',
        channels: 1,
        size: [400, 400],
        pixelSpacingMm: 1,
        normalization: { kind: 'window', window: [0, 1] },
      },
    }).input,
    512,
    512,
    0.7,
    0.7,
  );
  assert.deepEqual([both.innerCols, both.offsetCol, both.rows], [358, 21, 400]);
});

test('slices stack as channels k-1, k, k+1 and clamp at the first and last slice', () => {
  const g = geometry([4, 4, 3], [1, 1, 1]);
  // Slice k holds -1000 + 100k HU → window [-1000, 400] gives k / 14.
  const voxels = new Float32Array(48).map((_, n) => -1000 + 100 * Math.floor(n / 16));
  const batcher = new SliceBatcher(
    { geometry: g, voxels },
    manifest({ input: { ...manifest().input, sizeMultiple: 1 } }).input,
  );

  const { data, dims } = batcher.batch(0, 3);

  assert.deepEqual(dims, [3, 3, 4, 4]);
  const channelValue = (b: number, c: number) => Math.round(data[(b * 3 + c) * 16] * 14);
  assert.deepEqual(
    [0, 1, 2].map((b) => [0, 1, 2].map((c) => channelValue(b, c))),
    [
      [0, 0, 1],
      [0, 1, 2],
      [1, 2, 2],
    ],
  );
});

/**
 * Batches a 4×4 volume whose slice k holds k / 14 after the window, `batch` slices at a time in order (as
 * inferProbability asks for them, so the sliding cache must keep every slice a later batch reads), and checks
 * channel c of slice k against z = k + offsets[c] (in slices), interpolated and clamped.
 */
function assertChannelsAt(
  input: Partial<ModelManifest['input']>,
  spacing: number,
  slices: number,
  offsets: number[],
  batch: number,
) {
  const g = geometry([4, 4, slices], [1, 1, spacing]);
  const voxels = new Float32Array(16 * slices).map((_, n) => -1000 + 100 * Math.floor(n / 16));
  const channels = offsets.length;
  const full = { ...manifest().input, channels, sizeMultiple: 1, ...input };
  const batcher = new SliceBatcher({ geometry: g, voxels }, manifest({ input: full }).input);
  const clamp = (k: number) => Math.min(Math.max(k, 0), slices - 1);
  const expected = (k: number, c: number) => {
    const z = k + offsets[c];
    const lo = Math.floor(z + 1e-9);
    return clamp(lo) + (clamp(lo + 1) - clamp(lo)) * (z - lo);
  };
  for (let first = 0; first < slices; first += batch) {
    const count = Math.min(batch, slices - first);
    const { data, dims } = batcher.batch(first, count);
    assert.deepEqual(dims, [count, channels, 4, 4]);
    for (let b = 0; b < count; b++)
      for (let c = 0; c < channels; c++) {
        const value = data[(b * channels + c) * 16 + 5] * 14;
        assert.ok(
          Math.abs(value - expected(first + b, c)) < 1e-4,
          `k ${first + b} channel ${c}: ${value} vs ${expected(first + b, c)}`,
        );
      }
  }
}

test('with sliceSpacingMm the channels sit that many mm apart, interpolated between slices, across batches', () => {
  // 0.8 mm slices, channels 2 mm apart → offsets -5, -2.5, 0, 2.5, 5 slices (up to 5 below a batch's first).
  assertChannelsAt({ sliceSpacingMm: 2 }, 0.8, 12, [-5, -2.5, 0, 2.5, 5], 4);
});

test('with channelOffsetsMm each channel sits at its own distance, interpolated, across batches', () => {
  // 1.25 mm slices, channels at -6, -1.5, 0, 2, 7.5 mm → -4.8, -1.2, 0, 1.6, 6 slices.
  const offsetsMm = [-6, -1.5, 0, 2, 7.5];
  assertChannelsAt(
    { channelOffsetsMm: offsetsMm },
    1.25,
    14,
    offsetsMm.map((o) => o / 1.25),
    3,
  );
});

test('channelOffsetsMm is refused unless it has one ascending offset per channel with 0 in the middle', () => {
  const base = manifest().input;
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ channelOffsetsMm: [-2, 0] }, /one offset per channel/],
    [{ channelOffsetsMm: [-2, 1, 3] }, /0 in the middle/],
    [{ channelOffsetsMm: [2, 0, -2] }, /ascending/],
    [{ channelOffsetsMm: [-2, 0, 2], sliceSpacingMm: 2 }, /not both/],
  ];
  for (const [change, message] of bad)
    assert.throws(() => manifest({ input: { ...base, ...change } }), message, JSON.stringify(change));
  assert.deepEqual(
    manifest({ input: { ...base, channelOffsetsMm: [-5, 0, 1] } }).input.channelOffsetsMm,
    [-5, 0, 1],
  );
});

for (const descending of [false, true]) {
  test(`a sphere survives resampling to the model grid and back (${descending ? 'descending' : 'ascending'} k)`, async () => {
    // 0.7 mm pixels → the model's 1 mm grid (padded to 16) → back to 0.7 mm.
    const volume = sphereVolume([100, 90, 24], [0.7, 0.7, 2], [47.3, 41.8, 11.4], 9, descending);
    const progress: number[] = [];

    const { values } = await inferProbability(volume, manifest(), channelNetwork(1), {
      batchSize: 5,
      onProgress: (done, total) => {
        assert.equal(total, 24);
        progress.push(done);
      },
    });

    assert.deepEqual(progress, [5, 10, 15, 20, 24]);
    const findings = findingsAtThreshold(values, volume.geometry, 0.5);
    assert.equal(findings.length, 1);
    const centre = patientToVoxel(volume.geometry, findings[0].centerMm);
    [47.3, 41.8, 11.4].forEach((expected, a) =>
      assert.ok(Math.abs(centre[a] - expected) < 0.5, `centre ${centre} vs ${[47.3, 41.8, 11.4]}`),
    );
    const expectedVolume = (4 / 3) * Math.PI * 9 ** 3;
    assert.ok(Math.abs(findings[0].volumeMm3 / expectedVolume - 1) < 0.1, `volume ${findings[0].volumeMm3}`);
    // Outside the sphere the map is exactly 0: padding never leaks back into the series.
    assert.equal(values[0], 0);
    assert.equal(values[values.length - 1], 0);
  });
}

test('the neighbour channel is the adjacent slice: channel 0 shifts the map one slice up', async () => {
  const volume = sphereVolume([40, 40, 12], [1, 1, 1], [20, 20, 6], 3);
  const centre = await inferProbability(volume, manifest(), channelNetwork(1), { batchSize: 4 });
  const previous = await inferProbability(volume, manifest(), channelNetwork(0), { batchSize: 4 });
  const plane = 1600;
  assert.deepEqual(
    previous.values.subarray(plane * 4, plane * 10),
    centre.values.subarray(plane * 3, plane * 9),
  );
});

test('activations the graph does not apply are applied: sigmoid of logits, softmax over labels', async () => {
  const volume = sphereVolume([16, 16, 2], [1, 1, 1], [8, 8, 1], 2);
  const constant =
    (value: number[], labels: number): RunBatch =>
    async ({ dims }) => {
      const [batch, , rows, cols] = dims;
      const plane = rows * cols;
      const data = new Float32Array(batch * labels * plane);
      for (let b = 0; b < batch; b++)
        for (let l = 0; l < labels; l++)
          data.fill(value[l], (b * labels + l) * plane, (b * labels + l + 1) * plane);
      return { data, dims: [batch, labels, rows, cols] };
    };
  const sigmoid = manifest({
    output: { name: 'y', labels: ['nodule'], activation: 'sigmoid', activationInGraph: false },
  });
  const logitZero = await inferProbability(volume, sigmoid, constant([0], 1), { batchSize: 2 });
  assert.equal(logitZero.values[100], 128); // sigmoid(0) = 0.5

  const softmax = manifest({
    output: { name: 'y', labels: ['background', 'nodule'], activation: 'softmax', activationInGraph: false },
  });
  const result = await inferProbability(volume, softmax, constant([0, Math.log(3)], 2), { batchSize: 2 });
  assert.equal(result.values[100], Math.round(0.75 * 255));
});

test('an output shape the manifest does not describe is a clear error', async () => {
  const volume = sphereVolume([16, 16, 2], [1, 1, 1], [8, 8, 1], 2);
  const wrong: RunBatch = async ({ dims }) => ({
    data: new Float32Array(dims[0] * 4),
    dims: [dims[0], 1, 2, 2],
  });
  await assert.rejects(
    inferProbability(volume, manifest(), wrong, { batchSize: 1 }),
    /output "probability" has shape \[1, 1, 2, 2\], expected \[1, 1, 16, 16\]/,
  );
});

test('a cancelled run stops between batches with an AbortError', async () => {
  const volume = sphereVolume([16, 16, 10], [1, 1, 1], [8, 8, 5], 2);
  let batches = 0;
  const counting: RunBatch = async (batch) => {
    batches++;
    return channelNetwork(1)(batch);
  };
  await assert.rejects(
    inferProbability(volume, manifest(), counting, { batchSize: 2, isCancelled: () => batches >= 2 }),
    { name: 'AbortError' },
  );
  assert.ok(batches <= 3, `ran ${batches} batches after cancelling`);
});
