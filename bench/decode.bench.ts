// `npm run bench -- decode [--slices 200] [--size 512] [--rounds 5]`: decodes a synthetic CT series (pydicom-written,
// 16-bit) to modality values with our DecodePool, beside pydicom (dcmread + pixel_array + apply_modality_lut) on
// the same files in the same run. Compressed lines: RLE vs pydicom (which decodes RLE with numpy), and JPEG-LS
// lossless vs dcmdjpls (pydicom here has no JPEG-LS plugin), the latter one process per file as a user would run it.
// Each side runs `rounds` passes and reports its best (a shared machine's load only ever slows a pass down), and
// the CPU time per slice (all threads, median pass), which load hardly moves: both are figures of the same run.
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

interface Figures {
  /** Slices per second of the fastest pass. */
  rate: number;
  /** CPU milliseconds per slice, all threads, median pass. */
  cpu: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1];

async function ours(
  pool: DecodePool,
  files: string[],
  rounds: number,
  method: 'decode' | 'decodeWire' = 'decode',
): Promise<Figures> {
  await pool[method](files[0]); // workers started and codecs loaded: we time steady-state decoding
  const rates: number[] = [];
  const cpu: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    const usage = process.cpuUsage();
    let next = 0;
    let checksum = 0;
    const lane = async () => {
      while (next < files.length) {
        const frame = await pool[method](files[next++]);
        checksum += frame.data[frame.data.length >> 1];
      }
    };
    await Promise.all(Array.from({ length: pool.size * 4 }, lane));
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(usage);
    if (!Number.isFinite(checksum)) throw new Error('decoded values are not finite');
    rates.push(files.length / seconds);
    cpu.push((used.user + used.system) / 1000 / files.length);
  }
  return { rate: Math.max(...rates), cpu: median(cpu) };
}

const PYDICOM = `
import json, statistics, sys, time
from pydicom import dcmread
from pydicom.pixel_data_handlers.util import apply_modality_lut
rounds, dtype, files = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
rates, cpu = [], []
for _ in range(rounds):
    started, process = time.perf_counter(), time.process_time()
    for f in files:
        ds = dcmread(f)
        apply_modality_lut(ds.pixel_array, ds).astype(dtype)
    rates.append(len(files) / (time.perf_counter() - started))
    cpu.append((time.process_time() - process) * 1000 / len(files))
print(json.dumps({'rate': max(rates), 'cpu': statistics.median(cpu)}))
`;

function pydicom(files: string[], rounds: number, dtype: 'float32' | 'int16' = 'float32'): Figures {
  const result = spawnSync('/usr/bin/python3', ['-c', PYDICOM, String(rounds), dtype, ...files], {
    encoding: 'utf8',
    maxBuffer: 2 ** 20,
  });
  if (result.status !== 0) throw new Error(`pydicom reference failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as Figures;
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
    options: {
      slices: { type: 'string' },
      size: { type: 'string' },
      workers: { type: 'string' },
      rounds: { type: 'string' },
    },
  });
  const rounds = Math.max(1, Number(values.rounds ?? 5));
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
    const native = await ours(pool, files, rounds);
    const nativeReference = pydicom(files, rounds);
    const pydicomName = 'pydicom dcmread+pixel_array+apply_modality_lut';
    rows.push(
      {
        what: what('explicit VR LE') + `, best of ${rounds}`,
        unit: 'slices/s',
        ours: native.rate,
        reference: nativeReference.rate,
        referenceName: pydicomName,
        higherIsBetter: true,
        goal: '≥ 1000 slices/s',
      },
      {
        what: what('explicit VR LE') + ', CPU time per slice (all threads)',
        unit: 'ms',
        ours: native.cpu,
        reference: nativeReference.cpu,
        referenceName: pydicomName,
        higherIsBetter: false,
      },
    );
    // What the viewer's slice endpoint asks for: int16 decoded in the worker (DecodePool.decodeWire).
    const wire = await ours(pool, files, rounds, 'decodeWire');
    const wireReference = pydicom(files, rounds, 'int16');
    rows.push({
      what: `${slices} × ${size}² CT slices, explicit VR LE, to int16 for the viewer (${pool.size} workers), best of ${rounds}`,
      unit: 'slices/s',
      ours: wire.rate,
      reference: wireReference.rate,
      referenceName: 'pydicom … apply_modality_lut().astype(int16)',
      higherIsBetter: true,
    });
    // Compressed: fewer pydicom rounds (RLE in numpy is slow); dcmdjpls is process start-up bound, one pass.
    const compressedRounds = Math.min(rounds, 3);
    rows.push({
      what: what('RLE lossless') + `, best of ${compressedRounds}`,
      unit: 'slices/s',
      ours: (await ours(pool, rle, compressedRounds)).rate,
      reference: pydicom(rle, compressedRounds).rate,
      referenceName: 'pydicom (numpy RLE handler)',
      higherIsBetter: true,
    });
    rows.push({
      what: what('JPEG-LS lossless') + `, best of ${compressedRounds}`,
      unit: 'slices/s',
      ours: (await ours(pool, jpegls, compressedRounds)).rate,
      reference: dcmdjpls(jpegls),
      referenceName: 'dcmdjpls, one process per file (one pass)',
      higherIsBetter: true,
    });
  } finally {
    await pool.close();
  }
  printTable('Decode', rows);
}
