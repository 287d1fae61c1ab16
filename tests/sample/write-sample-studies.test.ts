// Same seed → byte-identical studies; another seed → different ones; truth.json's mask file matches its
// geometry; the files on disk are named and ordered as the acquisition says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { writeSampleStudies, type SampleTruth } from '../../src/sample/index.ts';

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
}

function withTempDir(run: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'overread-sample-test-'));
  try {
    run(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the same seed writes byte-identical studies and another seed does not', () => {
  withTempDir((root) => {
    const options = { studies: 2, size: 48, slices: 10 };
    writeSampleStudies(join(root, 'a'), { ...options, seed: 11 });
    writeSampleStudies(join(root, 'b'), { ...options, seed: 11 });
    writeSampleStudies(join(root, 'c'), { ...options, seed: 12 });
    const files = listFiles(join(root, 'a'));
    assert.ok(files.length >= 2 * 12, 'two studies of ten slices plus truth and mask each');
    assert.deepEqual(listFiles(join(root, 'b')), files);
    for (const file of files) {
      assert.ok(readFileSync(join(root, 'a', file)).equals(readFileSync(join(root, 'b', file))), file);
    }
    const truthA = readFileSync(join(root, 'a', 'study-001', 'truth.json'), 'utf8');
    const truthC = readFileSync(join(root, 'c', 'study-001', 'truth.json'), 'utf8');
    assert.notEqual(truthA, truthC);
    const study1 = readFileSync(join(root, 'a', 'study-001', 'truth.json'), 'utf8');
    const study2 = readFileSync(join(root, 'a', 'study-002', 'truth.json'), 'utf8');
    assert.notEqual(study1, study2, 'studies within one run differ');
  });
});

test('truth.json lists every slice file, and the mask has one byte per voxel', () => {
  withTempDir((root) => {
    const orders = new Set<string>();
    const namings = new Set<string>();
    const [written] = writeSampleStudies(root, { studies: 1, size: 40, slices: 9, seed: 'layout' });
    for (const [index, study] of writeSampleStudies(join(root, 'more'), {
      studies: 8,
      size: 32,
      slices: 6,
      seed: 3,
    }).entries()) {
      const truth = JSON.parse(readFileSync(study.truthPath, 'utf8')) as SampleTruth;
      orders.add(truth.acquisition.diskOrder);
      namings.add(truth.acquisition.naming);
      const onDisk = readdirSync(join(study.dir, 'dicom')).sort();
      assert.deepEqual(
        onDisk,
        truth.slices.map((slice) => slice.file.replace('dicom/', '')).sort(),
        `study ${index}`,
      );
      if (truth.acquisition.naming.startsWith('IM') && truth.acquisition.diskOrder !== 'shuffled') {
        const ascending = truth.slices.map((slice) => slice.file);
        const sorted = [...ascending].sort();
        assert.deepEqual(
          truth.acquisition.diskOrder === 'ascending' ? ascending : [...ascending].reverse(),
          sorted,
        );
      }
    }
    assert.ok(orders.size >= 2 && namings.size >= 2, 'disk order and naming vary across studies');
    const truth = JSON.parse(readFileSync(written.truthPath, 'utf8')) as SampleTruth;
    const mask = gunzipSync(readFileSync(join(written.dir, truth.mask.file)));
    const [nx, ny, nz] = truth.geometry.size;
    assert.equal(mask.length, nx * ny * nz);
    assert.equal(written.files.length, nz);
  });
});
