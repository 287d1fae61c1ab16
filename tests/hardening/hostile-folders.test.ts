// Folders that fight the walk: symbolic link loops of every shape (a link to its own folder's parent, two links
// naming each other, a link naming itself, two folders linking to each other) are survived — each file indexed
// once, a dangling loop one error — and unreadable folders and files (chmod 000) are errors while the rest
// indexes. Tests usually run as root here, where chmod does not stop reads: then the index runs in a child
// process without the capabilities that let root ignore file modes (setpriv drops CAP_DAC_OVERRIDE and
// CAP_DAC_READ_SEARCH), so the permission check is real, not skipped — and the child still reads the checkout
// wherever it lies (a uid like "nobody" cannot when the clone sits in a 0700 temp folder). Named pipes and links
// to devices are never opened.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { indexDicom, type DicomIndex } from '../../src/dicom/index/index.ts';
import { sampleStudy } from '../helpers/sample-study.ts';

const study = sampleStudy({ seed: 'hostile-folders', size: 32, slices: 4, nodules: 0 });
const instancesOf = (index: DicomIndex) => index.studies.flatMap((s) => s.series.flatMap((x) => x.instances));

function folderWithSlices(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'overread-folders-'));
  mkdirSync(path.join(root, 'a'));
  mkdirSync(path.join(root, 'b'));
  study.files.forEach((file, i) => copyFileSync(file, path.join(root, i < 2 ? 'a' : 'b', `slice${i}.dcm`)));
  return root;
}

test('symbolic link loops of every shape are survived; each file indexed once', async () => {
  const root = folderWithSlices();
  symlinkSync('..', path.join(root, 'a', 'up')); // back to the root
  symlinkSync(path.join(root, 'b'), path.join(root, 'a', 'to-b')); // a → b
  symlinkSync(path.join(root, 'a'), path.join(root, 'b', 'to-a')); // b → a: folders linking to each other
  symlinkSync('x', path.join(root, 'y')); // y → x → y: a dangling loop
  symlinkSync('y', path.join(root, 'x'));
  symlinkSync('self', path.join(root, 'self')); // a link naming itself
  symlinkSync(path.join(root, 'a', 'slice0.dcm'), path.join(root, 'same-file.dcm')); // a file reached twice

  const started = performance.now();
  const index = await indexDicom([root]);
  assert.ok(performance.now() - started < 10_000, 'the walk ends');
  assert.equal(instancesOf(index).length, study.files.length);
  const loops = index.errors.map((e) => [path.basename(e.path), e.reason]).sort();
  assert.deepEqual(loops, [
    ['self', 'symbolic link loop'],
    ['x', 'symbolic link loop'],
    ['y', 'symbolic link loop'],
  ]);
});

const runningAsRoot = process.getuid?.() === 0;
const childScript = `
const { indexDicom } = await import(process.argv[1]);
const index = await indexDicom([process.argv[2]]);
const instances = index.studies.flatMap((s) => s.series.flatMap((x) => x.instances)).length;
console.log(JSON.stringify({ errors: index.errors, instances }));`;

/** Indexes `folder` as someone chmod applies to: this process, or a child without root's file-mode bypass. */
async function indexAsUnprivileged(
  folder: string,
): Promise<{ errors: DicomIndex['errors']; instances: number }> {
  if (!runningAsRoot) {
    const index = await indexDicom([folder]);
    return { errors: index.errors, instances: instancesOf(index).length };
  }
  const entry = fileURLToPath(new URL('../../src/dicom/index/index.ts', import.meta.url));
  const noBypass = '-dac_override,-dac_read_search';
  const result = spawnSync(
    'setpriv',
    [
      `--inh-caps=${noBypass}`,
      `--bounding-set=${noBypass}`,
      process.execPath,
      ...['--import', 'tsx', '--input-type=module', '-e', childScript, entry, folder],
    ],
    { encoding: 'utf8', cwd: fileURLToPath(new URL('../..', import.meta.url)) },
  );
  assert.equal(result.status, 0, `index without root's file-mode bypass failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as {
    errors: DicomIndex['errors'];
    instances: number;
  };
}

test('an unreadable folder and an unreadable file are errors; the rest indexes', async () => {
  const root = folderWithSlices();
  // Readable by anyone but the locked parts (mkdtemp makes 0700 folders).
  chmodSync(root, 0o755);
  for (const sub of ['a', 'b']) chmodSync(path.join(root, sub), 0o755);
  mkdirSync(path.join(root, 'locked'));
  copyFileSync(study.files[0], path.join(root, 'locked', 'hidden.dcm'));
  chmodSync(path.join(root, 'locked'), 0o000);
  chmodSync(path.join(root, 'b', 'slice3.dcm'), 0o000);
  writeFileSync(path.join(root, 'notes.txt'), 'not DICOM');
  try {
    const { errors, instances } = await indexAsUnprivileged(root);
    assert.deepEqual(errors.map((e) => [path.relative(root, e.path), e.reason]).sort(), [
      ['b/slice3.dcm', 'cannot be read (permission denied) — check its permissions'],
      ['locked', 'folder cannot be read (permission denied) — check its permissions'],
    ]);
    assert.equal(instances, study.files.length - 1);
  } finally {
    chmodSync(path.join(root, 'locked'), 0o755);
  }
});

test('a named pipe, a link to it and a link to /dev/zero are never read (a read would block or never end)', async () => {
  const root = folderWithSlices();
  const pipe = path.join(root, 'pipe.dcm');
  execFileSync('mkfifo', [pipe]);
  symlinkSync(pipe, path.join(root, 'a', 'link-to-pipe.dcm'));
  symlinkSync('/dev/zero', path.join(root, 'zero.dcm'));

  const started = performance.now();
  const index = await indexDicom([root, pipe]); // the pipe also given by name
  assert.ok(performance.now() - started < 10_000);
  // /dev/zero lies outside the imported folder, so its link is not even followed (named, not read).
  assert.deepEqual(
    index.errors.map((e) => [path.basename(e.path), e.reason.split(',')[0]]),
    [['zero.dcm', 'symbolic link to /dev/zero']],
  );
  assert.equal(instancesOf(index).length, study.files.length);
});

test('links that leave the imported folder (to /, to a sibling folder) are named and not followed', async () => {
  const outside = folderWithSlices(); // DICOM files the user did not choose
  const root = folderWithSlices();
  symlinkSync('/', path.join(root, 'a', 'whole-disk'));
  symlinkSync(path.join(outside, 'b'), path.join(root, 'elsewhere'));
  symlinkSync(path.join(outside, 'a', 'slice0.dcm'), path.join(root, 'b', 'stray.dcm'));
  symlinkSync(path.join(root, 'b'), path.join(root, 'a', 'inside')); // inside the folder: followed (once)
  mkdirSync(path.join(root, '..dots')); // a name starting with two dots is still inside
  copyFileSync(study.files[0]!, path.join(root, '..dots', 'copy.dcm'));
  symlinkSync(path.join(root, '..dots', 'copy.dcm'), path.join(root, 'dots-link.dcm'));

  const started = performance.now();
  const index = await indexDicom([root]);
  assert.ok(performance.now() - started < 10_000, 'the walk did not cover the disk');
  // The slices plus the copy in ..dots (its link resolves to the same file: listed once).
  assert.equal(instancesOf(index).length, study.files.length + 1, 'only the files under the imported folder');
  assert.ok(instancesOf(index).every((i) => i.path.startsWith(root)));
  const refused = index.errors.map((e) => path.basename(e.path)).sort();
  assert.deepEqual(refused, ['elsewhere', 'stray.dcm', 'whole-disk']);
  for (const error of index.errors)
    assert.match(error.reason, /outside the folder being imported — not followed/);

  // The user can still import the outside folder by naming it.
  const direct = await indexDicom([path.join(root, 'elsewhere')]);
  assert.deepEqual(direct.errors, []);
  assert.equal(instancesOf(direct).length, 2);
});
