// An `overread sample` study (the project's own synthetic chest CT, with truth.json) exported as nnU-Net and as
// DICOM SEG, checked against the sample's truth by nibabel and pydicom: label = truth mask voxel for voxel,
// nodule centroids through the NIfTI affine land on the truth centres, SEG frames on the right slices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { runExport } from '../../src/export/export-orchestrator.ts';
import type { ExportSeries } from '../../src/export/export-types.ts';
import { sampleStudy } from '../helpers/sample-study.ts';
import { loadSeriesVolume } from '../../src/export/load-series-volume.ts';
import { runPython } from './helpers/load-series.ts';

test('sample study → nnU-Net + DICOM SEG match the sample truth', async () => {
  const study = sampleStudy({ seed: 'export-1', size: 96, slices: 40, nodules: 2 });
  const { truth } = study;
  assert.ok(truth.nodules.length > 0, 'the sample has nodules');
  const mask = new Uint8Array(gunzipSync(readFileSync(path.join(study.dir, truth.mask.file))));
  const series: ExportSeries = {
    studyInstanceUid: truth.studyInstanceUid,
    seriesInstanceUid: truth.seriesInstanceUid,
    files: study.files,
    // The product's loader: header index (order, geometry) + decoder.
    loadVolume: () => loadSeriesVolume(study.files, truth.seriesInstanceUid),
    findings: truth.nodules.map((nodule) => ({
      row: {
        studyInstanceUid: truth.studyInstanceUid,
        seriesInstanceUid: truth.seriesInstanceUid,
        findingId: String(nodule.label),
        decision: 'confirmed',
        reader: 'Reader^Bob',
        diameterMm: nodule.diameterMm,
        centreLps: nodule.centre,
      },
      algorithmType: 'SEMIAUTOMATIC' as const,
      algorithmName: 'sample truth',
      loadMask: async () => ({
        indices: Uint32Array.from(mask.keys()).filter((i) => mask[i] === nodule.label),
      }),
    })),
  };
  const parent = mkdtempSync(path.join(os.tmpdir(), 'overread-sample-export-'));
  await runExport([series], { format: 'nnunet', outDir: path.join(parent, 'nnunet') });
  await runExport([series], { format: 'dicom-seg', outDir: path.join(parent, 'seg') });

  const check = runPython('check-sample-export.py', [
    study.dir,
    path.join(parent, 'nnunet/imagesTr/case_0001_0000.nii.gz'),
    path.join(parent, 'nnunet/labelsTr/case_0001.nii.gz'),
    path.join(parent, 'seg/case_0001/seg.dcm'),
  ]) as {
    affineErrorMm: number;
    labelMismatches: number;
    labelVoxels: number;
    centreErrorMm: number[];
    frames: number;
    expectedFrames: number;
    frameMismatches: number;
    unresolved: number;
  };
  assert.ok(check.affineErrorMm < 0.01, `affine off by ${check.affineErrorMm} mm`);
  assert.equal(check.labelMismatches, 0);
  assert.ok(check.labelVoxels > 0);
  const voxelMm = Math.max(...truth.geometry.spacing);
  for (const error of check.centreErrorMm) assert.ok(error < voxelMm, `nodule centre off by ${error} mm`);
  assert.equal(check.frames, check.expectedFrames);
  assert.equal(check.frameMismatches, 0);
  assert.equal(check.unresolved, 0);
});
