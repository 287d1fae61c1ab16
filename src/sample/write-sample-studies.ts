// Writes synthetic studies to disk (and with followUp, each one's follow-up beside it): per study a folder holding dicom/ (one CT series, file order and names
// varied per study), truth.json (UIDs, geometry, nodules, the mask's format) and truth-mask.bin.gz (the
// nodule label volume). Byte-identical for the same seed: no clocks, no Math.random, fixed gzip settings.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writePart10 } from '../dicom/write/write-part10.ts';
import { CT_IMAGE_STORAGE, ctSliceDataset } from './ct-slice-dataset.ts';
import type { FollowUpOptions } from './follow-up.ts';
import { generateStudy, type SampleStudy } from './generate-study.ts';
import { Random } from './random.ts';
import { MASK_FILE, truthDocument } from './sample-truth.ts';

export interface WriteSampleOptions {
  studies?: number;
  seed?: number | string;
  size?: number;
  slices?: number;
  nodules?: number;
  /** Also write each study's follow-up (same patient, later, nodules changed) beside it, as study-NNN-follow-up. */
  followUp?: FollowUpOptions;
  /** Called before each study starts (1-based). */
  onStart?: (index: number, total: number) => void;
  /** Called after each study with its folder. */
  onStudy?: (done: number, total: number, dir: string) => void;
}

export interface WrittenStudy {
  dir: string;
  /** DICOM files in ascending z (k) order, whatever their order on disk. */
  files: string[];
  truthPath: string;
}

function fileNames(study: SampleStudy): string[] {
  const slices = study.geometry.size[2];
  const random = new Random(`${study.seed}:names`);
  const order = Array.from({ length: slices }, (_, k) => k);
  if (study.acquisition.diskOrder === 'descending') order.reverse();
  if (study.acquisition.diskOrder === 'shuffled') {
    for (let n = slices - 1; n > 0; n--) {
      const m = random.int(0, n);
      [order[n], order[m]] = [order[m], order[n]];
    }
  }
  const names = new Array<string>(slices);
  const used = new Set<string>();
  order.forEach((k, position) => {
    let name: string;
    if (study.acquisition.naming.startsWith('IM')) name = `IM${String(position + 1).padStart(4, '0')}`;
    else {
      do
        name =
          random.nextUint32().toString(16).padStart(8, '0') +
          random.nextUint32().toString(16).padStart(8, '0');
      while (used.has(name));
    }
    used.add(name);
    names[k] = study.acquisition.naming.endsWith('.dcm') ? `${name}.dcm` : name;
  });
  return names;
}

export function writeStudy(study: SampleStudy, dir: string): WrittenStudy {
  const dicomDir = join(dir, 'dicom');
  mkdirSync(dicomDir, { recursive: true });
  const names = fileNames(study);
  const files = names.map((name, k) => {
    const path = join(dicomDir, name);
    writeFileSync(path, writePart10(ctSliceDataset(study, k), CT_IMAGE_STORAGE, study.uids.instances[k]));
    return path;
  });
  writeFileSync(join(dir, MASK_FILE), gzipSync(study.mask, { level: 6 }));
  const truthPath = join(dir, 'truth.json');
  writeFileSync(truthPath, `${JSON.stringify(truthDocument(study, names), null, 2)}\n`);
  return { dir, files, truthPath };
}

export function writeSampleStudies(outdir: string, options: WriteSampleOptions = {}): WrittenStudy[] {
  const total = options.studies ?? 1;
  const seed = options.seed ?? 1;
  const written: WrittenStudy[] = [];
  for (let n = 0; n < total; n++) {
    options.onStart?.(n + 1, total);
    const settings = {
      seed: `${seed}:${n}`,
      size: options.size,
      slices: options.slices,
      nodules: options.nodules,
    };
    const dir = join(outdir, `study-${String(n + 1).padStart(3, '0')}`);
    const pair = options.followUp ? [undefined, options.followUp] : [undefined];
    for (const followUp of pair) {
      const target = followUp ? `${dir}-follow-up` : dir;
      const study = generateStudy({ ...settings, followUp });
      try {
        written.push(writeStudy(study, target));
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new Error(
          `could not write ${target} (${reason}) — choose a writable output folder with free space`,
        );
      }
    }
    options.onStudy?.(n + 1, total, dir);
  }
  return written;
}
