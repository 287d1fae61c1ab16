// Installs tiny ONNX networks (written by /usr/bin/python3 + python3-onnx at test time, cached in the OS temp
// folder by the generator's content) into a models folder with a matching manifest.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelManifestInput } from '../../src/inference/model-manifest.ts';
import { manifestInput } from './manifest-fixtures.ts';

const generator = fileURLToPath(new URL('./fixtures/make-test-model.py', import.meta.url));

export type TestNetwork =
  { kind: 'fast'; a: number; b: number; channels: number } | { kind: 'slow'; channels: number };

export function testOnnx(network: TestNetwork): string {
  const args =
    network.kind === 'fast'
      ? ['fast', String(network.a), String(network.b), String(network.channels)]
      : ['slow', String(network.channels)];
  const key = createHash('sha256')
    .update(readFileSync(generator))
    .update(args.join(' '))
    .digest('hex')
    .slice(0, 16);
  const cached = join(tmpdir(), `overread-test-model-${key}.onnx`);
  if (!existsSync(cached)) {
    const partial = `${cached}.${process.pid}.partial`;
    execFileSync('/usr/bin/python3', [generator, partial, ...args], { stdio: 'inherit' });
    renameSync(partial, cached);
  }
  return cached;
}

/** Writes models/<id>/model.onnx + model.json under `modelsDir`; returns the model's folder. */
export function installTestModel(
  modelsDir: string,
  network: TestNetwork,
  overrides: Partial<ModelManifestInput> = {},
): string {
  const id = overrides.id ?? 'test-model';
  const dir = join(modelsDir, id);
  mkdirSync(dir, { recursive: true });
  const onnx = join(dir, 'model.onnx');
  copyFileSync(testOnnx(network), onnx);
  const sha256 = createHash('sha256').update(readFileSync(onnx)).digest('hex');
  const manifest = manifestInput({
    sha256,
    output: { name: 'probability', labels: ['nodule'], activation: 'sigmoid', activationInGraph: true },
    ...overrides,
    id,
  });
  manifest.input = { ...manifest.input, channels: network.channels };
  writeFileSync(join(dir, 'model.json'), JSON.stringify(manifest, null, 2));
  return dir;
}
