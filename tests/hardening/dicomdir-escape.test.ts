// DICOMDIR records that try to climb out of the media (the shape of pydicom CVE-2026-32711 and dcmtk
// CVE-2022-2119): a dcmmkdir-written DICOMDIR whose Referenced File IDs pydicom rewrites to "..\..\secret",
// to an absolute path, to a drive letter, to ".." after a real folder, and through a folder that is a symbolic
// link leading out. A real DICOM file waits at each target; it must never be indexed. (The plain "..\media"
// record and a file symlink are covered in tests/dicom/index/index-media.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { indexDicom } from '../../src/dicom/index/index.ts';
import { indexFixtures } from '../dicom/index/index-fixtures.ts';

const fixtures = indexFixtures();

/** A copy of the dcmmkdir media under `root/cd`, with a secret DICOM file at `root/secret/SECRET.dcm`. */
function mediaWithSecret(): { root: string; media: string; secret: string } {
  const root = mkdtempSync(path.join(os.tmpdir(), 'overread-dicomdir-escape-'));
  const media = path.join(root, 'cd', 'media');
  cpSync(path.join(fixtures, 'media'), media, { recursive: true });
  mkdirSync(path.join(root, 'secret'));
  const secret = path.join(root, 'secret', 'SECRET.dcm');
  // A different instance: the good files' own copy would be deduplicated and hide a leak.
  execFileSync('/usr/bin/python3', [
    '-c',
    [
      'import sys, pydicom',
      'from pydicom.uid import generate_uid',
      'ds = pydicom.dcmread(sys.argv[1])',
      "ds.PatientID = 'SECRET-PATIENT'",
      'ds.SOPInstanceUID = generate_uid()',
      'ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID',
      'ds.SeriesInstanceUID = generate_uid()',
      'ds.save_as(sys.argv[2])',
    ].join('\n'),
    path.join(media, 'DATA', 'IM000001'),
    secret,
  ]);
  return { root, media, secret };
}

/** Rewrites the Referenced File ID of the first image record with pydicom (backslash-separated components). */
function rewriteFirstRecord(dicomdir: string, id: string): void {
  execFileSync('/usr/bin/python3', [
    '-c',
    [
      'import sys, pydicom',
      'dd = pydicom.dcmread(sys.argv[1])',
      'record = next(r for r in dd.DirectoryRecordSequence if "ReferencedFileID" in r)',
      "record.ReferencedFileID = sys.argv[2].split('\\\\')",
      'dd.save_as(sys.argv[1], write_like_original=True)',
    ].join('\n'),
    dicomdir,
    id,
  ]);
}

const shapes: Record<string, (secret: string) => string> = {
  'climbs out with ..\\..': () => '..\\..\\secret\\SECRET.dcm',
  'climbs out after a real folder': () => 'DATA\\..\\..\\..\\secret\\SECRET.dcm',
  'is an absolute path': (secret) => secret,
  'starts at the root with a backslash': (secret) =>
    `\\${path.relative('/', secret).split(path.sep).join('\\')}`,
  'names a drive': () => 'C:\\secret\\SECRET.dcm',
};

for (const [shape, idOf] of Object.entries(shapes)) {
  test(`a Referenced File ID that ${shape} is refused and the file there is never read`, async () => {
    const { media, secret } = mediaWithSecret();
    const dicomdir = path.join(media, 'DICOMDIR');
    rewriteFirstRecord(dicomdir, idOf(secret));

    // Given as the DICOMDIR itself, and as the folder holding it.
    for (const input of [dicomdir, media]) {
      const index = await indexDicom([input]);
      const refusals = index.errors.filter((e) => /points outside the media — refused/.test(e.reason));
      assert.equal(refusals.length, 1, `${input}: ${JSON.stringify(index.errors)}`);
      assert.equal(refusals[0].path, dicomdir);
      const instances = index.studies.flatMap((s) => s.series.flatMap((series) => series.instances));
      // Through the DICOMDIR the two honest records index; walking the folder also finds the file the
      // rewritten record used to name.
      assert.equal(instances.length, input === dicomdir ? 2 : 3);
      assert.ok(instances.every((i) => i.path.startsWith(media + path.sep)));
      assert.ok(instances.every((i) => i.patientId !== 'SECRET-PATIENT'));
    }
  });
}

test('a record through a folder that is a symbolic link leading out of the media is refused', async () => {
  const { root, media } = mediaWithSecret();
  // DATA2 → ../../secret: every component is a plain name, only the link leads out.
  symlinkSync(path.join(root, 'secret'), path.join(media, 'DATA2'));
  const dicomdir = path.join(media, 'DICOMDIR');
  rewriteFirstRecord(dicomdir, 'DATA2\\SECRET.dcm');

  const index = await indexDicom([dicomdir]);
  assert.deepEqual(
    index.errors.map((e) => [e.path, e.reason]),
    [[dicomdir, 'Referenced File ID "DATA2\\SECRET.dcm" is a link leading outside the media — refused']],
  );
  const instances = index.studies.flatMap((s) => s.series.flatMap((series) => series.instances));
  assert.ok(instances.every((i) => i.patientId !== 'SECRET-PATIENT'));
  assert.equal(instances.length, 2);
});
