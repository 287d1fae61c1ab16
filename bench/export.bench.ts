// `npm run bench -- export [--slices 300] [--size 512]`: a synthetic CT series (pydicom) exported to NIfTI
// (image + label) and to DICOM SEG, beside dcm2niix converting the same series to .nii.gz in the same run.
// Our NIfTI figure covers the same work as dcm2niix: read the DICOM files, build the volume, gzip, write.
// Series reading is the product's: header index (order, geometry) then the frame decoder.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { printTable, type BenchRow } from './report.ts';
import { pydicomSeriesDir } from './pydicom-series.ts';
import { encodeNiftiGz } from '../src/export/nifti/write-nifti.ts';
import { readSourceHeader, writeSeg } from '../src/dicom/write-seg/write-seg.ts';
import { loadSeriesVolume } from '../src/export/load-series-volume.ts';
import { readFileSync } from 'node:fs';

function folderBytes(dir: string): number {
  return readdirSync(dir).reduce((sum, name) => sum + statSync(path.join(dir, name)).size, 0);
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { slices: { type: 'string' }, size: { type: 'string' } },
  });
  const slices = Number(values.slices ?? 300);
  const size = Number(values.size ?? 512);
  const source = pydicomSeriesDir(slices, size);
  const files = readdirSync(source)
    .filter((f) => f.endsWith('.dcm'))
    .sort()
    .map((f) => path.join(source, f));
  const out = mkdtempSync(path.join(os.tmpdir(), 'overread-bench-export-'));

  // The findings' masks come from the store in the product; here they are built before the clock starts.
  const perSlice = size * size;
  const label = new Uint8Array(perSlice * slices);
  // Three spherical "nodules" of radius 12 voxels.
  const centres = [0.3, 0.5, 0.7].map((f) => [
    Math.round(size * f),
    Math.round(size * f),
    Math.round(slices * f),
  ]);
  for (const [n, [ci, cj, ck]] of centres.entries()) {
    for (let k = Math.max(0, ck - 12); k < Math.min(slices, ck + 13); k++)
      for (let j = cj - 12; j <= cj + 12; j++)
        for (let i = ci - 12; i <= ci + 12; i++)
          if ((i - ci) ** 2 + (j - cj) ** 2 + (k - ck) ** 2 <= 144)
            label[k * perSlice + j * size + i] = n + 1;
  }
  const binary = label.map((v) => (v ? 1 : 0));
  const masks = centres.map((_, n) => label.map((v) => (v === n + 1 ? 1 : 0)));

  // Ours: DICOM → NIfTI image + label (both gzipped at once on zlib's thread pool).
  let start = performance.now();
  const { volume, sourceImages } = await loadSeriesVolume(files);
  const [imageGz, labelGz] = await Promise.all([
    encodeNiftiGz(volume),
    encodeNiftiGz({ geometry: volume.geometry, voxels: binary }, { intent: 'label' }),
  ]);
  writeFileSync(path.join(out, 'image.nii.gz'), imageGz);
  writeFileSync(path.join(out, 'label.nii.gz'), labelGz);
  const niftiSeconds = (performance.now() - start) / 1000;
  const niftiMb =
    (statSync(path.join(out, 'image.nii.gz')).size + statSync(path.join(out, 'label.nii.gz')).size) / 1e6;

  // Ours: DICOM SEG with the three findings.
  start = performance.now();
  const seg = writeSeg({
    geometry: volume.geometry,
    sourceImages,
    sourceHeader: readSourceHeader(files[0], new Uint8Array(readFileSync(files[0]))),
    segments: centres.map((_, n) => ({
      label: `Nodule ${n + 1}`,
      algorithmType: 'SEMIAUTOMATIC' as const,
      algorithmName: 'bench model',
      mask: masks[n],
    })),
  });
  writeFileSync(path.join(out, 'seg.dcm'), seg.bytes);
  const segSeconds = (performance.now() - start) / 1000;

  // Reference: dcm2niix, same series, gzip on, same run.
  const refDir = path.join(out, 'dcm2niix');
  mkdirSync(refDir);
  start = performance.now();
  const ref = spawnSync('dcm2niix', ['-z', 'y', '-b', 'n', '-f', 'image', '-o', refDir, source], {
    encoding: 'utf8',
  });
  const refSeconds = (performance.now() - start) / 1000;
  const refOk = ref.status === 0;
  const refMb = refOk ? folderBytes(refDir) / 1e6 : undefined;

  const rows: BenchRow[] = [
    {
      what: `DICOM → NIfTI .nii.gz (${size}×${size}×${slices}; ours adds the label)`,
      unit: 's',
      ours: niftiSeconds,
      reference: refOk ? refSeconds : undefined,
      referenceName: 'dcm2niix -z y',
      higherIsBetter: false,
    },
    {
      what: 'NIfTI output size',
      unit: 'MB',
      ours: niftiMb,
      reference: refMb,
      referenceName: 'dcm2niix -z y',
      higherIsBetter: false,
    },
    {
      what: `DICOM SEG, 3 findings (${seg.frames} frames)`,
      unit: 's',
      ours: segSeconds,
      higherIsBetter: false,
    },
    { what: 'DICOM SEG size', unit: 'MB', ours: seg.bytes.length / 1e6, higherIsBetter: false },
  ];
  printTable('Export: NIfTI and DICOM SEG', rows);
  rmSync(out, { recursive: true, force: true });
}
