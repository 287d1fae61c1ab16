// The shipped default model is model 1.4.1's int8 graph rewritten by models/train/ort_layout.py (narrow layers
// padded with zero channels, DepthToSpace written channels-last) so that onnxruntime runs it faster. The rewrite
// must not change a single probability: the 1.4.1 file is kept as a fixture, the rewrite of it must be the
// shipped file byte for byte, both run through the app's pipeline on a generated study must give the same
// probability map, and onnxruntime must really keep the network channels-last (the point of the rewrite; the
// speed itself is `npm run bench -- inference`).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { indexDicom } from '../../src/dicom/index/index.ts';
import { DecodePool } from '../../src/dicom/decode/decode-pool.ts';
import { openModelRegistry, type ModelRegistry } from '../../src/inference/model-registry.ts';
import { createChildProcessModelHost } from '../../src/inference/child-process-host.ts';
import { analyzeVolume } from '../../src/inference/analyze-volume.ts';
import { loadSeriesVolume, seriesScopeFacts } from '../../src/inference/load-series-volume.ts';
import { sessionOptions } from '../../src/inference/session-options.ts';
import { generateStudy, writeStudy } from '../../src/sample/index.ts';

const root = join(import.meta.dirname, '..', '..');
const shippedDir = join(root, 'models', 'overread-nodule-2d5');
const reference = join(import.meta.dirname, 'fixtures', 'overread-nodule-2d5-1.4.1.onnx');
const rewrite = join(root, 'models', 'train', 'ort_layout.py');

let workDir: string;
let registry: ModelRegistry;

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

before(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'overread-ort-layout-'));
  const models = join(workDir, 'models');
  cpSync(shippedDir, join(models, 'overread-nodule-2d5'), { recursive: true });
  // 1.4.1 as its own model: the shipped manifest with the fixture's id and sha256.
  const dir = join(models, 'nodule-1.4.1');
  mkdirSync(dir, { recursive: true });
  copyFileSync(reference, join(dir, 'model.onnx'));
  const manifest = JSON.parse(readFileSync(join(shippedDir, 'model.json'), 'utf8'));
  writeFileSync(
    join(dir, 'model.json'),
    JSON.stringify({ ...manifest, id: 'nodule-1.4.1', version: '1.4.1', sha256: sha256(reference) }),
  );
  registry = await openModelRegistry({ bundledDir: models, userDir: join(workDir, 'no-user-models') });
});

after(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

test('the shipped model.onnx is ort_layout.py applied to 1.4.1, byte for byte', () => {
  const out = join(workDir, 'rewritten.onnx');
  execFileSync('/usr/bin/python3', [rewrite, reference, out], { stdio: 'inherit' });
  assert.equal(sha256(out), sha256(join(shippedDir, 'model.onnx')));
  assert.notEqual(sha256(reference), sha256(out), 'the rewrite changed the graph');
});

test('through the pipeline, 1.4.1 and the shipped rewrite give the same probability map', async () => {
  const study = join(workDir, 'study');
  writeStudy(generateStudy({ seed: 'ort-layout-test:1', size: 256, nodules: 3 }), study);
  const index = await indexDicom([join(study, 'dicom')]);
  const series = index.studies[0].series[0];
  const pool = new DecodePool();
  const host = createChildProcessModelHost();
  try {
    const volume = await loadSeriesVolume(series, async (frame) => {
      return (await pool.decode(frame.path, frame.frameIndex)).data;
    });
    const maps: Uint8Array[] = [];
    for (const id of ['nodule-1.4.1', 'overread-nodule-2d5']) {
      maps.push((await analyzeVolume(host, registry.get(id), volume, seriesScopeFacts(series))).probability);
    }
    const [old, shipped] = maps;
    assert.equal(old.length, shipped.length);
    let differing = 0;
    let lit = 0;
    for (let i = 0; i < old.length; i++) {
      if (old[i] !== shipped[i]) differing++;
      if (old[i] >= 128) lit++;
    }
    assert.ok(lit > 100, `the study's nodules light up the map (${lit} voxels at p ≥ 0.5)`);
    assert.equal(differing, 0, `${differing} of ${old.length} voxels differ`);
  } finally {
    await host.close();
    await pool.close();
  }
});

test('onnxruntime runs the shipped graph channels-last: no DepthToSpace, 5 Transposes where 1.4.1 had 11', async () => {
  const optimized = join(workDir, 'optimized.onnx');
  const session = await ort.InferenceSession.create(readFileSync(join(shippedDir, 'model.onnx')), {
    ...sessionOptions(1),
    optimizedModelFilePath: optimized,
  });
  await session.release();
  const ops = JSON.parse(
    execFileSync('/usr/bin/python3', [
      '-c',
      'import onnx, sys, json; print(json.dumps([n.op_type for n in onnx.load(sys.argv[1]).graph.node]))',
      optimized,
    ]).toString(),
  ) as string[];
  const count = (op: string) => ops.filter((o) => o === op).length;
  assert.equal(count('DepthToSpace'), 0);
  assert.equal(count('QLinearConv'), 17, 'every convolution but the float head runs int8');
  // One Transpose for the image in, one for the last features out, one per upsampling (the 5-D swap of
  // ort_layout.py); 1.4.1 had 11.
  assert.equal(count('Transpose'), 5, JSON.stringify(ops));
});
