// DICOMDIR media written by dcmmkdir, a DICOMDIR edited to climb out with "..", and zip files (written by zip
// and Python's zipfile): a series read from its entries, "../" names kept as mere names, absurd declared
// sizes refused before anything is allocated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { indexDicom } from '../../../src/dicom/index/index.ts';
import { indexFixtures } from './index-fixtures.ts';

const root = indexFixtures();

test('a DICOMDIR from dcmmkdir indexes the files its records reference, in geometric order', async () => {
  const index = await indexDicom([path.join(root, 'media', 'DICOMDIR')]);
  assert.deepEqual(index.errors, []);
  const series = index.studies[0].series;
  assert.equal(series.length, 1);
  assert.deepEqual(
    series[0].frames.map((f) => [path.basename(f.path), f.positionMm]),
    [
      ['IM000002', 0],
      ['IM000001', 5],
      ['IM000003', 10],
    ],
  );
  // Walking the media folder finds the same three files once each (through the DICOMDIR, then deduplicated).
  const walked = await indexDicom([path.join(root, 'media')]);
  assert.equal(walked.studies[0].series[0].instances.length, 3);
  assert.deepEqual(walked.studies[0].series[0].warnings, []);
});

test('a DICOMDIR record whose Referenced File ID climbs out with ".." is refused with an error', async () => {
  const index = await indexDicom([path.join(root, 'evil-media', 'DICOMDIR')]);
  assert.equal(index.errors.length, 1);
  assert.equal(index.errors[0].path, path.join(root, 'evil-media', 'DICOMDIR'));
  assert.match(index.errors[0].reason, /"\.\.\\media\\DATA\\IM000001" points outside the media — refused/);
  // The other two records still index, and nothing from ../media was read.
  const series = index.studies[0].series[0];
  assert.equal(series.instances.length, 2);
  assert.ok(series.instances.every((i) => i.path.startsWith(path.join(root, 'evil-media'))));
});

test('a zip holding a series indexes its entries; "../" entry names are only names', async () => {
  const zip = path.join(root, 'zipped', 'series.zip');
  const index = await indexDicom([path.join(root, 'zipped')]);
  assert.deepEqual(index.errors, []);
  assert.equal(index.skipped, 1); // readme.txt
  const series = index.studies[0].series[0];
  assert.deepEqual(series.instances.map((i) => i.zipEntry).sort(), [
    '../../escape/e.dcm',
    'a.dcm',
    'b.dcm',
    'c.dcm',
    'd.dcm',
  ]);
  assert.ok(series.frames.every((f) => f.path === zip));
  assert.deepEqual(
    series.frames.map((f) => f.positionMm),
    [0, 1, 2, 3, 3],
  );
  assert.ok(series.warnings.some((w) => /duplicate/.test(w))); // e.dcm is a copy of d.dcm
  assert.equal(existsSync(path.join(root, '..', 'escape')), false);
  assert.equal(existsSync(path.join(root, 'escape')), false);
});

test('a zip entry that declares an absurd size is refused; the other entries still index', async () => {
  const bytes = Buffer.from(readFileSync(path.join(root, 'zipped', 'series.zip')));
  // Central directory header of the first entry: uncompressed size at offset 24.
  const central = bytes.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  const name = bytes.toString('latin1', central + 46, central + 46 + bytes.readUInt16LE(central + 28));
  bytes.writeUInt32LE(0xfffffff0, central + 24);
  const folder = mkdtempSync(path.join(os.tmpdir(), 'overread-zip-'));
  const zip = path.join(folder, 'bomb.zip');
  writeFileSync(zip, bytes);
  const index = await indexDicom([zip]);
  assert.equal(index.errors.length, 1);
  assert.equal(index.errors[0].path, `${zip}!${name}`);
  assert.match(index.errors[0].reason, /declared size 4294967280 bytes is absurd/);
  assert.equal(index.studies[0].series[0].instances.length, 4);
});

test('a file named .zip that is not a zip is one error', async () => {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'overread-zip-'));
  writeFileSync(path.join(folder, 'fake.zip'), 'not a zip at all');
  const index = await indexDicom([folder]);
  assert.equal(index.errors.length, 1);
  assert.match(index.errors[0].reason, /not a readable zip file/);
});

test('a zipped CD (DICOMDIR + files) indexes the files; the DICOMDIR entry is skipped, not an error', async () => {
  const index = await indexDicom([path.join(root, 'zipped-media', 'media.zip')]);
  assert.deepEqual(index.errors, []);
  assert.equal(index.skipped, 1);
  assert.deepEqual(
    index.studies[0].series[0].frames.map((f) => [f.zipEntry, f.positionMm]),
    [
      ['DATA/IM000002', 0],
      ['DATA/IM000001', 5],
      ['DATA/IM000003', 10],
    ],
  );
});

test('a DICOMDIR record naming a symbolic link that leads outside the media is refused', async () => {
  const media = mkdtempSync(path.join(os.tmpdir(), 'overread-media-'));
  cpSync(path.join(root, 'media'), media, { recursive: true });
  const outside = path.join(mkdtempSync(path.join(os.tmpdir(), 'overread-outside-')), 'secret.dcm');
  renameSync(path.join(media, 'DATA', 'IM000001'), outside);
  symlinkSync(outside, path.join(media, 'DATA', 'IM000001'));
  const index = await indexDicom([path.join(media, 'DICOMDIR')]);
  assert.equal(index.errors.length, 1);
  assert.match(index.errors[0].reason, /"DATA\\IM000001" is a link leading outside the media — refused/);
  assert.equal(index.studies[0].series[0].instances.length, 2);
});
