// Owns the pydicom-written CT series the export and PACS benchmarks share (cached in the OS temp folder), so
// both measure the same files and generate them once.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const here = path.dirname(new URL(import.meta.url).pathname);

/** A folder of `slices` pydicom-written `size`² CT slices (tests/export/fixtures/make-series.py). */
export function pydicomSeriesDir(slices: number, size: number): string {
  const dir = path.join(os.tmpdir(), `overread-bench-series-${size}x${size}x${slices}`);
  if (existsSync(path.join(dir, `slice${String(slices - 1).padStart(3, '0')}.dcm`))) return dir;
  console.error(`generating ${slices} slices of ${size}×${size} with pydicom…`);
  const result = spawnSync(
    '/usr/bin/python3',
    [
      path.join(here, '../tests/export/fixtures/make-series.py'),
      dir,
      '--rows',
      String(size),
      '--cols',
      String(size),
      '--slices',
      String(slices),
    ],
    { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 },
  );
  if (result.status !== 0) throw new Error(`make-series.py failed: ${result.stderr}`);
  return dir;
}
