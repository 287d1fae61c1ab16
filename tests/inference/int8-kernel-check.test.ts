// A user's int8 model in QDQ form (the default model's 1.4.1, kept as a fixture: onnxruntime fuses it into int8
// kernels that saturate on CPUs without AVX-VNNI, as 1.4.2's did) must give the map its graph says on whatever
// CPU runs this test: the model process compares the fused kernels with the unfused graph on the series' most
// suspicious slices and, where they differ, runs the graph unfused and says so. 1.4.3, the shipped file, is
// 1.4.1's graph laid out so that onnxruntime's kernels do not saturate on the image (ort-layout.test.ts): its
// map is the reference.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { indexDicom } from '../../src/dicom/index/index.ts';
import { DecodePool } from '../../src/dicom/decode/decode-pool.ts';
import { openModelRegistry } from '../../src/inference/model-registry.ts';
import { createChildProcessModelHost } from '../../src/inference/child-process-host.ts';
import { analyzeVolume } from '../../src/inference/analyze-volume.ts';
import { loadSeriesVolume, seriesScopeFacts } from '../../src/inference/load-series-volume.ts';
import { checkWindow, CHECK_CROP, cropBatch, hasFusableQdq } from '../../src/inference/int8-kernel-check.ts';
import { onnxGraphNodes } from '../../src/inference/onnx-graph-nodes.ts';
import { generateStudy, writeStudy } from '../../src/sample/index.ts';
import { testOnnx } from './test-models.ts';

const root = join(import.meta.dirname, '..', '..');
const shippedDir = join(root, 'models', 'overread-nodule-2d5');
const fixture = join(import.meta.dirname, 'fixtures', 'overread-nodule-2d5-1.4.1.onnx');

/** x86 without VNNI: where onnxruntime's u8 × s8 kernels add adjacent products in saturating 16-bit sums. */
function cpuSaturates(): boolean {
  if (process.arch !== 'x64') return false;
  const flags = readFileSync('/proc/cpuinfo', 'utf8');
  return !/\b(avx512_vnni|avx_vnni)\b/.test(flags);
}

let workDir: string;

before(() => {
  workDir = mkdtempSync(join(tmpdir(), 'overread-int8-check-'));
});

after(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

test('onnxGraphNodes reads the operators, inputs and outputs python3-onnx reads', () => {
  const expected = JSON.parse(
    execFileSync('/usr/bin/python3', [
      '-c',
      `import sys, json, onnx
m = onnx.load(sys.argv[1])
print(json.dumps([[n.op_type, list(n.input), list(n.output)] for n in m.graph.node]))`,
      fixture,
    ]).toString(),
  ) as [string, string[], string[]][];
  const nodes = onnxGraphNodes(readFileSync(fixture));
  assert.deepEqual(
    nodes.map((n) => [n.opType, n.inputs, n.outputs]),
    expected,
  );
  assert.ok(expected.length > 100, `${expected.length} nodes`);
  assert.throws(() => onnxGraphNodes(Buffer.from('not a model, just some text')), /not an ONNX file/);
});

test('hasFusableQdq: QDQ models (1.4.1, the shipped 1.4.3) yes; a float model no', () => {
  assert.equal(hasFusableQdq(readFileSync(fixture)), true);
  assert.equal(hasFusableQdq(readFileSync(join(shippedDir, 'model.onnx'))), true);
  assert.equal(hasFusableQdq(readFileSync(testOnnx({ kind: 'slow', channels: 3 }))), false);
});

test('checkWindow centres on the slice with the most voxels at p ≥ 0.5, clamped to the volume', () => {
  const size: [number, number, number] = [4, 4, 20];
  // The highest value of each row, as the run writes it beside the map.
  const rowMaxOf = (map: Uint8Array) =>
    Uint8Array.from({ length: map.length / 4 }, (_, r) => Math.max(...map.subarray(r * 4, r * 4 + 4)));
  const values = new Uint8Array(4 * 4 * 20);
  values.fill(200, 16 * 3, 16 * 3 + 2); // slice 3: two voxels lit
  values.fill(255, 16 * 12, 16 * 12 + 5); // slice 12: five
  values[16 * 18] = 250; // slice 18: one
  values[16 * 12 + 9] = 254; // a sixth lit voxel, dimmer: the hottest stays the first 255 (column 0, row 0)
  const window = checkWindow(values, rowMaxOf(values), size, 8);
  assert.deepEqual(window, { first: 8, count: 8, lit: 6, hotCol: 0, hotRow: 0 });
  values.fill(255, 16 * 19, 16 * 20); // slice 19: sixteen — the window stops at the last slice
  assert.deepEqual(checkWindow(values, rowMaxOf(values), size, 8), {
    first: 12,
    count: 8,
    lit: 16,
    hotCol: 0,
    hotRow: 0,
  });
  // Rows whose maximum is 0 are not read (the map is nearly all of them).
  const unread = rowMaxOf(values);
  unread.fill(0, 19 * 4, 20 * 4);
  assert.equal(checkWindow(values, unread, size, 8).first, 8);
  // Nothing at p ≥ 0.5: the slice with the highest value.
  const faint = new Uint8Array(4 * 4 * 20);
  faint[16 * 2 + 5] = 90;
  faint[16 * 9 + 1] = 100;
  assert.deepEqual(checkWindow(faint, rowMaxOf(faint), size, 4), {
    first: 7,
    count: 4,
    lit: 0,
    hotCol: 1,
    hotRow: 0,
  });
  assert.equal(checkWindow(faint.subarray(0, 48), rowMaxOf(faint.subarray(0, 48)), [4, 4, 3], 8).count, 3);
});

test('cropBatch cuts a CHECK_CROP square around the hot voxel, its corner on the size multiple', () => {
  // A 512-pixel series at 0.75 mm on a 1.5 mm model grid: 256 model pixels, series pixel i ↦ (i + 0.5) / 2 - 0.5.
  const grid = {
    rows: 256,
    cols: 256,
    innerRows: 256,
    innerCols: 256,
    offsetRow: 0,
    offsetCol: 0,
    scaleCol: 2,
    scaleRow: 2,
  };
  const [count, channels] = [2, 3];
  const data = new Float32Array(count * channels * 256 * 256);
  for (let i = 0; i < data.length; i++) data[i] = i;
  const batch = {
    firstSlice: 10,
    count,
    data,
    dims: [count, channels, 256, 256] as [number, number, number, number],
  };
  const window = { first: 10, count: 2, lit: 50, hotCol: 300, hotRow: 20 };
  const crop = cropBatch(batch, grid, window, 8);
  assert.deepEqual(crop.dims, [2, 3, CHECK_CROP, CHECK_CROP]);
  // Hot voxel at model (149.75, 9.75): columns from floor((149.75 - 48) / 8) × 8 = 96, rows clamped to 0.
  const at = (plane: number, r: number, c: number) => data[(plane * 256 + r) * 256 + c];
  assert.equal(crop.data[0], at(0, 0, 96));
  assert.equal(crop.data[CHECK_CROP * CHECK_CROP - 1], at(0, CHECK_CROP - 1, 96 + CHECK_CROP - 1));
  assert.equal(crop.data[5 * CHECK_CROP * CHECK_CROP + 7 * CHECK_CROP + 3], at(5, 7, 99));
  // Near the far edge the square stays inside: corner 256 - 96 = 160.
  const edge = cropBatch(batch, grid, { ...window, hotCol: 511, hotRow: 511 }, 8);
  assert.equal(edge.data[0], at(0, 160, 160));
  // A grid no bigger than the crop: the batch itself.
  const small = {
    ...batch,
    data: new Float32Array(2 * 3 * 64 * 64),
    dims: [2, 3, 64, 64] as [number, number, number, number],
  };
  assert.equal(cropBatch(small, { ...grid, rows: 64, cols: 64 }, window, 8), small);
});

test('a QDQ int8 model gives its graph’s map on this CPU; where its fused kernels saturate, it runs unfused and says so', async () => {
  const study = join(workDir, 'study');
  writeStudy(generateStudy({ seed: 'ort-layout-test:1', size: 256, nodules: 3 }), study);
  const index = await indexDicom([join(study, 'dicom')]);
  const series = index.studies[0].series[0];
  // 1.4.1 installed as a user model, with the shipped manifest (the same inputs and outputs).
  const userDir = join(workDir, 'user-models');
  const dir = join(userDir, 'nodule-qdq');
  mkdirSync(dir, { recursive: true });
  copyFileSync(fixture, join(dir, 'model.onnx'));
  const manifest = JSON.parse(readFileSync(join(shippedDir, 'model.json'), 'utf8'));
  manifest.id = 'nodule-qdq';
  manifest.version = '1.4.1';
  manifest.sha256 = createHash('sha256').update(readFileSync(fixture)).digest('hex');
  writeFileSync(join(dir, 'model.json'), JSON.stringify(manifest));
  const registry = await openModelRegistry({ bundledDir: join(root, 'models'), userDir });
  assert.deepEqual(registry.refused, []);
  const pool = new DecodePool();
  const host = createChildProcessModelHost();
  try {
    const volume = await loadSeriesVolume(series, async (frame) => {
      return (await pool.decode(frame.path, frame.frameIndex)).data;
    });
    const facts = seriesScopeFacts(series);
    const reference = await analyzeVolume(host, registry.get('overread-nodule-2d5'), volume, facts);
    // Passes over the volume, counted by progress reaching the last slice.
    const passes = { qdq: 0, again: 0 };
    const counting = (key: keyof typeof passes) => ({
      onProgress: ({ done, total }: { done: number; total: number }) => {
        if (done === total) passes[key]++;
      },
    });
    const qdq = await analyzeVolume(host, registry.get('nodule-qdq'), volume, facts, counting('qdq'));
    const firstProcess = host.pid;
    // A fresh model process (as after an idle stop or a crash): the host hands each model's verdict back.
    await host.close();
    const trusted = await analyzeVolume(host, registry.get('overread-nodule-2d5'), volume, facts);
    const again = await analyzeVolume(host, registry.get('nodule-qdq'), volume, facts, counting('again'));
    assert.notEqual(host.pid, firstProcess);

    assert.ok(reference.findings.length >= 1, `the study has a finding (${reference.findings.length})`);
    // The shipped file is checked too (its kernels cannot saturate on the image, by construction; deeper layers
    // are checked here) and, agreeing around a finding, trusted from then on, in the next process too.
    assert.ok(reference.timings.int8CheckMs > 0, 'the shipped model was checked');
    assert.equal(trusted.timings.int8CheckMs, 0, 'and not again');
    assert.deepEqual(trusted.probability, reference.probability);
    assert.ok(qdq.timings.int8CheckMs > 0, 'the QDQ model was checked');
    const warned = (run: typeof qdq) => run.warnings.some((w) => w.includes('int8 kernels on this CPU'));
    assert.equal(reference.warnings.length, 0, reference.warnings.join('\n'));
    assert.equal(trusted.warnings.length, 0, trusted.warnings.join('\n'));
    // On an x86 CPU without VNNI (this VM: AMD EPYC, AVX2) the fused kernels saturate on this study's nodule
    // slices (by 0.18 here); with VNNI they do not, and the model runs fused without a word.
    assert.equal(warned(qdq), cpuSaturates(), qdq.warnings.join('\n'));
    assert.equal(warned(again), cpuSaturates(), 'later runs of the model say it too, in a fresh process');
    if (cpuSaturates()) {
      assert.equal(again.timings.int8CheckMs, 0, 'once found wrong, not checked again');
      assert.equal(passes.qdq, 2, 'the first run went over the volume fused, then again another way');
      assert.equal(passes.again, 1, 'the next runs that way from the start');
      // onnxruntime's 16-bit-safe int8 arithmetic computes the graph (0.0002 apart here): it runs that way.
      assert.match(qdq.warnings.join('\n'), /x64quantprecision/);
    } else {
      assert.deepEqual(passes, { qdq: 1, again: 1 });
    }

    // Whatever the CPU, the map is the graph's: 1.4.3's within a quantization level (≤ 0.1 in probability;
    // saturated kernels moved nodule pixels by 0.18–0.95).
    for (const run of [qdq, again]) {
      let worst = 0;
      for (let i = 0; i < run.probability.length; i++) {
        worst = Math.max(worst, Math.abs(run.probability[i]! - reference.probability[i]!));
      }
      assert.ok(worst <= 26, `the QDQ model’s map is up to ${(worst / 255).toFixed(3)} from 1.4.3’s`);
      assert.deepEqual(
        run.findings.map((f) => f.sliceRange),
        reference.findings.map((f) => f.sliceRange),
      );
    }
  } finally {
    await host.close();
    await pool.close();
  }
});
