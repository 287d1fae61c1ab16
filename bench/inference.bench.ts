// `npm run bench -- inference [--slices 300] [--size 512] [--batch 4] [--rounds 3] [--model ID]`: seconds for a
// CT-sized study through the whole pipeline (values → child process → resample, window, channels → onnxruntime →
// probabilities back on the series grid → findings), the pipeline's overhead over bare session.run on the same
// tensors, and the same network in PyTorch on the CPU with the same thread count.
//
// The network is a stand-in 2D U-Net defined in bench/inference-unet.py, so PyTorch and onnxruntime run the
// very same weights. With --model ID an installed model is timed instead, and PyTorch runs its architecture
// (models/train/unet.py at the manifest's training.baseWidth and input channels; weights do not change speed) on
// tensors of the same size — in float32, and for a quantized model (training.quantization) also quantized by
// PyTorch itself, so an int8 file is matched against int8 PyTorch too. The bare session.run loop imports
// onnxruntime-node directly: measuring the library without our pipeline is the point.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  copyFileSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import type { Vec3, Volume } from '../src/dicom/volume.ts';
import { createChildProcessModelHost } from '../src/inference/child-process-host.ts';
import { analyzeVolume } from '../src/inference/analyze-volume.ts';
import { openModelRegistry, type InstalledModel } from '../src/inference/model-registry.ts';
import { defaultThreadCount, sessionOptions } from '../src/inference/session-options.ts';
import { SliceBatcher } from '../src/inference/slice-batcher.ts';
import type { ModelManifestInput } from '../src/inference/model-manifest.ts';
import { printTable, type BenchRow } from './report.ts';

const script = fileURLToPath(new URL('./inference-unet.py', import.meta.url));

function standInOnnx(): string {
  const key = createHash('sha256').update(readFileSync(script)).digest('hex').slice(0, 16);
  const path = join(tmpdir(), `overread-bench-unet-${key}.onnx`);
  if (!existsSync(path)) {
    execFileSync('/usr/bin/python3', [script, 'export', `${path}.partial`], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    renameSync(`${path}.partial`, path);
  }
  return path;
}

function installStandIn(modelsDir: string, spacing: number): void {
  const dir = join(modelsDir, 'bench-unet');
  mkdirSync(dir, { recursive: true });
  copyFileSync(standInOnnx(), join(dir, 'model.onnx'));
  const manifest: ModelManifestInput = {
    id: 'bench-unet',
    version: 'bench',
    sha256: createHash('sha256')
      .update(readFileSync(join(dir, 'model.onnx')))
      .digest('hex'),
    modality: 'CT',
    bodyPart: 'CHEST',
    // The series' own spacing: the network sees 512² slices, the expensive case.
    input: {
      name: 'image',
      channels: 3,
      pixelSpacingMm: spacing,
      sizeMultiple: 4,
      normalization: { kind: 'window', window: [-1000, 400] },
    },
    output: { name: 'probability', labels: ['nodule'], activation: 'sigmoid', activationInGraph: true },
    defaultThreshold: 0.5,
  };
  writeFileSync(join(dir, 'model.json'), JSON.stringify(manifest));
}

/**
 * A chest-CT-like volume: air, a body ellipse of soft tissue, darker lungs and a few nodules. Int16, as the
 * app's loader gives a CT (loadSeriesVolume over DecodePool.decodeWire).
 */
function syntheticStudy(size: number, slices: number, spacing: Vec3): Volume<Int16Array> {
  const voxels = new Int16Array(size * size * slices);
  const c = size / 2;
  for (let k = 0; k < slices; k++)
    for (let j = 0; j < size; j++)
      for (let i = 0; i < size; i++) {
        const body = ((i - c) / (0.45 * size)) ** 2 + ((j - c) / (0.35 * size)) ** 2 < 1;
        const lung =
          ((Math.abs(i - c) - 0.2 * size) / (0.15 * size)) ** 2 + ((j - c) / (0.25 * size)) ** 2 < 1;
        const nodule = Math.hypot(i - 0.3 * size, j - c, (k - slices / 2) * (spacing[2] / spacing[0])) < 8;
        voxels[i + j * size + k * size * size] = nodule ? 60 : lung ? -850 : body ? 40 : -1000;
      }
  return {
    geometry: {
      size: [size, size, slices],
      spacing,
      origin: [0, 0, 0],
      direction: [
        [1, 0, 0],
        [0, 1, 0],
        [0, 0, 1],
      ],
    },
    voxels,
  };
}

async function bareSessionSeconds(
  model: InstalledModel,
  volume: Volume<ArrayLike<number>>,
  batch: number,
  threads: number,
): Promise<number> {
  const session = await ort.InferenceSession.create(readFileSync(model.onnxPath), sessionOptions(threads));
  const batcher = new SliceBatcher(volume, model.manifest.input);
  let seconds = 0;
  for (let first = 0; first < batcher.slices; first += batch) {
    const input = batcher.batch(first, Math.min(batch, batcher.slices - first)); // built outside the clock
    const tensor = new ort.Tensor('float32', input.data, input.dims);
    const started = performance.now();
    await session.run({ [model.manifest.input.name]: tensor });
    seconds += (performance.now() - started) / 1000;
  }
  await session.release();
  return seconds;
}

function peakRssMiB(pid: number | undefined): number {
  if (!pid) return NaN;
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      slices: { type: 'string', default: '300' },
      size: { type: 'string', default: '512' },
      batch: { type: 'string', default: '4' },
      rounds: { type: 'string', default: '3' },
      model: { type: 'string' },
    },
  });
  const slices = Number(values.slices);
  const size = Number(values.size);
  const batch = Number(values.batch);
  const rounds = Number(values.rounds);
  const threads = defaultThreadCount();
  const spacing: Vec3 = [0.7, 0.7, 1.25];
  const modelsDir = mkdtempSync(join(tmpdir(), 'overread-bench-models-'));
  try {
    let model: InstalledModel;
    if (values.model) {
      model = (await openModelRegistry()).get(values.model);
    } else {
      installStandIn(modelsDir, spacing[0]);
      model = (await openModelRegistry({ bundledDir: modelsDir })).get('bench-unet');
    }
    const volume = syntheticStudy(size, slices, spacing);
    const host = createChildProcessModelHost({ threads });
    // Warm-up: start the model process and load the session, as an open app has done before a study arrives.
    await host.run({ model, volume: syntheticStudy(64, 4, spacing) });

    // Best of `rounds`, the pipeline and the bare loop taking turns, so that a slow spell of a shared machine
    // (one run of each moved by ±20 % here, 2026-11-27) lands on neither side alone.
    let pipelineSeconds = Infinity;
    let bare = Infinity;
    let analysis: Awaited<ReturnType<typeof analyzeVolume>> | undefined;
    let [childPeak, appPeak] = [NaN, NaN];
    const checkMs: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const started = performance.now();
      const result = await analyzeVolume(
        host,
        model,
        volume,
        { modality: 'CT', bodyPart: 'CHEST' },
        { batchSize: batch },
      );
      const seconds = (performance.now() - started) / 1000;
      checkMs.push(result.timings.int8CheckMs);
      if (seconds < pipelineSeconds) [pipelineSeconds, analysis] = [seconds, result];
      // Peaks of one study, as the app sees it: after the first round (later ones hold two maps at a time) and
      // before the bare loop loads a session into this process.
      if (round === 0) [childPeak, appPeak] = [peakRssMiB(host.pid), peakRssMiB(process.pid)];
      bare = Math.min(bare, await bareSessionSeconds(model, volume, batch, threads));
    }
    if (!analysis) throw new Error('inference bench: --rounds must be at least 1');
    await host.close();
    // PyTorch runs the same architecture on tensors of the model grid's size: the stand-in, or the trained
    // model's UNet25D at its recorded base width and channel count.
    const grid = new SliceBatcher(syntheticStudy(size, 1, spacing), model.manifest.input).grid;
    const training = model.manifest.training as { baseWidth?: number; quantization?: unknown } | undefined;
    const baseWidth = training?.baseWidth;
    const quantized = training?.quantization !== undefined;
    let torchSeconds: number | undefined;
    let torchInt8Seconds: number | undefined;
    if (!values.model || baseWidth !== undefined) {
      const args = [
        script,
        'time',
        String(slices),
        String(grid.rows),
        String(grid.cols),
        String(batch),
        String(threads),
      ];
      if (values.model) args.push(String(baseWidth), String(model.manifest.input.channels));
      // A quantized model is also matched against PyTorch running the same network quantized by PyTorch.
      if (values.model && quantized) args.push('int8');
      for (let round = 0; round < rounds; round++) {
        const out = execFileSync('/usr/bin/python3', args, { encoding: 'utf8' });
        const timed = JSON.parse(out) as { seconds: number; int8Seconds?: number };
        torchSeconds = Math.min(torchSeconds ?? Infinity, timed.seconds);
        if (timed.int8Seconds !== undefined)
          torchInt8Seconds = Math.min(torchInt8Seconds ?? Infinity, timed.int8Seconds);
      }
    }
    const rows: BenchRow[] = [
      {
        what: `${slices}×${size}² study, whole pipeline (${model.id}, ${threads} thread${threads > 1 ? 's' : ''}, batch ${batch}), best of ${rounds}`,
        unit: 's',
        ours: pipelineSeconds,
        reference: torchSeconds,
        referenceName:
          torchSeconds === undefined
            ? undefined
            : `PyTorch CPU, network only, same threads, best of ${rounds}`,
        higherIsBetter: false,
        goal: '≤ 20 s; ≥ 3× PyTorch',
      },
      {
        what: 'pipeline overhead over bare session.run on the same tensors',
        unit: '%',
        ours: (pipelineSeconds / bare - 1) * 100,
        higherIsBetter: false,
        goal: '≤ 15 %',
      },
      {
        what: 'bare onnxruntime session.run, same tensors',
        unit: 's',
        ours: bare,
        reference: torchSeconds,
        referenceName: torchSeconds === undefined ? undefined : 'PyTorch CPU',
        higherIsBetter: false,
      },
      ...(torchInt8Seconds === undefined
        ? []
        : [
            {
              what: 'bare onnxruntime session.run (int8 model), same tensors',
              unit: 's',
              ours: bare,
              reference: torchInt8Seconds,
              referenceName: 'PyTorch CPU int8 (onednn), same network',
              higherIsBetter: false,
            },
          ]),
      { what: 'peak memory, model process', unit: 'MiB', ours: childPeak, higherIsBetter: false },
      {
        what: 'peak memory, app process (volume + probability map)',
        unit: 'MiB',
        ours: appPeak,
        higherIsBetter: false,
      },
    ];
    printTable('Inference', rows);
    const t = analysis.timings; // the fastest round's
    console.log(
      `pipeline breakdown (model process): pre-processing ${(t.preprocessMs / 1000).toFixed(2)} s (on its own thread; the network waited ${(t.batchWaitMs / 1000).toFixed(2)} s for batches), session.run ${(t.sessionMs / 1000).toFixed(2)} s, ` +
        `waiting on the network ${(t.waitMs / 1000).toFixed(2)} s, write-back ${(t.postprocessMs / 1000).toFixed(2)} s, ` +
        `total in process ${(t.totalMs / 1000).toFixed(2)} s; findings ${analysis.findings.length}`,
    );
    const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    console.log(
      `app side: before the run (scope, intensity check) ${seconds(pipelineSeconds * 1000 - t.hostMs - t.findingsMs)}, ` +
        `voxels to the model process and probabilities back (host.run beyond the run itself) ${seconds(t.hostMs - t.totalMs - t.loadMs - t.int8CheckMs)}, ` +
        `components and score ${seconds(t.findingsMs)}`,
    );
    // Part of the pipeline's time in the rounds that ran it: until a run agrees around a finding, then never
    // again while the host lives (int8-kernel-check.ts).
    console.log(
      `int8 kernel check (fused kernels against the unfused graph) per round: ${checkMs.map(seconds).join(', ')}`,
    );
  } finally {
    rmSync(modelsDir, { recursive: true, force: true });
  }
}
