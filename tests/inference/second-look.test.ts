// The model's second look at its candidates (src/inference/second-look.ts): its measurements of each region of
// a map agree with the training recipe's (models/train/candidate_features.py, run here on the same bytes), and
// applying a classifier lowers the regions it scores low — so that findings at the reader's threshold, and the
// rows' maxima the flood fill skips by, follow.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findingsAtThreshold } from '../../src/inference/findings-at-threshold.ts';
import { forEachComponent } from '../../src/inference/map-components.ts';
import {
  SECOND_LOOK_FEATURES,
  applySecondLook,
  candidateFeatures,
  secondLookScore,
  symmetricEigenvalues,
  type SecondLook,
  type SecondLookFeature,
} from '../../src/inference/second-look.ts';
import { indexDicom } from '../../src/dicom/index/index.ts';
import { DecodePool } from '../../src/dicom/decode/decode-pool.ts';
import { analyzeVolume } from '../../src/inference/analyze-volume.ts';
import { createChildProcessModelHost } from '../../src/inference/child-process-host.ts';
import { loadSeriesVolume, seriesScopeFacts } from '../../src/inference/load-series-volume.ts';
import { openModelRegistry } from '../../src/inference/model-registry.ts';
import { sampleStudy } from '../helpers/sample-study.ts';
import { manifest } from './manifest-fixtures.ts';
import { installTestModel } from './test-models.ts';
import { geometry } from './volume-fixtures.ts';

const g = geometry([40, 36, 14], [0.7, 0.8, 2.0]);
const [cols, rows, slices] = g.size;
const at = (i: number, j: number, k: number) => i + j * cols + k * cols * rows;

/**
 * A tilted ellipsoid over several slices, probability falling off from its middle (a nodule); a disc on one
 * slice at p ≈ 1 (what the network makes of a vessel crossing the slice); a faint diagonal streak.
 */
function mapWithCandidates(): Uint8Array {
  const values = new Uint8Array(cols * rows * slices);
  for (let k = 0; k < slices; k++)
    for (let j = 0; j < rows; j++)
      for (let i = 0; i < cols; i++) {
        const [x, y, z] = [(i - 12) * 0.7, (j - 10) * 0.8, (k - 6) * 2.0];
        const [u, v] = [0.8 * x + 0.6 * y, -0.6 * x + 0.8 * y];
        const r = Math.sqrt((u / 6) ** 2 + (v / 4) ** 2 + (z / 5) ** 2);
        if (r < 1) values[at(i, j, k)] = Math.round(255 * (1 - 0.6 * r * r));
        const disc = Math.hypot((i - 30) * 0.7, (j - 26) * 0.8);
        if (k === 9 && disc < 3.5) values[at(i, j, k)] = disc < 2 ? 252 : 140;
      }
  for (let s = 0; s < 9; s++) values[at(4 + s, 30 - s, 2 + (s >> 2))] = 40 + 8 * s;
  return values;
}

/**
 * Modality values on the same grid: lung (−850) with a soft-tissue ellipsoid (+40) under the nodule, a rib
 * (+900, above the model's window) through the disc's corner, air (−1024, below it) in one corner, a gradient.
 */
function imageWithCandidates(): Float32Array {
  const hu = new Float32Array(cols * rows * slices);
  for (let k = 0; k < slices; k++)
    for (let j = 0; j < rows; j++)
      for (let i = 0; i < cols; i++) {
        const [x, y, z] = [(i - 12) * 0.7, (j - 10) * 0.8, (k - 6) * 2.0];
        let value = -850 + 3 * j - 2 * k;
        if (Math.hypot(x / 5, y / 3.5, z / 4) < 1) value = 40 + i;
        if (Math.abs(i - 31) <= 1) value = 900;
        if (i < 6 && j < 6) value = -1024;
        hu[at(i, j, k)] = value;
      }
  return hu;
}

test('its measurements of each region are the training recipe’s, from the same bytes', () => {
  const values = mapWithCandidates();
  const hu = imageWithCandidates();
  const dir = mkdtempSync(join(tmpdir(), 'second-look-'));
  try {
    const file = join(dir, 'map.u8');
    writeFileSync(file, values);
    const huFile = join(dir, 'hu.f32');
    writeFileSync(huFile, new Uint8Array(hu.buffer));
    const level = 26; // p ≥ 0.1
    const clamp: [number, number] = [-1000, 400];
    const python = JSON.parse(
      execFileSync(
        '/usr/bin/python3',
        [
          'models/train/candidate_features.py',
          file,
          ...[cols, rows, slices, ...g.spacing, level].map(String),
          huFile,
          ...clamp.map(String),
        ],
        { encoding: 'utf8' },
      ),
    ) as Record<string, number>[];
    const ours: Record<string, number>[] = [];
    const context = { image: { voxels: hu, clamp }, isCandidate: (n: number) => values[n]! >= level };
    forEachComponent(values, g.size, level, undefined, (component) =>
      ours.push(candidateFeatures(values, g, component, context)),
    );
    assert.equal(ours.length, 3, 'the nodule, the disc and the streak');
    assert.equal(python.length, ours.length);
    for (const [n, mine] of ours.entries()) {
      for (const name of SECOND_LOOK_FEATURES) {
        const theirs = python[n]![name]!;
        assert.ok(
          Math.abs(mine[name] - theirs) <= 1e-6 * Math.max(1, Math.abs(theirs)),
          `region ${n + 1}, ${name}: ${mine[name]} here, ${theirs} in candidate_features.py`,
        );
      }
    }
    const [nodule, disc, streak] = [ours[0]!, ours[1]!, ours[2]!].sort(
      (a, b) => b.log_vol_mm3 - a.log_vol_mm3,
    );
    assert.ok(nodule.slices05 >= 3 && disc!.slices05 === 1, 'the nodule spans slices, the disc one');
    assert.ok(streak!.elongation > nodule.elongation, 'a streak is longer than it is wide');
    assert.ok(nodule.contrast > 300, `the nodule is denser than the lung around it (${nodule.contrast} HU)`);
    assert.equal(disc!.hu_max, 400, 'the rib is clamped to the model’s window');
    assert.ok(Number.isNaN(candidateFeatures(values, g, [at(12, 10, 6)]).hu_mean), 'no image, no HU');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('applied, it changes the map as the training recipe’s evaluation does (the card’s figures are the app’s)', () => {
  const values = mapWithCandidates();
  const hu = imageWithCandidates();
  const clamp: [number, number] = [-1000, 400];
  // Denser, thicker, more contrasted candidates score higher: it keeps the nodule and lowers the disc (one slice).
  const look: SecondLook = {
    candidateThreshold: 0.1,
    features: ['hu_mean', 'slices05', 'contrast'],
    mean: [-400, 2, 100],
    std: [300, 1.5, 200],
    layers: [
      {
        weights: [
          [1.2, 2.0, 0.7],
          [-0.8, 0.5, 1.1],
        ],
        bias: [0.1, -0.2],
        activation: 'tanh',
      },
      { weights: [[2.5, 1.5]], bias: [3], activation: 'linear' },
    ],
  };
  const dir = mkdtempSync(join(tmpdir(), 'second-look-apply-'));
  try {
    const [mapFile, huFile, lookFile, outFile] = ['map.u8', 'hu.f32', 'look.json', 'out.u8'].map((f) =>
      join(dir, f),
    );
    writeFileSync(mapFile!, values);
    writeFileSync(huFile!, new Uint8Array(hu.buffer));
    writeFileSync(lookFile!, JSON.stringify(look));
    execFileSync('/usr/bin/python3', [
      'models/train/candidate_features.py',
      mapFile!,
      ...[cols, rows, slices, ...g.spacing, 26, huFile, ...clamp, lookFile, outFile].map(String),
    ]);
    const theirs = readFileSync(outFile!);
    const ours = values.slice();
    applySecondLook(ours, g, look, undefined, { voxels: hu, clamp });
    let changed = 0;
    for (let n = 0; n < ours.length; n++) {
      assert.ok(
        Math.abs(ours[n]! - theirs[n]!) <= 1,
        `voxel ${n}: ${ours[n]} here, ${theirs[n]} in the recipe`,
      );
      if (ours[n] !== values[n]) changed++;
    }
    assert.ok(changed > 20, `${changed} voxels lowered`);
    assert.equal(ours[at(12, 10, 6)], 255, 'the nodule keeps its peak');
    assert.ok(ours[at(30, 26, 9)]! < values[at(30, 26, 9)]!, 'the disc is lowered');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('eigenvalues of a symmetric 3 × 3 matrix, largest first', () => {
  assert.deepEqual(symmetricEigenvalues([2, 5, 3, 0, 0, 0]), [5, 3, 2]);
  // diag(4, 1, 1) turned by 45° about z: [[2.5, 1.5, 0], [1.5, 2.5, 0], [0, 0, 1]]
  const turned = symmetricEigenvalues([2.5, 2.5, 1, 1.5, 0, 0]);
  for (const [n, expected] of [4, 1, 1].entries())
    assert.ok(Math.abs(turned[n]! - expected) < 1e-9, `${turned}`);
  const general = symmetricEigenvalues([4, 3, 2, 1, 0.5, -0.7]);
  const trace = general.reduce((s, e) => s + e, 0);
  assert.ok(
    Math.abs(trace - 9) < 1e-9 && general[0]! >= general[1]! && general[1]! >= general[2]!,
    `${general}`,
  );
});

// A classifier that trusts a region by the slices it is confident on: score = sigmoid(4·(slices05 − 1.5)).
const bySlices: SecondLook = {
  candidateThreshold: 0.1,
  features: ['slices05'],
  mean: [1.5],
  std: [1],
  layers: [{ weights: [[4]], bias: [0], activation: 'linear' }],
};

test('applying it lowers the regions it scores low to their score, and findings follow', () => {
  const values = mapWithCandidates();
  const before = findingsAtThreshold(values, g, 0.5);
  assert.equal(before.length, 2, 'the nodule and the disc at p ≥ 0.5');
  const rowMax = new Uint8Array(rows * slices);
  for (let r = 0; r < rowMax.length; r++)
    for (let i = 0; i < cols; i++) rowMax[r] = Math.max(rowMax[r]!, values[r * cols + i]!);
  const discPeak = values[at(30, 26, 9)]!;

  const result = applySecondLook(values, g, bySlices, rowMax);

  assert.equal(result.candidates, 3);
  const discScore = 1 / (1 + Math.exp(-4 * (1 - 1.5)));
  const discFeatures = Object.fromEntries(
    SECOND_LOOK_FEATURES.map((name) => [name, name === 'slices05' ? 1 : 0]),
  );
  assert.ok(
    Math.abs(secondLookScore(bySlices, discFeatures as Record<SecondLookFeature, number>) - discScore) <
      1e-12,
  );
  assert.equal(values[at(30, 26, 9)], Math.round(discPeak * (discScore / (discPeak / 255))));
  assert.equal(values[at(12, 10, 6)], 255, 'the nodule, scored above its peak, is left as it was');
  for (let r = 0; r < rowMax.length; r++) {
    let high = 0;
    for (let i = 0; i < cols; i++) high = Math.max(high, values[r * cols + i]!);
    assert.equal(rowMax[r], high, `row ${r}'s maximum`);
  }
  const after = findingsAtThreshold(values, g, 0.5, {}, rowMax);
  assert.equal(after.length, 1, 'the disc is no longer a finding at 0.5');
  assert.deepEqual(after[0]!.voxels, before.find((f) => f.sliceRange[0] !== f.sliceRange[1])!.voxels);
  // The series' peak is the nodule's score (it spans more than four slices at p ≥ 0.5: above 0.999).
  assert.ok(result.peak > 0.999 && result.peak < 1, `peak ${result.peak}`);
});

test('a manifest’s second look is validated: one mean and std per feature, layers that chain to one output', () => {
  const look = { ...bySlices, features: ['slices05', 'mean_p'] as SecondLookFeature[] };
  assert.throws(() => manifest({ secondLook: look }), /secondLook: mean and std need one entry per feature/);
  const wide = { ...bySlices, layers: [{ weights: [[1], [2]], bias: [0, 0], activation: 'tanh' as const }] };
  assert.throws(() => manifest({ secondLook: wide }), /secondLook\.layers: each layer needs/);
  const unknown = { ...bySlices, features: ['hu_median'] };
  assert.throws(() => manifest({ secondLook: unknown as never }), /secondLook\.features\.0/);
  assert.deepEqual(manifest({ secondLook: bySlices }).secondLook, bySlices);
});

test('through the model process, a second look scoring every candidate 0.2 lowers each to 0.2 and leaves the rest; one by density reads the series’ HU', async () => {
  const study = sampleStudy({ seed: 'second-look', size: 96, slices: 16, nodules: 2 });
  const dir = mkdtempSync(join(tmpdir(), 'second-look-models-'));
  const network = { kind: 'fast', a: -12, b: 6, channels: 3 } as const; // air and lungs at p ≈ 1
  const logit = Math.log(0.2 / 0.8);
  const everyone: SecondLook = {
    candidateThreshold: 0.1,
    features: ['peak'],
    mean: [0],
    std: [1],
    layers: [{ weights: [[0]], bias: [logit], activation: 'linear' }],
  };
  installTestModel(dir, network, { id: 'plain' });
  installTestModel(dir, network, { id: 'second', secondLook: everyone });
  // A look by the image: each candidate's score rises with its mean HU in the model's window [-1000, 400].
  const byDensity: SecondLook = {
    ...everyone,
    features: ['hu_mean'],
    mean: [-700],
    std: [100],
    layers: [{ weights: [[1]], bias: [0], activation: 'linear' }],
  };
  installTestModel(dir, network, { id: 'density', secondLook: byDensity });
  const registry = await openModelRegistry({ bundledDir: join(dir, 'none'), userDir: dir });
  const index = await indexDicom([study.dir]);
  const series = index.studies[0]!.series[0]!;
  const pool = new DecodePool();
  const host = createChildProcessModelHost();
  try {
    const volume = await loadSeriesVolume(
      series,
      async (frame) => (await pool.decode(frame.path, frame.frameIndex)).data,
    );
    const plain = await analyzeVolume(host, registry.get('plain'), volume, seriesScopeFacts(series));
    const second = await analyzeVolume(host, registry.get('second'), volume, seriesScopeFacts(series));
    assert.ok(plain.findings.length >= 2, `${plain.findings.length} findings without it`);
    assert.deepEqual(second.findings, [], 'nothing reaches 0.5 once every candidate scores 0.2');
    assert.ok(Math.abs(second.score - 0.2) < 1e-9, `series score ${second.score}`);
    let lowered = 0;
    for (let n = 0; n < plain.probability.length; n++) {
      const [before, after] = [plain.probability[n]!, second.probability[n]!];
      if (before < 26) assert.equal(after, before, `voxel ${n} below the candidate threshold changed`);
      else {
        assert.ok(after <= 51 && after <= before, `voxel ${n}: ${before} → ${after}`);
        lowered++;
      }
    }
    assert.ok(lowered > 1000, `${lowered} voxels lowered`);
    assert.equal(
      second.probability.reduce((m, v) => Math.max(m, v), 0),
      51,
      'the candidates peaking at 1.0 now peak at 0.2',
    );

    const density = await analyzeVolume(host, registry.get('density'), volume, seriesScopeFacts(series));
    const plainMap = plain.probability.slice();
    let checked = 0;
    forEachComponent(plainMap, volume.geometry.size, 26, undefined, (component) => {
      let [sum, peak, after] = [0, 0, 0];
      for (const n of component) {
        sum += Math.min(400, Math.max(-1000, volume.voxels[n]!));
        peak = Math.max(peak, plain.probability[n]!);
        after = Math.max(after, density.probability[n]!);
      }
      const score = 1 / (1 + Math.exp(-(sum / component.length + 700) / 100));
      const expected = score >= peak / 255 ? peak : Math.round(peak * (score / (peak / 255)));
      assert.ok(
        Math.abs(after - expected) <= 1,
        `a candidate of mean HU ${sum / component.length}: ${after}, not ${expected}`,
      );
      checked++;
    });
    assert.ok(checked >= 2, `${checked} candidates checked`);
    assert.throws(
      () => applySecondLook(plain.probability.slice(), volume.geometry, byDensity),
      /measures the image .* no image was given/,
    );
  } finally {
    await host.close();
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
