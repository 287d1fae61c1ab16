// `npm run bench -- decode [--slices 200] [--size 512]`: decodes a synthetic CT series (pydicom-written, 16-bit)
// to modality values with our DecodePool, beside pydicom (dcmread + pixel_array + apply_modality_lut) on the
// same files in the same run. Compressed lines: RLE vs pydicom (which decodes RLE with numpy), and JPEG-LS
// lossless vs dcmdjpls (pydicom here has no JPEG-LS plugin), the latter one process per file as a user would run it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { printTable, type BenchRow } from './report.ts';
import { DecodePool } from '../src/dicom/decode/decode-pool.ts';

const here = path.dirname(new URL(import.meta.url).pathname);

function series(slices: number, size: number): string[] {
  const dir = path.join(os.tmpdir(), `overread-bench-decode-${size}x${slices}`);
  const list = () =>
    readdirSync(dir)
      .filter((f) => f.endsWith('.dcm'))
      .sort()
      .map((f) => path.join(dir, f));
  if (existsSync(dir) && list().length === slices) return list();
  console.error(`generating ${slices} CT slices of ${size}² with pydicom…`);
  rmSync(dir, { recursive: true, force: true });
  const made = spawnSync(
    '/usr/bin/python3',
    [path.join(here, '../tests/fixtures/make-decode-ct-series.py'), dir, String(slices), String(size)],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(`make-decode-ct-series.py failed: ${made.stderr}`);
  return list();
}

function transcoded(files: string[], tag: string, tool: string[]): string[] {
  const dir = `${path.dirname(files[0])}-${tag}`;
  mkdirSync(dir, { recursive: true });
  return files.map((file) => {
    const out = path.join(dir, path.basename(file));
    if (!existsSync(out)) {
      const result = spawnSync(tool[0], [...tool.slice(1), file, out], { encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`${tool.join(' ')} ${file}: ${result.stderr}`);
    }
    return out;
  });
}

async function ours(pool: DecodePool, files: string[]): Promise<number> {
  await pool.decode(files[0]); // workers started and codecs loaded: we time steady-state decoding
  const started = performance.now();
  let next = 0;
  let checksum = 0;
  const lane = async () => {
    while (next < files.length) {
      const frame = await pool.decode(files[next++]);
      checksum += frame.data[frame.data.length >> 1];
    }
  };
  await Promise.all(Array.from({ length: pool.size * 4 }, lane));
  const seconds = (performance.now() - started) / 1000;
  if (!Number.isFinite(checksum)) throw new Error('decoded values are not finite');
  return files.length / seconds;
}

const PYDICOM = `
import sys, time
from pydicom import dcmread
from pydicom.pixel_data_handlers.util import apply_modality_lut
files = sys.argv[1:]
started = time.perf_counter()
for f in files:
    ds = dcmread(f)
    apply_modality_lut(ds.pixel_array, ds).astype('float32')
print(len(files) / (time.perf_counter() - started))
`;

function pydicom(files: string[]): number {
  const result = spawnSync('/usr/bin/python3', ['-c', PYDICOM, ...files], {
    encoding: 'utf8',
    maxBuffer: 2 ** 20,
  });
  if (result.status !== 0) throw new Error(`pydicom reference failed: ${result.stderr}`);
  return Number(result.stdout.trim());
}

function dcmdjpls(files: string[]): number {
  const out = path.join(os.tmpdir(), `overread-bench-dcmdjpls-${process.pid}.dcm`);
  const started = performance.now();
  for (const file of files) {
    const result = spawnSync('dcmdjpls', [file, out]);
    if (result.status !== 0) throw new Error(`dcmdjpls ${file} failed`);
  }
  rmSync(out, { force: true });
  return files.length / ((performance.now() - started) / 1000);
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { slices: { type: 'string' }, size: { type: 'string' }, workers: { type: 'string' } },
  });
  const slices = Number(values.slices ?? 200);
  const size = Number(values.size ?? 512);
  const files = series(slices, size);
  const rle = transcoded(files, 'rle', ['dcmcrle']);
  const jpegls = transcoded(files, 'jpegls', ['dcmcjpls', '+el']);
  const pool = new DecodePool(values.workers ? { size: Number(values.workers) } : {});
  const rows: BenchRow[] = [];
  try {
    const what = (syntax: string) =>
      `${slices} × ${size}² CT slices, ${syntax}, to modality values (${pool.size} workers)`;
    rows.push({
      what: what('explicit VR LE'),
      unit: 'slices/s',
      ours: await ours(pool, files),
      reference: pydicom(files),
      referenceName: 'pydicom dcmread+pixel_array+apply_modality_lut',
      higherIsBetter: true,
      goal: '≥ 1000 slices/s',
    });
    rows.push({
      what: what('RLE lossless'),
      unit: 'slices/s',
      ours: await ours(pool, rle),
      reference: pydicom(rle),
      referenceName: 'pydicom (numpy RLE handler)',
      higherIsBetter: true,
    });
    rows.push({
      what: what('JPEG-LS lossless'),
      unit: 'slices/s',
      ours: await ours(pool, jpegls),
      reference: dcmdjpls(jpegls),
      referenceName: 'dcmdjpls, one process per file',
      higherIsBetter: true,
    });
  } finally {
    await pool.close();
  }
  printTable('Decode', rows);
}
