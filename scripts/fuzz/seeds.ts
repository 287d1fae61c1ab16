// Owns the fuzzer's seed corpus: real DICOM written by real tools, built once and cached under os.tmpdir().
// `overread sample` writes a small synthetic CT study; dcmtk and GDCM transcode two of its slices into each
// transfer syntax the decoder supports (implicit/explicit/big endian, deflated, RLE, JPEG lossless, JPEG-LS,
// JPEG 2000); the decode matrix's pydicom files (multi-frame, colour, palette, 1/8/12/32-bit) and a dcmmkdir
// DICOMDIR join them.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeFixtures } from '../../tests/dicom/decode/decode-fixtures.ts';
import { indexFixtures } from '../../tests/dicom/index/index-fixtures.ts';

export interface Seed {
  name: string;
  bytes: Uint8Array;
}

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const TRANSCODES: Array<[tag: string, tool: string[]]> = [
  ['implicit', ['dcmconv', '+ti']],
  ['explicit', ['dcmconv', '+te']],
  ['big', ['dcmconv', '+tb']],
  ['deflated', ['dcmconv', '+td']],
  ['rle', ['dcmcrle']],
  ['gdcm-rle', ['gdcmconv', '--rle']],
  ['jpeg-sv1', ['dcmcjpeg', '+e1']],
  ['jpeg-p14', ['dcmcjpeg', '+el']],
  ['jpegls', ['dcmcjpls', '+el']],
  ['jpegls-near', ['dcmcjpls', '+en']],
  ['gdcm-jpegls', ['gdcmconv', '--jpegls']],
  ['j2k', ['gdcmconv', '--j2k']],
  ['j2k-lossy', ['gdcmconv', '--j2k', '--lossy', '-q', '40']],
];

function run(command: string[], what: string): void {
  const result = spawnSync(command[0], command.slice(1), { encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(`fuzz seeds: ${what} failed (${command.join(' ')}): ${result.stderr || result.stdout}`);
}

/** Builds (once) and returns the seed files. */
export function buildSeeds(): Seed[] {
  const key = createHash('sha256')
    .update(readFileSync(fileURLToPath(import.meta.url)))
    .digest('hex')
    .slice(0, 12);
  const dir = path.join(os.tmpdir(), `overread-fuzz-seeds-${key}`);
  if (!existsSync(path.join(dir, 'done'))) {
    const building = `${dir}.building-${process.pid}`;
    rmSync(building, { recursive: true, force: true });
    mkdirSync(building, { recursive: true });
    const study = path.join(building, 'study');
    run(
      [
        process.execPath,
        path.join(root, 'bin', 'overread.js'),
        'sample',
        study,
        '--studies',
        '1',
        '--seed',
        'fuzz',
        '--size',
        '64',
        '--slices',
        '4',
        '--nodules',
        '1',
      ],
      'overread sample',
    );
    const studyDir = path.join(study, readdirSync(study)[0]);
    const truth = JSON.parse(readFileSync(path.join(studyDir, 'truth.json'), 'utf8')) as {
      slices: { file: string }[];
    };
    const slices = truth.slices.slice(1, 3).map((slice) => path.join(studyDir, slice.file));
    if (slices.length < 2) throw new Error(`fuzz seeds: overread sample wrote no slices in ${studyDir}`);
    slices.forEach((slice, i) => copyFileSync(slice, path.join(building, `sample${i}-original.dcm`)));
    for (const [i, slice] of slices.entries()) {
      for (const [tag, tool] of TRANSCODES)
        run([...tool, slice, path.join(building, `sample${i}-${tag}.dcm`)], `transcoding to ${tag}`);
    }
    writeFileSync(path.join(building, 'done'), '');
    rmSync(dir, { recursive: true, force: true });
    renameSync(building, dir);
  }
  const seeds: Seed[] = readdirSync(dir)
    .filter((name) => name.endsWith('.dcm'))
    .sort()
    .map((name) => ({ name, bytes: new Uint8Array(readFileSync(path.join(dir, name))) }));
  // A DICOMDIR written by dcmmkdir: fuzzed on its own in a folder of its own, it exercises the record walk.
  // Listed four times, so about 3 % of cases are DICOMDIRs.
  const dicomdir = new Uint8Array(readFileSync(path.join(indexFixtures(), 'media', 'DICOMDIR')));
  for (let i = 1; i <= 4; i++) seeds.push({ name: `dicomdir-media-${i}`, bytes: dicomdir });
  const matrix = decodeFixtures();
  for (const name of readdirSync(matrix.dir).sort()) {
    if (name.endsWith('.dcm'))
      seeds.push({
        name: `matrix-${name}`,
        bytes: new Uint8Array(readFileSync(path.join(matrix.dir, name))),
      });
  }
  return seeds;
}
