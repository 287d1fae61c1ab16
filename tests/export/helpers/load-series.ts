// Test helper: reads a small uncompressed CT series (as written by fixtures/make-series.py) into a Volume,
// keeping the files' own order (Instance Number) so a descending stack stays descending — the case the
// NIfTI writer must encode with qfac = -1. Deliberately simple; the product's loader lives in src/dicom/decode.
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDicom } from '../../../src/dicom/parse/parse-dicom.ts';
import type { Vec3, Volume } from '../../../src/dicom/volume.ts';

export interface SeriesFixture {
  dir: string;
  study: string;
  series: string;
  frameOfReference: string;
  files: { path: string; sop: string; ipp: Vec3 }[];
}

const here = path.dirname(new URL(import.meta.url).pathname);
export const fixturesDir = path.join(here, '..', 'fixtures');

export function makeSeries(options: {
  orientation: 'axial' | 'oblique';
  order: 'ascending' | 'descending';
  rows?: number;
  cols?: number;
  slices?: number;
  phi?: boolean;
  seed?: number;
}): SeriesFixture {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'overread-series-'));
  const args = [
    path.join(fixturesDir, 'make-series.py'),
    dir,
    '--orientation',
    options.orientation,
    '--order',
    options.order,
    '--rows',
    String(options.rows ?? 12),
    '--cols',
    String(options.cols ?? 10),
    '--slices',
    String(options.slices ?? 6),
    '--seed',
    String(options.seed ?? 1),
    ...(options.phi ? ['--phi'] : []),
  ];
  const result = spawnSync('/usr/bin/python3', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`make-series.py failed: ${result.stderr}`);
  return { dir, ...JSON.parse(result.stdout) };
}

export function loadSeries(files: string[]): Volume<Int16Array> & { sops: string[] } {
  const slices = files.map((file) => {
    const { dataSet } = parseDicom(file, new Uint8Array(readFileSync(file)));
    const numbers = (tag: string) => (dataSet.string(tag) ?? '').split('\\').map(Number);
    const pixel = dataSet.elements.x7fe00010;
    return {
      instance: Number(dataSet.string('x00200013')),
      sop: dataSet.string('x00080018') ?? '',
      ipp: numbers('x00200032') as Vec3,
      iop: numbers('x00200037'),
      spacing: numbers('x00280030'),
      rows: dataSet.uint16('x00280010') ?? 0,
      cols: dataSet.uint16('x00280011') ?? 0,
      slope: Number(dataSet.string('x00281053') ?? 1),
      intercept: Number(dataSet.string('x00281052') ?? 0),
      pixels: new Int16Array(
        dataSet.byteArray.slice(pixel.dataOffset, pixel.dataOffset + pixel.length).buffer,
      ),
    };
  });
  slices.sort((a, b) => a.instance - b.instance);
  const first = slices[0];
  const last = slices[slices.length - 1];
  const delta: Vec3 = [last.ipp[0] - first.ipp[0], last.ipp[1] - first.ipp[1], last.ipp[2] - first.ipp[2]];
  const length = Math.hypot(...delta);
  const k: Vec3 = slices.length > 1 ? (delta.map((d) => d / length) as Vec3) : cross(first.iop);
  const voxels = new Int16Array(first.rows * first.cols * slices.length);
  slices.forEach((s, index) => {
    for (let p = 0; p < s.pixels.length; p++) {
      voxels[index * s.pixels.length + p] = s.pixels[p] * s.slope + s.intercept;
    }
  });
  return {
    geometry: {
      size: [first.cols, first.rows, slices.length],
      // Pixel Spacing is (between rows, between columns): i steps along a row, so it takes the second value.
      spacing: [first.spacing[1], first.spacing[0], slices.length > 1 ? length / (slices.length - 1) : 1],
      origin: first.ipp,
      direction: [first.iop.slice(0, 3) as Vec3, first.iop.slice(3, 6) as Vec3, k],
    },
    voxels,
    sops: slices.map((s) => s.sop),
  };
}

function cross(iop: number[]): Vec3 {
  const [a, b, c, d, e, f] = iop;
  return [b * f - c * e, c * d - a * f, a * e - b * d];
}

/** Runs a Python checker script from fixtures/ with Debian's python (pydicom, nibabel) and returns its JSON. */
export function runPython(script: string, args: string[]): unknown {
  const result = spawnSync('/usr/bin/python3', [path.join(fixturesDir, script), ...args], {
    encoding: 'utf8',
  });
  if (result.status !== 0)
    throw new Error(`${script} failed (${result.status}): ${result.stderr}${result.stdout}`);
  return JSON.parse(result.stdout);
}
