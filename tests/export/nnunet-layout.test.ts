// nnU-Net v2 and MONAI layouts checked with nibabel: file names, dataset.json keys, image/label geometry equal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monaiDatalist, nnunetDatasetJson, writeTrainingCase } from '../../src/export/nnunet-layout.ts';
import type { VolumeGeometry } from '../../src/dicom/volume.ts';

const geometry: VolumeGeometry = {
  size: [4, 3, 2],
  spacing: [0.7, 0.8, 2.5],
  origin: [-10, 20, -30],
  direction: [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ],
};

test('two cases in nnU-Net v2 layout with dataset.json and a MONAI datalist', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'overread-nnunet-'));
  const ids = ['case_0001', 'case_0002'];
  for (const caseId of ids) {
    const image = { geometry, voxels: Int16Array.from({ length: 24 }, (_, i) => i * 10 - 100) };
    const label = { geometry, voxels: Uint8Array.from({ length: 24 }, (_, i) => (i % 5 === 0 ? 1 : 0)) };
    await writeTrainingCase(dir, { caseId, image, label });
  }
  writeFileSync(path.join(dir, 'dataset.json'), nnunetDatasetJson(ids));
  writeFileSync(path.join(dir, 'datalist.json'), monaiDatalist(ids));

  const dataset = JSON.parse(readFileSync(path.join(dir, 'dataset.json'), 'utf8'));
  assert.deepEqual(dataset.channel_names, { '0': 'CT' });
  assert.deepEqual(dataset.labels, { background: 0, nodule: 1 });
  assert.equal(dataset.numTraining, 2);
  assert.equal(dataset.file_ending, '.nii.gz');
  const check = spawnSync(
    '/usr/bin/python3',
    [
      '-c',
      `
import json, os, sys
import nibabel as nib, numpy as np
d = sys.argv[1]
datalist = json.load(open(os.path.join(d, 'datalist.json')))
out = []
for item in datalist['training']:
    img = nib.load(os.path.join(d, item['image'])); lab = nib.load(os.path.join(d, item['label']))
    out.append({'image': item['image'], 'shape': list(img.shape), 'same': bool(np.allclose(img.affine, lab.affine)) and img.shape == lab.shape,
                'labels': sorted(int(v) for v in np.unique(np.asanyarray(lab.dataobj)))})
print(json.dumps({'cases': out, 'images': sorted(os.listdir(os.path.join(d, 'imagesTr'))), 'labels': sorted(os.listdir(os.path.join(d, 'labelsTr')))}))
`,
      dir,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(check.status, 0, check.stderr);
  const result = JSON.parse(check.stdout);
  assert.deepEqual(result.images, ['case_0001_0000.nii.gz', 'case_0002_0000.nii.gz']);
  assert.deepEqual(result.labels, ['case_0001.nii.gz', 'case_0002.nii.gz']);
  for (const c of result.cases) {
    assert.deepEqual(c.shape, [4, 3, 2]);
    assert.equal(c.same, true);
    assert.deepEqual(c.labels, [0, 1]);
  }
});

test('a case id nnU-Net would misread is refused', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'overread-nnunet-'));
  const volume = { geometry, voxels: new Uint8Array(24) };
  await assert.rejects(writeTrainingCase(dir, { caseId: 'a/b', image: volume, label: volume }), /case id/);
});
