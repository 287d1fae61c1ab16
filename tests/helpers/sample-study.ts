// A small synthetic CT study on disk for tests, written once per (options, generator source) and cached under
// os.tmpdir(), so every test file that needs real DICOM with known nodules gets it in milliseconds after the
// first. The cache key hashes the generator's source so a changed generator never serves stale files.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateStudy, writeStudy, type SampleTruth } from '../../src/sample/index.ts';

export interface SampleStudyOptions {
  seed: number | string;
  /** Rows and columns (default 128). */
  size?: number;
  /** Slices (default 40). */
  slices?: number;
  /** Nodule count (default: drawn from the seed, 0–4). */
  nodules?: number;
}

export interface CachedSampleStudy {
  /** Study folder: dicom/, truth.json, truth-mask.bin.gz. */
  dir: string;
  /** DICOM file paths in ascending z (truth.slices order). */
  files: string[];
  truth: SampleTruth;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function sourceHash(): string {
  const hash = createHash('sha256');
  for (const folder of ['src/sample', 'src/dicom/write']) {
    for (const name of readdirSync(join(root, folder)).sort()) {
      if (name.endsWith('.ts')) hash.update(name).update(readFileSync(join(root, folder, name)));
    }
  }
  return hash.digest('hex').slice(0, 16);
}

export function sampleStudy(options: SampleStudyOptions): CachedSampleStudy {
  const settings = {
    seed: String(options.seed),
    size: options.size ?? 128,
    slices: options.slices ?? 40,
    nodules: options.nodules,
  };
  const key = createHash('sha256')
    .update(JSON.stringify(settings))
    .update(sourceHash())
    .digest('hex')
    .slice(0, 20);
  const dir = join(tmpdir(), 'overread-sample-cache', key);
  if (!existsSync(join(dir, 'truth.json'))) {
    // Written aside then renamed, so a parallel test process never sees a half-written study.
    const staging = `${dir}.${process.pid}.${Date.now()}`;
    mkdirSync(staging, { recursive: true });
    writeStudy(generateStudy(settings), staging);
    try {
      renameSync(staging, dir);
    } catch {
      rmSync(staging, { recursive: true, force: true });
      if (!existsSync(join(dir, 'truth.json'))) throw new Error(`sampleStudy: could not write ${dir}`);
    }
  }
  const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8')) as SampleTruth;
  return { dir, files: truth.slices.map((slice) => join(dir, slice.file)), truth };
}
