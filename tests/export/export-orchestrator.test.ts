// Whole exports from in-memory series (pydicom-written sources): nnU-Net checked by nibabel against the DICOM,
// a de-identified DICOM SEG export checked by pydicom/dciodvfy with no PHI left in any file, key file rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { runExport } from '../../src/export/export-orchestrator.ts';
import type { ExportSeries } from '../../src/export/export-types.ts';
import { loadSeries, makeSeries, runPython, type SeriesFixture } from './helpers/load-series.ts';

const here = path.dirname(new URL(import.meta.url).pathname);

function exportSeries(
  series: SeriesFixture,
  masks: ((hu: number, instance: number) => boolean)[],
): ExportSeries {
  const files = series.files.map((f) => f.path);
  const volume = loadSeries(files);
  const perSlice = volume.geometry.size[0] * volume.geometry.size[1];
  return {
    studyInstanceUid: series.study,
    seriesInstanceUid: series.series,
    patientId: 'MRN-0012345',
    files,
    loadVolume: async () => ({
      volume,
      sourceImages: volume.sops.map((sop) => ({
        sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
        sopInstanceUid: sop,
      })),
    }),
    findings: masks.map((inside, n) => ({
      row: {
        studyInstanceUid: series.study,
        seriesInstanceUid: series.series,
        findingId: String(n + 1),
        modelId: 'lung-nodule-unet',
        modelVersion: '1.2.0',
        modelSha256: 'cd'.repeat(32),
        score: 0.9,
        decision: n === 0 ? 'confirmed' : 'corrected',
        reason: 'looks like Jane Doe’s old scar',
        reader: 'Reader^Alice',
        decidedAt: '2026-11-24T09:00:00Z',
        diameterMm: 6,
      },
      algorithmType: n === 0 ? 'SEMIAUTOMATIC' : 'MANUAL',
      algorithmName: 'lung-nodule-unet 1.2.0',
      loadMask: async () =>
        Uint8Array.from(volume.voxels, (hu, i) => (inside(hu, Math.floor(i / perSlice) + 1) ? 1 : 0)),
    })),
  };
}

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? allFiles(full) : [full];
  });
}

test('nnU-Net export: layout, manifest, and labels on the DICOM pixels (nibabel)', async () => {
  const series = makeSeries({ orientation: 'oblique', order: 'descending', slices: 4, seed: 11 });
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'overread-export-')), 'nnunet');
  const steps: string[] = [];
  const summary = await runExport([exportSeries(series, [(hu) => hu > -600])], {
    format: 'nnunet',
    outDir: out,
    onProgress: (p) => steps.push(p.step),
  });
  assert.equal(summary.cases, 1);
  assert.ok(steps.length >= 2);
  const names = allFiles(out)
    .map((f) => path.relative(out, f))
    .sort();
  assert.deepEqual(names, [
    'cases.json',
    'datalist.json',
    'dataset.json',
    'findings.csv',
    'imagesTr/case_0001_0000.nii.gz',
    'labelsTr/case_0001.nii.gz',
    'manifest.json',
  ]);
  const check = runPython('check-nifti.py', [
    path.join(out, 'imagesTr/case_0001_0000.nii.gz'),
    path.join(out, 'labelsTr/case_0001.nii.gz'),
    ...series.files.map((f) => f.path),
  ]) as {
    worstAffineErrorMm: number;
    labelMismatches: number;
    imageMismatches: number;
    paintedVoxels: number;
  };
  assert.ok(check.worstAffineErrorMm < 0.01);
  assert.equal(check.imageMismatches, 0);
  assert.equal(check.labelMismatches, 0);
  assert.ok(check.paintedVoxels > 0);
  const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
  assert.equal(manifest.files.length, 6);
  assert.deepEqual(manifest.models, [{ id: 'lung-nodule-unet', version: '1.2.0', sha256: 'cd'.repeat(32) }]);
  assert.deepEqual(manifest.readers, ['Reader^Alice']);
  assert.equal(manifest.counts.findings, 1);
});

test('de-identified DICOM SEG export: references resolve, no PHI anywhere, key file outside only', async () => {
  const series = makeSeries({ orientation: 'axial', order: 'ascending', slices: 5, phi: true, seed: 12 });
  const parent = mkdtempSync(path.join(os.tmpdir(), 'overread-export-'));
  const out = path.join(parent, 'seg');
  const keyFile = path.join(parent, 'key.json');
  const input = exportSeries(series, [
    (hu, n) => hu > -800 && (n === 2 || n === 3),
    (hu, n) => hu < -650 && n === 4,
  ]);

  await assert.rejects(
    runExport([input], {
      format: 'dicom-seg',
      outDir: out,
      deidentify: true,
      keyFile: path.join(out, 'key.json'),
    }),
    /inside the export folder/,
  );
  assert.equal(existsSync(out), false);

  await runExport([input], { format: 'dicom-seg', outDir: out, deidentify: true, keyFile });

  const files = allFiles(out);
  const segPath = path.join(out, 'case_0001', 'seg.dcm');
  const images = files.filter((f) => f.includes(`${path.sep}images${path.sep}`));
  assert.equal(images.length, 5);
  const verify = spawnSync('dciodvfy', [segPath], { encoding: 'utf8' });
  const errors = `${verify.stdout}\n${verify.stderr}`.split('\n').filter((l) => l.includes('Error'));
  assert.deepEqual(errors, []);
  const check = JSON.parse(
    spawnSync('/usr/bin/python3', [path.join(here, '../dicom/write-seg/check-seg.py'), segPath, ...images], {
      encoding: 'utf8',
    }).stdout,
  );
  assert.equal(check.unresolved, 0);
  assert.equal(check.pixelMismatches, 0);
  assert.equal(check.patientIdentityRemoved, 'YES');
  assert.ok(check.referencedInstancesResolve && check.sameFrameOfReference && check.sameStudy);
  for (const file of files) {
    const raw = readFileSync(file);
    const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('latin1');
    for (const phi of [
      'Jane',
      'Doe',
      'MRN-0012345',
      'ACC987654',
      'Alice',
      series.study,
      series.series,
      '20240102',
    ]) {
      assert.ok(!text.includes(phi), `${path.relative(out, file)} contains "${phi}"`);
    }
  }
  const key = JSON.parse(readFileSync(keyFile, 'utf8'));
  assert.ok(JSON.stringify(key.pseudonyms).includes('MRN-0012345'));
  assert.equal(statSync(keyFile).mode & 0o077, 0, 'key file readable by its owner only');
  const csv = readFileSync(path.join(out, 'findings.csv'), 'utf8');
  assert.match(csv, /reader_01/);
  assert.equal(
    existsSync(path.join(out, 'cases.json')),
    false,
    'no case → source link inside a de-identified export',
  );
});

test('one unreadable series is skipped and named; the other cases are exported', async () => {
  const good = makeSeries({ orientation: 'axial', order: 'ascending', slices: 3, seed: 13 });
  const broken: ExportSeries = {
    ...exportSeries(good, [(hu) => hu > -600]),
    files: ['/nonexistent/slice.dcm'],
  };
  const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'overread-export-')), 'seg');
  const summary = await runExport([broken, exportSeries(good, [(hu) => hu > -600])], {
    format: 'dicom-seg',
    outDir: out,
  });
  assert.equal(summary.cases, 1);
  assert.equal(summary.skipped.length, 1);
  assert.equal(summary.skipped[0].caseId, 'case_0001');
  assert.match(summary.skipped[0].reason, /nonexistent/);
  assert.equal(existsSync(path.join(out, 'case_0001')), false);
  assert.equal(existsSync(path.join(out, 'case_0002', 'seg.dcm')), true);
  const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
  assert.equal(manifest.counts.skippedCases, 1);
  assert.equal(manifest.counts.findings, 1, 'the skipped case’s findings are not in the table');
});
