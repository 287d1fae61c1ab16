// Builds the decode matrix's files once and caches them in os.tmpdir(): pydicom writes the sources
// (tests/fixtures/make-decode-sources.py) with their expected values, then dcmtk and GDCM transcode them.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

const script = new URL('../../fixtures/make-decode-sources.py', import.meta.url).pathname;

export interface Variant {
  /** File name under the fixture folder. */
  file: string;
  source: string;
  syntax: string;
  /** undefined: exact; else max/mean absolute error allowed against the source values. */
  tolerance?: { max: number; mean: number };
  /** An independent decoder's output of this file (dcmdjpeg, GDCM) and how close ours must come to it. */
  reference?: { file: string; max: number };
  /** The variant is expected to fail with this error text instead of decoding. */
  expectError?: RegExp;
}

const LOSSLESS_SOURCES = ['ct12', 'mr16', 'gray8', 'mono1', 'rgb-planar0', 'rgb-planar1', 'multiframe'];
const ALL = [...LOSSLESS_SOURCES, 'gray12', 'palette', 'u32'];

type Tool = [string, ...string[]];
const plan: Array<{
  tag: string;
  syntax: string;
  tool: Tool;
  sources: string[];
  tolerance?: Variant['tolerance'];
  /** Decompresses the variant with another library; ours must agree within `max`. */
  reference?: { tool: Tool; max: number };
  expectError?: RegExp;
}> = [
  { tag: 'implicit', syntax: '1.2.840.10008.1.2', tool: ['dcmconv', '+ti'], sources: ALL },
  { tag: 'big', syntax: '1.2.840.10008.1.2.2', tool: ['dcmconv', '+tb'], sources: ALL },
  { tag: 'deflated', syntax: '1.2.840.10008.1.2.1.99', tool: ['dcmconv', '+td'], sources: ALL },
  { tag: 'rle', syntax: '1.2.840.10008.1.2.5', tool: ['dcmcrle'], sources: ALL },
  {
    tag: 'gdcm-rle',
    syntax: '1.2.840.10008.1.2.5',
    tool: ['gdcmconv', '--rle'],
    sources: ['ct12', 'rgb-planar1', 'mr16'],
  },
  { tag: 'jpeg-sv1', syntax: '1.2.840.10008.1.2.4.70', tool: ['dcmcjpeg', '+e1'], sources: LOSSLESS_SOURCES },
  {
    tag: 'jpeg-p14',
    syntax: '1.2.840.10008.1.2.4.57',
    tool: ['dcmcjpeg', '+el'],
    sources: ['ct12', 'mr16', 'gray8', 'rgb-planar0'],
  },
  { tag: 'jpegls', syntax: '1.2.840.10008.1.2.4.80', tool: ['dcmcjpls', '+el'], sources: LOSSLESS_SOURCES },
  {
    tag: 'gdcm-jpegls',
    syntax: '1.2.840.10008.1.2.4.80',
    tool: ['gdcmconv', '--jpegls'],
    sources: ['mr16', 'rgb-planar0'],
  },
  {
    tag: 'jpegls-near',
    syntax: '1.2.840.10008.1.2.4.81',
    tool: ['dcmcjpls', '+en'],
    sources: ['mr16', 'gray8'],
    tolerance: { max: 2, mean: 1.5 },
  },
  { tag: 'j2k', syntax: '1.2.840.10008.1.2.4.90', tool: ['gdcmconv', '--j2k'], sources: LOSSLESS_SOURCES },
  {
    tag: 'j2k-lossy',
    syntax: '1.2.840.10008.1.2.4.91',
    tool: ['gdcmconv', '--j2k', '--lossy', '-q', '40'],
    sources: ['gray8', 'rgb-planar0'],
    tolerance: { max: 16, mean: 4 },
    reference: { tool: ['gdcmconv', '--raw'], max: 0 },
  },
  {
    // Quality 40 on a full 16-bit range is coarse (about 1 % mean error); GDCM's own decode is the sharp check.
    tag: 'j2k-lossy16',
    syntax: '1.2.840.10008.1.2.4.91',
    tool: ['gdcmconv', '--j2k', '--lossy', '-q', '40'],
    sources: ['mr16'],
    tolerance: { max: 9000, mean: 1000 },
    reference: { tool: ['gdcmconv', '--raw'], max: 0 },
  },
  {
    tag: 'jpeg-baseline',
    syntax: '1.2.840.10008.1.2.4.50',
    tool: ['dcmcjpeg', '+eb'],
    sources: ['gray8', 'mono1', 'rgb-planar0'],
    tolerance: { max: 10, mean: 2.5 },
    reference: { tool: ['dcmdjpeg'], max: 0 },
  },
  {
    tag: 'jpeg-extended8',
    syntax: '1.2.840.10008.1.2.4.51',
    tool: ['dcmcjpeg', '+ee'],
    sources: ['gray8'],
    tolerance: { max: 10, mean: 2.5 },
    reference: { tool: ['dcmdjpeg'], max: 0 },
  },
  {
    tag: 'jpeg-extended12',
    syntax: '1.2.840.10008.1.2.4.51',
    tool: ['dcmcjpeg', '+ee'],
    sources: ['gray12'],
    expectError: /1\.2\.840\.10008\.1\.2\.4\.51 \(JPEG Extended 12-bit\)/,
  },
];

function run(tool: Tool, from: string, to: string): void {
  const result = spawnSync(tool[0], [...tool.slice(1), from, to], { encoding: 'utf8' });
  if (result.status !== 0)
    throw new Error(`${tool.join(' ')} ${from} failed: ${result.stderr || result.stdout}`);
}

export interface Fixtures {
  dir: string;
  variants: Variant[];
  expected(source: string): Float32Array;
}

export function decodeFixtures(): Fixtures {
  const key = createHash('sha256')
    .update(readFileSync(script))
    .update(JSON.stringify(plan, (_, v) => (v instanceof RegExp ? String(v) : v)))
    .digest('hex')
    .slice(0, 12);
  const dir = join(os.tmpdir(), `overread-decode-${key}`);
  const variants: Variant[] = [];
  for (const source of ALL) variants.push({ file: `${source}.dcm`, source, syntax: '1.2.840.10008.1.2.1' });
  for (const step of plan)
    for (const source of step.sources)
      variants.push({
        file: `${step.tag}-${source}.dcm`,
        source,
        syntax: step.syntax,
        tolerance: step.tolerance,
        expectError: step.expectError,
        ...(step.reference
          ? { reference: { file: `${step.tag}-${source}.reference.dcm`, max: step.reference.max } }
          : {}),
      });
  if (!existsSync(join(dir, 'done'))) {
    const building = `${dir}.building-${process.pid}`;
    rmSync(building, { recursive: true, force: true });
    mkdirSync(building, { recursive: true });
    const made = spawnSync('/usr/bin/python3', [script, building], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`make-decode-sources.py failed: ${made.stderr}`);
    for (const step of plan)
      for (const source of step.sources) {
        const made = join(building, `${step.tag}-${source}.dcm`);
        run(step.tool, join(building, `${source}.dcm`), made);
        if (step.reference) run(step.reference.tool, made, made.replace(/\.dcm$/, '.reference.dcm'));
      }
    writeFileSync(join(building, 'done'), '');
    rmSync(dir, { recursive: true, force: true });
    renameSync(building, dir);
  }
  return {
    dir,
    variants,
    expected: (source) => {
      const bytes = readFileSync(join(dir, `${source}.f32`));
      return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    },
  };
}
