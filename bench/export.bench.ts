// `npm run bench -- export [--slices 300] [--size 512]`: a synthetic CT series (pydicom) exported to NIfTI
// (image + label) and to DICOM SEG, beside dcm2niix converting the same series to .nii.gz in the same run; and
// the findings table's density and axes of three findings (only the slices they cover decoded), beside
// pydicom + numpy reading the same slices and taking the same means.
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
import { writeMeasurementReport } from '../src/dicom/write-sr/write-measurement-report.ts';
import { loadIndexedSlices, loadSeriesVolume } from '../src/export/load-series-volume.ts';
import { indexDicom, seriesGeometry } from '../src/dicom/index/index.ts';
import { measureFindings } from '../src/export/finding-density.ts';
import type { ExportSeries } from '../src/export/export-types.ts';
import { readFileSync } from 'node:fs';

/** The slices k on which a volume-sized 0/1 mask has any voxel. */
function sliceIndices(mask: Uint8Array, perSlice: number): number[] {
  const ks: number[] = [];
  for (let k = 0; k * perSlice < mask.length; k++) {
    if (mask.subarray(k * perSlice, (k + 1) * perSlice).some((v) => v !== 0)) ks.push(k);
  }
  return ks;
}

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
  const header = readSourceHeader(files[0], new Uint8Array(readFileSync(files[0])));
  const seg = writeSeg({
    geometry: volume.geometry,
    sourceImages,
    sourceHeader: header,
    segments: centres.map((_, n) => ({
      label: `Nodule ${n + 1}`,
      algorithmType: 'SEMIAUTOMATIC' as const,
      algorithmName: 'bench model',
      mask: masks[n],
    })),
  });
  writeFileSync(path.join(out, 'seg.dcm'), seg.bytes);
  const segSeconds = (performance.now() - start) / 1000;

  // Ours: the TID 1500 measurement report beside it (its figures are the table's; here fixed numbers), from
  // the header and frame slices the SEG's writing gave, as the export does.
  start = performance.now();
  const report = writeMeasurementReport({
    sourceHeader: header,
    sourceSeriesUid: String(header['0020000E']?.Value?.[0] ?? ''),
    sourceImages: seg.slices.map((k) => sourceImages[k]!),
    seg: { sopInstanceUid: seg.sopInstanceUid, seriesInstanceUid: seg.seriesInstanceUid },
    findings: centres.map((_, n) => ({
      trackingId: `Nodule ${n + 1}`,
      segmentNumber: n + 1,
      volumeMm3: 500,
      diameterMm: 10,
      longAxisMm: 10,
      shortAxisMm: 8,
      meanHu: -30,
      sdHu: 40,
    })),
  });
  writeFileSync(path.join(out, 'sr.dcm'), report.bytes);
  const srSeconds = (performance.now() - start) / 1000;

  // Ours: the findings table's density and axes — decode only the slices the findings cover, then measure.
  // The header index is the store's in the product, so it is built before the clock starts.
  const indexed = (await indexDicom(files)).studies[0]!.series[0]!;
  const geometry = seriesGeometry(indexed);
  const covered = [...new Set(masks.flatMap((mask) => sliceIndices(mask, perSlice)))].sort((a, b) => a - b);
  // The store hands the export each mask as voxel indices; the product's measureFindings does the rest.
  const indices = masks.map((mask) => {
    const voxels: number[] = [];
    for (let i = 0; i < mask.length; i++) if (mask[i]) voxels.push(i);
    return Uint32Array.from(voxels);
  });
  const table: ExportSeries = {
    studyInstanceUid: '',
    seriesInstanceUid: '',
    files,
    loadVolume: () => Promise.reject(new Error('not needed')),
    measure: { modality: 'CT', geometry, loadSlices: (ks) => loadIndexedSlices(indexed, ks, { geometry }) },
    findings: indices.map((voxels, n) => ({
      row: { studyInstanceUid: '', seriesInstanceUid: '', findingId: String(n + 1), decision: 'confirmed' },
      algorithmType: 'MANUAL' as const,
      loadMask: () => Promise.resolve({ indices: voxels }),
    })),
  };
  start = performance.now();
  const unmeasured = await measureFindings(table);
  if (unmeasured || table.findings.some((f) => f.row.meanHu === undefined))
    throw new Error(`the bench findings were not measured: ${unmeasured}`);
  const densitySeconds = (performance.now() - start) / 1000;
  const labelFile = path.join(out, 'labels.u8');
  writeFileSync(labelFile, label);
  const density = spawnSync(
    '/usr/bin/python3',
    [
      path.join('bench', 'label-density.py'),
      labelFile,
      String(size),
      ...covered.map((k) => `${k}:${indexed.frames[k]!.path}`),
    ],
    { encoding: 'utf8' },
  );
  const densityRef = density.status === 0 ? Number(density.stdout.trim()) : undefined;
  if (density.status !== 0) console.error(`pydicom reference failed: ${density.stderr}`);

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
    {
      what: 'DICOM SR (TID 1500) beside it, 3 measurement groups',
      unit: 's',
      ours: srSeconds,
      higherIsBetter: false,
    },
    { what: 'DICOM SR size', unit: 'kB', ours: report.bytes.length / 1e3, higherIsBetter: false },
    {
      what: `findings table density and axes, 3 findings (${covered.length} slices decoded)`,
      unit: 's',
      ours: densitySeconds,
      reference: densityRef,
      referenceName: 'pydicom + numpy, same slices and means (after imports)',
      higherIsBetter: false,
    },
  ];
  printTable('Export: NIfTI and DICOM SEG', rows);
  rmSync(out, { recursive: true, force: true });
}
