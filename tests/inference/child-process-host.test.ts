import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Vec3, Volume } from '../../src/dicom/volume.ts';
import { openModelRegistry, type ModelRegistry } from '../../src/inference/model-registry.ts';
import { createChildProcessModelHost } from '../../src/inference/child-process-host.ts';
import { findingsAtThreshold } from '../../src/inference/findings-at-threshold.ts';
import type { ProcessModelHost } from '../../src/inference/process-model-host.ts';
import { geometry } from './volume-fixtures.ts';
import { installTestModel } from './test-models.ts';

let modelsDir: string;
let registry: ModelRegistry;
let host: ProcessModelHost;

before(async () => {
  modelsDir = mkdtempSync(join(tmpdir(), 'overread-models-'));
  // fast: sigmoid(10 · x - 5) of the centre slice, x = HU windowed [-1000, 400] → [0, 1].
  installTestModel(modelsDir, { kind: 'fast', a: 10, b: -5, channels: 3 }, { id: 'fast' });
  installTestModel(modelsDir, { kind: 'slow', channels: 3 }, { id: 'slow' });
  installTestModel(modelsDir, { kind: 'fast', a: 10, b: -5, channels: 3 }, { id: 'wrong-input' });
  const wrongInput = join(modelsDir, 'wrong-input', 'model.json');
  const { readFileSync, writeFileSync } = await import('node:fs');
  const json = JSON.parse(readFileSync(wrongInput, 'utf8'));
  json.input.name = 'pixels';
  writeFileSync(wrongInput, JSON.stringify(json));
  registry = await openModelRegistry({ bundledDir: join(modelsDir, 'none'), userDir: modelsDir });
  host = createChildProcessModelHost({ threads: 1 });
});

after(async () => {
  await host.close();
  rmSync(modelsDir, { recursive: true, force: true });
});

/** -1000 HU with a +400 HU sphere of `radius` mm around voxel `centre`. */
function ctVolume(size: Vec3, centre: Vec3, radius: number): Volume {
  const g = geometry(size, [1, 1, 1]);
  const voxels = new Float32Array(size[0] * size[1] * size[2]).fill(-1000);
  for (let k = 0; k < size[2]; k++)
    for (let j = 0; j < size[1]; j++)
      for (let i = 0; i < size[0]; i++)
        if (Math.hypot(i - centre[0], j - centre[1], k - centre[2]) <= radius)
          voxels[i + j * size[0] + k * size[0] * size[1]] = 400;
  return { geometry: g, voxels };
}

test('a model runs in a child process and returns the predicted probabilities, with progress', async () => {
  const volume = ctVolume([64, 48, 12], [30, 20, 6], 5);
  const progress: number[] = [];

  const result = await host.run(
    { model: registry.get('fast'), volume, batchSize: 5 },
    { onProgress: ({ done, total }) => progress.push(done / total) },
  );

  assert.ok(host.pid && host.pid !== process.pid, 'the model ran in another process');
  assert.deepEqual(progress, [5 / 12, 10 / 12, 1]);
  const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
  const at = (i: number, j: number, k: number) => result.values[i + j * 64 + k * 64 * 48];
  assert.equal(at(30, 20, 6), Math.round(255 * sigmoid(5)), 'inside: sigmoid(10·1 - 5)');
  assert.equal(at(2, 2, 0), Math.round(255 * sigmoid(-5)), 'air: sigmoid(10·0 - 5)');
  const findings = findingsAtThreshold(result.values, volume.geometry, 0.5);
  assert.equal(findings.length, 1);
  assert.deepEqual(findings[0].sliceRange, [1, 11]);
  assert.ok(result.timings.sessionMs > 0 && result.timings.totalMs >= result.timings.sessionMs);
  // The peak comes back at full precision: inside the sphere the network gives sigmoid(5) exactly.
  assert.ok(Math.abs(result.peak - sigmoid(5)) < 1e-6, `peak ${result.peak}`);
});

test('a manifest that does not validate is refused with the reason', async () => {
  const dir = installTestModel(modelsDir, { kind: 'fast', a: 1, b: 0, channels: 3 }, { id: 'bad-manifest' });
  const { readFileSync, writeFileSync } = await import('node:fs');
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  json.input.channels = 2;
  delete json.defaultThreshold;
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));

  const reopened = await openModelRegistry({ bundledDir: join(modelsDir, 'none'), userDir: modelsDir });

  assert.ok(!reopened.models.some((m) => m.id === 'bad-manifest'));
  assert.throws(
    () => reopened.get('bad-manifest'),
    /input\.channels: channels must be odd.*defaultThreshold/,
  );
  rmSync(dir, { recursive: true });
});

test('a tampered .onnx is refused by the registry and by the model process', async () => {
  const dir = installTestModel(modelsDir, { kind: 'fast', a: 1, b: 0, channels: 3 }, { id: 'tampered' });
  const before = await openModelRegistry({ bundledDir: join(modelsDir, 'none'), userDir: modelsDir });
  const model = before.get('tampered');
  appendFileSync(join(dir, 'model.onnx'), Buffer.from([0]));

  // Changed after the registry checked it: the model process checks the bytes it would run.
  await assert.rejects(host.run({ model, volume: ctVolume([16, 16, 3], [8, 8, 1], 2) }), {
    message: /model tampered: sha256 mismatch — the file was changed or corrupted; reinstall it/,
  });
  const reopened = await openModelRegistry({ bundledDir: join(modelsDir, 'none'), userDir: modelsDir });
  assert.throws(() => reopened.get('tampered'), /model tampered: sha256 mismatch/);
  assert.match(reopened.refused.find((r) => r.id === 'tampered')?.reason ?? '', /reinstall it/);
  rmSync(dir, { recursive: true });
});

test('bytes that are not an ONNX network (but match their sha256) fail the run with a clear error', async () => {
  const dir = installTestModel(modelsDir, { kind: 'fast', a: 1, b: 0, channels: 3 }, { id: 'garbage' });
  const { createHash } = await import('node:crypto');
  const { readFileSync, writeFileSync } = await import('node:fs');
  const garbage = Buffer.from('this is not a protobuf');
  writeFileSync(join(dir, 'model.onnx'), garbage);
  const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
  json.sha256 = createHash('sha256').update(garbage).digest('hex');
  writeFileSync(join(dir, 'model.json'), JSON.stringify(json));
  const reopened = await openModelRegistry({ bundledDir: join(modelsDir, 'none'), userDir: modelsDir });

  await assert.rejects(
    host.run({ model: reopened.get('garbage'), volume: ctVolume([16, 16, 3], [8, 8, 1], 2) }),
    {
      message: /model garbage: onnxruntime cannot load .*model\.onnx/,
    },
  );
  rmSync(dir, { recursive: true });
});

test('a manifest naming a tensor the network lacks is a clear error', async () => {
  await assert.rejects(
    host.run({ model: registry.get('wrong-input'), volume: ctVolume([16, 16, 3], [8, 8, 1], 2) }),
    /manifest names input "pixels".*inputs \[image\]/,
  );
});

test('killing the model process mid-run fails that run only; the next run succeeds', async () => {
  const volume = ctVolume([128, 128, 16], [64, 64, 8], 10);
  let killed = false;

  await assert.rejects(
    host.run(
      { model: registry.get('slow'), volume, batchSize: 1 },
      {
        onProgress: () => {
          if (!killed && host.pid) {
            killed = true;
            process.kill(host.pid, 'SIGKILL');
          }
        },
      },
    ),
    { name: 'ModelProcessCrashError', message: /stopped unexpectedly \(killed by SIGKILL\).*run it again/ },
  );
  assert.ok(killed);

  const next = await host.run({ model: registry.get('fast'), volume: ctVolume([32, 32, 4], [16, 16, 2], 4) });
  assert.equal(findingsAtThreshold(next.values, { ...volume.geometry, size: [32, 32, 4] }, 0.5).length, 1);
});

test('an aborted run stops between batches without killing the process', async () => {
  const volume = ctVolume([128, 128, 16], [64, 64, 8], 10);
  const controller = new AbortController();
  let pidAtAbort: number | undefined;
  const started = performance.now();

  await assert.rejects(
    host.run(
      { model: registry.get('slow'), volume, batchSize: 1 },
      {
        signal: controller.signal,
        onProgress: () => {
          pidAtAbort ??= host.pid;
          controller.abort();
        },
      },
    ),
    { name: 'AbortError' },
  );
  assert.ok(performance.now() - started < 10_000);

  const next = await host.run({ model: registry.get('fast'), volume: ctVolume([32, 32, 4], [16, 16, 2], 4) });
  assert.ok(next.values.length === 32 * 32 * 4);
  assert.equal(host.pid, pidAtAbort, 'the process stopped politely and served the next run');
});

test('a run whose signal is already aborted never starts', async () => {
  await assert.rejects(
    host.run(
      { model: registry.get('fast'), volume: ctVolume([16, 16, 3], [8, 8, 1], 2) },
      { signal: AbortSignal.abort() },
    ),
    { name: 'AbortError' },
  );
});
