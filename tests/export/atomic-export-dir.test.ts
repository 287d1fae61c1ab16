// An export folder appears complete or not at all: success renames the work folder; failure removes it;
// a killed process leaves only a ".partial-" folder without a manifest; an existing folder is never merged into.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { writeExportAtomically } from '../../src/export/atomic-export-dir.ts';
import { MANIFEST_NAME, writeManifest } from '../../src/export/manifest.ts';

const info = { format: 'csv', deidentified: false, counts: { findings: 1 }, models: [], readers: ['r'] };

test('success: folder appears with manifest whose sha256 match sha256sum', async () => {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'overread-atomic-'));
  const out = path.join(parent, 'export');
  await writeExportAtomically(out, async (work) => {
    mkdirSync(path.join(work, 'sub'));
    await writeFile(path.join(work, 'sub', 'a.txt'), 'hello');
    await writeFile(path.join(work, 'b.csv'), 'x,y\n');
    await writeManifest(work, info);
  });
  assert.deepEqual(readdirSync(parent), ['export']);
  const manifest = JSON.parse(readFileSync(path.join(out, MANIFEST_NAME), 'utf8')) as {
    files: { path: string; sha256: string; bytes: number }[];
    schemaVersion: number;
  };
  assert.equal(manifest.schemaVersion, 1);
  assert.deepEqual(
    manifest.files.map((f) => f.path),
    ['b.csv', 'sub/a.txt'],
  );
  for (const file of manifest.files) {
    const sum = spawnSync('sha256sum', [path.join(out, file.path)], { encoding: 'utf8' }).stdout.split(
      ' ',
    )[0];
    assert.equal(file.sha256, sum);
  }
});

test('failure: nothing is left behind and the error is passed on', async () => {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'overread-atomic-'));
  await assert.rejects(
    writeExportAtomically(path.join(parent, 'export'), async (work) => {
      await writeFile(path.join(work, 'half.nii.gz'), 'x');
      throw new Error('disk full');
    }),
    /disk full/,
  );
  assert.deepEqual(readdirSync(parent), []);
});

test('an existing non-empty folder is refused, not merged into', async () => {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'overread-atomic-'));
  const out = path.join(parent, 'export');
  mkdirSync(out);
  writeFileSync(path.join(out, 'keep.txt'), 'mine');
  await assert.rejects(
    writeExportAtomically(out, async () => undefined),
    /already exists and is not empty/,
  );
  assert.equal(readFileSync(path.join(out, 'keep.txt'), 'utf8'), 'mine');
});

test('a process killed mid-export leaves no folder that looks complete', async () => {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'overread-atomic-'));
  const out = path.join(parent, 'export');
  const module = new URL('../../src/export/atomic-export-dir.ts', import.meta.url).pathname;
  const script = `
    import { writeFile } from 'node:fs/promises';
    import { writeExportAtomically } from ${JSON.stringify(module)};
    await writeExportAtomically(${JSON.stringify(out)}, async (work) => {
      await writeFile(work + '/imagesTr.nii.gz', 'partial');
      console.log('written');
      await new Promise(() => setInterval(() => {}, 1000));
    });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
  await new Promise<void>((resolve) => child.stdout.on('data', () => resolve()));
  child.kill('SIGKILL');
  await new Promise((resolve) => child.on('exit', resolve));
  assert.equal(existsSync(out), false);
  const left = readdirSync(parent);
  assert.equal(left.length, 1);
  assert.match(left[0], /^export\.partial-[0-9a-f]+$/);
  assert.equal(existsSync(path.join(parent, left[0], MANIFEST_NAME)), false);
});
