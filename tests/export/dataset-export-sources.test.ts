// Where an export reads its sources from the store: a series imported from a zip is read from its entries
// (voxels identical to the unzipped files, de-identified copies written), and a series whose files changed
// since import is skipped with a reason that says what to do, while the other series are exported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openDataset } from '../../src/dataset/open-dataset.ts';
import type { DatasetStore } from '../../src/dataset/dataset-types.ts';
import { indexDicom, seriesGeometry } from '../../src/dicom/index/index.ts';
import { planDatasetExport } from '../../src/export/dataset-export.ts';
import { runExport } from '../../src/export/export-orchestrator.ts';
import { loadSeriesVolume } from '../../src/export/load-series-volume.ts';
import { sampleStudy } from '../helpers/sample-study.ts';

async function importDone(store: DatasetStore, paths: string[]): Promise<string[]> {
  store.addReader('Reader^Alice');
  const index = await indexDicom(paths);
  assert.deepEqual(index.errors, []);
  const uids: string[] = [];
  for (const study of index.studies) {
    const geometry = new Map(study.series.map((s) => [s.seriesInstanceUid, seriesGeometry(s)] as const));
    for (const uid of store.importStudy(study, geometry)) {
      store.setStatus(uid, 'done', 'Reader^Alice');
      uids.push(uid);
    }
  }
  return uids;
}

test('a zipped series is exported from its entries, voxel for voxel as the unzipped files', async () => {
  const study = sampleStudy({ seed: 'export-zip', size: 64, slices: 12, nodules: 0 });
  const work = mkdtempSync(path.join(os.tmpdir(), 'overread-export-zip-'));
  const zip = path.join(work, 'study.zip');
  // Python's zipfile, deflated: an independent writer of the archive.
  execFileSync('/usr/bin/python3', [
    '-c',
    'import sys, zipfile, os\n' +
      'with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:\n' +
      '    for f in sys.argv[2:]: z.write(f, "scans/" + os.path.basename(f))',
    zip,
    ...study.files,
  ]);
  const store = openDataset(path.join(work, 'dataset.sqlite'));
  try {
    store.addRoot(work);
    const [uid] = await importDone(store, [zip]);
    assert.equal(uid, study.truth.seriesInstanceUid);
    const plan = planDatasetExport(store);
    assert.equal(plan.series.length, 1);
    const fromZip = await plan.series[0].loadVolume();
    const fromFiles = await loadSeriesVolume(study.files, uid);
    assert.deepEqual(fromZip.volume.geometry, fromFiles.volume.geometry);
    assert.deepEqual(fromZip.sourceImages, fromFiles.sourceImages);
    assert.ok(
      Buffer.from(fromZip.volume.voxels as Float32Array).equals(
        Buffer.from(fromFiles.volume.voxels as Float32Array),
      ),
      'the same voxels from the zip entries as from the files',
    );
    const out = path.join(work, 'seg');
    const summary = await runExport(plan.series, { format: 'dicom-seg', outDir: out, deidentify: true });
    assert.deepEqual(summary.skipped, []);
    assert.equal(readdirSync(path.join(out, 'case_0001', 'images')).length, study.files.length);
    const dump = execFileSync(
      'dcmdump',
      ['+P', '0012,0062', path.join(out, 'case_0001', 'images', '00001.dcm')],
      {
        encoding: 'utf8',
      },
    );
    assert.match(
      dump,
      /\(0012,0062\) CS \[YES\]/,
      'Patient Identity Removed on the copies read from the zip',
    );
  } finally {
    store.close();
    rmSync(work, { recursive: true, force: true });
  }
});

test('a series whose file changed since import is skipped with what to do; the others are exported', async () => {
  const changed = sampleStudy({ seed: 'export-changed-a', size: 64, slices: 10, nodules: 0 });
  const intact = sampleStudy({ seed: 'export-changed-b', size: 64, slices: 10, nodules: 0 });
  const work = mkdtempSync(path.join(os.tmpdir(), 'overread-export-changed-'));
  cpSync(changed.dir, path.join(work, 'a'), { recursive: true });
  const store = openDataset(path.join(work, 'dataset.sqlite'));
  try {
    store.addRoot(work);
    store.addRoot(intact.dir);
    await importDone(store, [path.join(work, 'a', 'dicom'), path.join(intact.dir, 'dicom')]);
    // A finding painted on slice 2 of each series, so the findings table has something to measure.
    const square = new Uint8Array(64 * 64);
    for (let j = 20; j < 26; j++) for (let i = 20; i < 26; i++) square[i + j * 64] = 1;
    const added = new Map(
      [changed, intact].map((study) => [
        study.truth.seriesInstanceUid,
        store.addFinding(study.truth.seriesInstanceUid, 'Reader^Alice', 2, square).id,
      ]),
    );
    // Someone rewrites a slice after the import: the stored masks may no longer sit on the right voxels.
    const victim = path.join(work, 'a', changed.truth.slices[3].file);
    writeFileSync(victim, Buffer.concat([readFileSync(victim), Buffer.alloc(2)]));
    const plan = planDatasetExport(store);
    assert.equal(plan.series.length, 2);
    const summary = await runExport(plan.series, { format: 'nifti', outDir: path.join(work, 'out') });
    assert.equal(summary.cases, 1);
    assert.equal(summary.skipped.length, 1);
    assert.match(
      summary.skipped[0].reason,
      /1 source file\(s\) changed since import .* re-import the folder/,
    );
    const cases = JSON.parse(readFileSync(path.join(work, 'out', 'cases.json'), 'utf8')) as {
      case_id: string;
      series_instance_uid: string;
    }[];
    const skippedCase = cases.find((c) => c.case_id === summary.skipped[0].caseId);
    assert.equal(skippedCase?.series_instance_uid, changed.truth.seriesInstanceUid);

    // The findings table keeps the changed series' row, without the figures that need its voxels, and says why.
    const steps: string[] = [];
    await runExport(planDatasetExport(store).series, {
      format: 'json',
      outDir: path.join(work, 'table'),
      onProgress: (p) => steps.push(p.step),
    });
    const table = JSON.parse(readFileSync(path.join(work, 'table', 'findings.json'), 'utf8')) as {
      findings: Record<string, string | number | null>[];
    };
    const row = (uid: string) => table.findings.find((f) => f.finding_id === String(added.get(uid)))!;
    assert.equal(row(changed.truth.seriesInstanceUid).mean_hu, null);
    assert.equal(row(changed.truth.seriesInstanceUid).long_axis_mm, null);
    assert.ok(
      steps.some((step) =>
        /density and axes not measured: 1 source file\(s\) changed since import/.test(step),
      ),
      steps.join('\n'),
    );
    // 6 × 6 pixels: the long axis is the square's diagonal.
    const spacing = intact.truth.geometry.spacing[0];
    assert.ok(
      Math.abs(Number(row(intact.truth.seriesInstanceUid).long_axis_mm) - 6 * spacing * Math.SQRT2) < 1e-6,
    );
    assert.equal(typeof row(intact.truth.seriesInstanceUid).mean_hu, 'number');
  } finally {
    store.close();
    rmSync(work, { recursive: true, force: true });
  }
});
