// `overread export` end to end from a real dataset store (reviewed-dataset.ts: one series reviewed and done —
// confirmed, rejected, corrected and added findings — and one never reviewed), every format checked by an
// independent reader: nibabel for NIfTI, dciodvfy + dcmdump + pydicom for DICOM SEG, the CSV/JSON text itself,
// and the bytes of a de-identified export for any trace of the patient or the reader.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { runPython } from './helpers/load-series.ts';
import { MODEL, READER, reviewedDataset, type ReviewedDataset } from './helpers/reviewed-dataset.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
let data: ReviewedDataset;
let work: string;
let expectedFile: string;

before(async () => {
  data = await reviewedDataset();
  data.store.close(); // the CLI opens it itself, as a user would
  work = mkdtempSync(path.join(os.tmpdir(), 'overread-dataset-export-'));
  expectedFile = path.join(work, 'expected-label.bin');
  writeFileSync(expectedFile, data.expectedLabel);
});

after(() => {
  rmSync(work, { recursive: true, force: true });
  rmSync(path.dirname(data.db), { recursive: true, force: true });
});

function overreadExport(out: string, ...args: string[]) {
  const result = spawnSync(
    process.execPath,
    ['bin/overread.js', 'export', '--db', data.db, '--out', path.join(work, out), ...args],
    { cwd: repo, encoding: 'utf8' },
  );
  return { ...result, dir: path.join(work, out) };
}

function ok(out: string, ...args: string[]) {
  const result = overreadExport(out, ...args);
  assert.equal(
    result.status,
    0,
    `overread export ${args.join(' ')} failed:\n${result.stderr}${result.stdout}`,
  );
  return result;
}

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? allFiles(full) : [full];
  });
}

/** No byte of any file (gzip opened) holds a patient's name, its parts, an id, the reader or a source UID. */
function assertNoTrace(dir: string): void {
  const needles = [data.patient, data.otherPatient].flatMap((p) => [
    p.name,
    p.id,
    ...p.name.split(/[\^ ]+/).filter((part) => part.length >= 3),
  ]);
  needles.push(
    READER,
    'Alice',
    data.reviewed.truth.studyInstanceUid,
    data.reviewed.truth.seriesInstanceUid,
    data.unreviewed.truth.seriesInstanceUid,
  );
  for (const file of allFiles(dir)) {
    const raw = readFileSync(file);
    const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('latin1');
    for (const needle of needles) {
      assert.ok(!text.includes(needle), `${path.relative(dir, file)} contains "${needle}"`);
    }
  }
}

function parseCsv(text: string): Record<string, string>[] {
  // The findings table quotes nothing this test writes (no commas or quotes in its cells).
  const [header, ...lines] = text.trimEnd().split('\r\n');
  const columns = header.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((cell, i) => [columns[i], cell])));
}

test('nnU-Net: dataset.json, and the label is the final one, aligned through the affine (nibabel)', () => {
  const result = ok('nnunet', '--format', 'nnunet');
  assert.match(result.stdout, /exported 1 series, 4 findings/);
  assert.match(result.stderr, /series 1\/1/, 'progress on stderr');
  const dataset = JSON.parse(readFileSync(path.join(result.dir, 'dataset.json'), 'utf8'));
  assert.deepEqual(Object.keys(dataset.channel_names), ['0']);
  assert.equal(dataset.labels.background, 0);
  assert.equal(Object.keys(dataset.labels).length, 2);
  assert.equal(dataset.numTraining, 1, 'only the done series; the unreviewed one is left out');
  assert.equal(dataset.file_ending, '.nii.gz');
  const check = runPython('check-dataset-export.py', [
    'nifti',
    data.reviewed.dir,
    path.join(result.dir, 'imagesTr/case_0001_0000.nii.gz'),
    path.join(result.dir, 'labelsTr/case_0001.nii.gz'),
    expectedFile,
    '1',
  ]) as { affineErrorMm: number; labelMismatches: number; labelVoxels: number; centreErrorMm: number };
  assert.ok(check.affineErrorMm < 0.01, `affine off by ${check.affineErrorMm} mm`);
  assert.equal(check.labelMismatches, 0, 'label = confirmed + corrected + added, rejected left out');
  assert.ok(check.labelVoxels > 0);
  const voxelMm = Math.max(...data.reviewed.truth.geometry.spacing);
  assert.ok(check.centreErrorMm < voxelMm, `nodule 1 lands ${check.centreErrorMm} mm off its truth centre`);
  const manifest = JSON.parse(readFileSync(path.join(result.dir, 'manifest.json'), 'utf8'));
  assert.deepEqual(manifest.models, [MODEL]);
  assert.deepEqual(manifest.readers, [READER]);
  assert.match(manifest.datasetVersion, /^audit \d+ [0-9a-f]{16}$/);
});

test('plain NIfTI: image + label + MONAI datalist, no dataset.json', () => {
  const result = ok('nifti', '--format', 'nifti');
  assert.equal(existsSync(path.join(result.dir, 'dataset.json')), false);
  const datalist = JSON.parse(readFileSync(path.join(result.dir, 'datalist.json'), 'utf8'));
  assert.equal(datalist.training.length, 1);
  const check = runPython('check-dataset-export.py', [
    'nifti',
    data.reviewed.dir,
    path.join(result.dir, 'imagesTr/case_0001_0000.nii.gz'),
    path.join(result.dir, 'labelsTr/case_0001.nii.gz'),
    expectedFile,
    '1',
  ]) as { labelMismatches: number };
  assert.equal(check.labelMismatches, 0);
});

test('DICOM SEG: dciodvfy clean, dcmdump reads the Segment Algorithm Types, frames = the final label', () => {
  const result = ok('seg', '--format', 'dicom-seg');
  const seg = path.join(result.dir, 'case_0001', 'seg.dcm');
  const verify = spawnSync('dciodvfy', [seg], { encoding: 'utf8' });
  const errors = `${verify.stdout}\n${verify.stderr}`.split('\n').filter((l) => /Error/.test(l));
  assert.deepEqual(errors, []);
  const dump = spawnSync('dcmdump', ['+P', '0062,0008', '+P', '0062,0005', seg], { encoding: 'utf8' });
  assert.equal(dump.status, 0, dump.stderr);
  const types = [...dump.stdout.matchAll(/\(0062,0008\) CS \[(\w+)\]/g)].map((m) => m[1]).sort();
  assert.deepEqual(types, ['MANUAL', 'MANUAL', 'SEMIAUTOMATIC'], 'confirmed, corrected, added');
  const labels = [...dump.stdout.matchAll(/\(0062,0005\) LO \[([^\]]*)\]/g)].map((m) => m[1]);
  assert.ok(!labels.includes(`Nodule ${data.ids.rejected}`), 'no segment for the rejected finding');
  const check = runPython('check-dataset-export.py', ['seg', data.reviewed.dir, seg, expectedFile]) as {
    segments: number;
    unresolved: number;
    mismatches: number;
  };
  assert.equal(check.segments, 3);
  assert.equal(check.unresolved, 0);
  assert.equal(check.mismatches, 0);
});

test('DICOM SEG: a TID 1500 measurement report beside it, dciodvfy and dsrdump clean, figures = the table', () => {
  const result = ok('seg-sr', '--format', 'dicom-seg');
  const sr = path.join(result.dir, 'case_0001', 'sr.dcm');
  const seg = path.join(result.dir, 'case_0001', 'seg.dcm');
  const verify = spawnSync('dciodvfy', [sr], { encoding: 'utf8' });
  const problems = `${verify.stdout}\n${verify.stderr}`.split('\n').filter((l) => /Error|Warning/.test(l));
  assert.deepEqual(problems, [], 'dciodvfy: no error or warning');
  const dump = spawnSync('dsrdump', ['+Pt', sr], { encoding: 'utf8' });
  assert.equal(dump.status, 0, dump.stderr);
  // dcmtk's SR reader checks the content tree's relationships for a Comprehensive SR: none reported.
  assert.deepEqual(
    dump.stderr.split('\n').filter((l) => /^[EW]:/.test(l) && !/VR checker/.test(l)),
    [],
  );
  assert.match(dump.stdout, /Imaging Measurement Report/);
  const check = runPython('check-dataset-export.py', ['sr', sr, seg, data.reviewed.dir]) as {
    sopClass: string;
    template: string;
    studyUid: string;
    segStudyUid: string;
    segUid: string;
    segSeries: string;
    labels: Record<string, string>;
    libraryImages: number;
    groups: {
      template: string;
      trackingId: string;
      segUid: string;
      segment: number;
      sourceSeries: string;
      finding: string;
      comment: string;
      values: Record<string, [number, string]>;
    }[];
    references: number;
    unresolved: number;
  };
  assert.equal(check.sopClass, '1.2.840.10008.5.1.4.1.1.88.33');
  assert.equal(check.template, '1500');
  assert.equal(check.studyUid, check.segStudyUid);
  assert.ok(check.references > 0);
  assert.equal(check.unresolved, 0, 'every reference resolves to a source image or the SEG');
  assert.ok(check.libraryImages > 0);
  const rows = parseCsv(readFileSync(path.join(result.dir, 'findings.csv'), 'utf8'));
  const kept = rows.filter((row) => row.decision !== 'rejected');
  assert.equal(check.groups.length, kept.length, 'one group per labelled finding');
  const close = (a: number, b: string, what: string) =>
    assert.ok(Math.abs(a - Number(b)) <= 1e-6 * Math.max(1, Math.abs(Number(b))), `${what}: ${a} vs ${b}`);
  for (const group of check.groups) {
    assert.equal(group.template, '1411');
    assert.equal(group.segUid, check.segUid);
    assert.equal(group.sourceSeries, check.segSeries);
    assert.equal(group.finding, '27925004^SCT');
    assert.equal(check.labels[String(group.segment)], group.trackingId, 'the group names its segment');
    const row = kept.find((r) => `Nodule ${r.finding_id}` === group.trackingId);
    assert.ok(row, `no table row for ${group.trackingId}`);
    assert.ok(group.comment.startsWith(row.decision), `${group.comment} vs ${row.decision}`);
    const value = (key: string, unit: string) => {
      const entry = group.values[key];
      assert.ok(entry, `${group.trackingId}: no ${key}`);
      assert.equal(entry[1], unit);
      return entry[0];
    };
    close(value('118565006^SCT', 'mm3'), row.volume_mm3, 'volume');
    close(value('81827009^SCT', 'mm'), row.diameter_mm, 'diameter');
    close(value('103339001^SCT', 'mm'), row.long_axis_mm, 'long axis');
    close(value('103340004^SCT', 'mm'), row.short_axis_mm, 'short axis');
    close(value('112031^DCM/373098007^SCT', "[hnsf'U]"), row.mean_hu, 'mean HU');
    close(value('112031^DCM/386136009^SCT', "[hnsf'U]"), row.sd_hu, 'SD HU');
  }
});

test('CSV: a row per decided finding with provenance; rejected kept with its reason, never pending', () => {
  const result = ok('csv', '--format', 'csv');
  const rows = parseCsv(readFileSync(path.join(result.dir, 'findings.csv'), 'utf8'));
  const byId = new Map(rows.map((row) => [Number(row.finding_id), row]));
  assert.equal(rows.length, 4);
  assert.equal(byId.get(data.ids.confirmed)?.decision, 'confirmed');
  assert.equal(byId.get(data.ids.rejected)?.decision, 'rejected');
  assert.equal(byId.get(data.ids.rejected)?.reason, 'vessel');
  assert.equal(byId.get(data.ids.corrected)?.decision, 'corrected');
  assert.equal(byId.get(data.ids.added)?.decision, 'added');
  const series = data.reviewed.truth.seriesInstanceUid;
  for (const row of rows) {
    assert.equal(row.series_instance_uid, series);
    assert.equal(row.study_instance_uid, data.reviewed.truth.studyInstanceUid);
    assert.equal(row.reader, READER);
    assert.ok(!Number.isNaN(Date.parse(row.decided_at)), `decided_at ${row.decided_at}`);
    assert.ok(Number(row.volume_mm3) > 0 && Number(row.diameter_mm) > 0);
    if (Number(row.finding_id) === data.ids.added) {
      assert.equal(row.model_id, '');
      assert.equal(row.score, '');
    } else {
      assert.deepEqual(
        [row.model_id, row.model_version, row.model_sha256],
        [MODEL.id, MODEL.version, MODEL.sha256],
      );
      assert.ok(Number(row.score) >= 0.5);
    }
  }
  // The corrected finding is measured as the reader left it, not as the model proposed it.
  const [si, sj, sk] = data.reviewed.truth.geometry.spacing;
  const corrected = byId.get(data.ids.corrected)!;
  const expectedVolume = data.correctedVoxels * si * sj * sk;
  assert.ok(
    Math.abs(Number(corrected.volume_mm3) - expectedVolume) < 1e-6 * expectedVolume,
    `corrected volume ${corrected.volume_mm3} mm³, expected ${expectedVolume}`,
  );
  // The confirmed finding's centre is nodule 1's (the model's centroid of the truth voxels).
  const confirmed = byId.get(data.ids.confirmed)!;
  const centre = ['centre_lps_x', 'centre_lps_y', 'centre_lps_z'].map((c) => Number(confirmed[c]));
  const truth = data.reviewed.truth.nodules[0].centre;
  assert.ok(Math.hypot(...centre.map((v, a) => v - truth[a])) < 2, `centre ${centre} vs truth ${truth}`);
});

test('CSV density and axes: each label’s HU mean, SD and solid share are what pydicom reads under it', () => {
  const result = ok('csv-density', '--format', 'csv');
  const rows = parseCsv(readFileSync(path.join(result.dir, 'findings.csv'), 'utf8'));
  const byId = new Map(rows.map((row) => [Number(row.finding_id), row]));
  const expected = runPython('label-density.py', [data.reviewed.dir, String(data.correctedSlice)]) as Record<
    string,
    { mean: number; sd: number; solid: number; box: [number, number] }
  >;
  for (const name of ['confirmed', 'corrected', 'added'] as const) {
    const row = byId.get(data.ids[name])!;
    const want = expected[name]!;
    const close = (column: string, value: number, tolerance: number) =>
      assert.ok(
        Math.abs(Number(row[column]) - value) <= tolerance,
        `${name} ${column} ${row[column]}, pydicom ${value}`,
      );
    close('mean_hu', want.mean, 1e-3);
    close('sd_hu', want.sd, 1e-3);
    close('solid_fraction', want.solid, 1e-9);
    // The long axis on the label's largest slice spans at least its bounding box's longer side and at most
    // the box's diagonal; the short axis lies within the long one.
    const long = Number(row.long_axis_mm);
    const short = Number(row.short_axis_mm);
    const [width, height] = want.box;
    assert.ok(
      long >= Math.max(width, height) - 1e-6 && long <= Math.hypot(width, height) + 1e-6,
      `${name} long axis ${long} outside [${Math.max(width, height)}, ${Math.hypot(width, height)}]`,
    );
    assert.ok(short > 0 && short <= long, `${name} axes ${long} × ${short}`);
  }
  // A NIfTI export measures from the volume it decoded anyway, and gives the same table.
  const nifti = ok('nifti-density', '--format', 'nifti');
  const niftiRows = parseCsv(readFileSync(path.join(nifti.dir, 'findings.csv'), 'utf8'));
  const columns = ['long_axis_mm', 'short_axis_mm', 'mean_hu', 'sd_hu', 'solid_fraction'];
  assert.equal(niftiRows.length, rows.length);
  for (const row of niftiRows) {
    const csvRow = byId.get(Number(row.finding_id))!;
    assert.deepEqual(
      columns.map((c) => row[c]),
      columns.map((c) => csvRow[c]),
      `finding ${row.finding_id}`,
    );
  }
  // A rejected finding is not a label: nothing is measured under it.
  const rejected = byId.get(data.ids.rejected)!;
  assert.deepEqual(
    ['long_axis_mm', 'short_axis_mm', 'mean_hu', 'sd_hu', 'solid_fraction'].map((c) => rejected[c]),
    ['', '', '', '', ''],
  );
});

test('JSON with --status all --include-proposals: the unreviewed series’ proposals come as pending', () => {
  const result = ok('json-all', '--format', 'json', '--status', 'all', '--include-proposals');
  const table = JSON.parse(readFileSync(path.join(result.dir, 'findings.json'), 'utf8'));
  const pending = table.findings.filter((f: { decision: string }) => f.decision === 'pending');
  assert.equal(table.findings.length, 5);
  assert.equal(pending.length, 1);
  assert.equal(pending[0].series_instance_uid, data.unreviewed.truth.seriesInstanceUid);
  assert.equal(pending[0].reader, null);
  const manifest = JSON.parse(readFileSync(path.join(result.dir, 'manifest.json'), 'utf8'));
  assert.deepEqual(manifest.selection, { status: 'all', reader: null, includeProposals: true });
});

test('SEG with proposals: the unreviewed finding is an AUTOMATIC segment', () => {
  const result = ok('seg-all', '--format', 'dicom-seg', '--status', 'all', '--include-proposals');
  const cases = JSON.parse(readFileSync(path.join(result.dir, 'cases.json'), 'utf8')) as {
    case_id: string;
    series_instance_uid: string;
  }[];
  const unreviewed = cases.find((c) => c.series_instance_uid === data.unreviewed.truth.seriesInstanceUid)!;
  const dump = spawnSync(
    'dcmdump',
    ['+P', '0062,0008', path.join(result.dir, unreviewed.case_id, 'seg.dcm')],
    {
      encoding: 'utf8',
    },
  );
  assert.deepEqual(
    [...dump.stdout.matchAll(/\(0062,0008\) CS \[(\w+)\]/g)].map((m) => m[1]),
    ['AUTOMATIC'],
  );
});

test('--reader: only that reader’s decisions and outlines', () => {
  const alice = ok('csv-alice', '--format', 'csv', '--reader', READER);
  const aliceRows = parseCsv(readFileSync(path.join(alice.dir, 'findings.csv'), 'utf8'));
  assert.deepEqual(aliceRows.map((r) => r.decision).sort(), ['added', 'confirmed', 'corrected', 'rejected']);
  // Bob decided nothing: the model's proposals are pending for him and Alice's added finding is not his.
  const bob = ok('csv-bob', '--format', 'csv', '--reader', 'Reader^Bob');
  assert.match(bob.stdout, /exported 1 series, 0 findings/);
  assert.deepEqual(parseCsv(readFileSync(path.join(bob.dir, 'findings.csv'), 'utf8')), []);
});

test('de-identified SEG export: no patient name/id or reader anywhere, pseudonyms consistent', () => {
  const keyFile = path.join(work, 'seg-deid.key.json');
  const result = ok('seg-deid', '--format', 'dicom-seg', '--deidentify', '--key-file', keyFile);
  assert.ok(existsSync(keyFile));
  const files = allFiles(result.dir);
  assert.ok(files.some((f) => f.endsWith('seg.dcm')));
  const report = files.find((f) => f.endsWith('sr.dcm'));
  assert.ok(report, 'the measurement report is exported too');
  assertNoTrace(result.dir);
  // Its content survives de-identification (Clean Structured Content), valid and with its measurements.
  const verify = spawnSync('dciodvfy', [report], { encoding: 'utf8' });
  assert.deepEqual(
    `${verify.stdout}\n${verify.stderr}`.split('\n').filter((l) => /Error/.test(l)),
    [],
  );
  const dump = spawnSync('dsrdump', [report], { encoding: 'utf8' });
  assert.equal(dump.status, 0, dump.stderr);
  assert.match(dump.stdout, /Measurement Group[\s\S]*"Volume"/);
  const check = runPython('check-dataset-export.py', ['deid', result.dir]) as {
    patientIds: string[];
    studies: string[];
    framesOfReference: string[];
    references: number;
    unresolved: number;
  };
  assert.equal(check.patientIds.length, 1, `one pseudonym across SEG and images: ${check.patientIds}`);
  assert.notEqual(check.patientIds[0], data.patient.id);
  assert.equal(check.studies.length, 1);
  assert.equal(check.framesOfReference.length, 1);
  assert.ok(check.references > 0);
  assert.equal(check.unresolved, 0, 'every SEG and SR reference resolves to an exported object');
  const rows = parseCsv(readFileSync(path.join(result.dir, 'findings.csv'), 'utf8'));
  assert.ok(
    rows.every((row) => row.study_instance_uid === check.studies[0]),
    'table uses the same UIDs',
  );
  assert.ok(rows.every((row) => row.reader && row.reader !== READER));
  const rejected = rows.find((row) => row.decision === 'rejected');
  assert.equal(rejected?.reason, 'vessel', 'the fixed rejection vocabulary names nobody and stays');
  assert.ok(
    rows.every((row) => row.decided_at === ''),
    'decision dates could date the exam',
  );
  const key = readFileSync(keyFile, 'utf8');
  assert.ok(key.includes(data.patient.id), 'the key file (kept apart) re-identifies');
});

test('de-identified nnU-Net and JSON exports of both series carry no trace either', () => {
  const nnunet = ok('nnunet-deid', '--format', 'nnunet', '--deidentify', '--status', 'all');
  assert.equal(existsSync(path.join(nnunet.dir, 'cases.json')), false, 'no case → source link');
  assertNoTrace(nnunet.dir);
  const json = ok('json-deid', '--format', 'json', '--deidentify', '--status', 'all', '--include-proposals');
  assertNoTrace(json.dir);
  const table = JSON.parse(readFileSync(path.join(json.dir, 'findings.json'), 'utf8'));
  assert.equal(table.findings.length, 5);
  assert.equal(
    new Set(table.findings.map((f: { series_instance_uid: string }) => f.series_instance_uid)).size,
    2,
  );
});

test('nothing to export and bad options fail with a message, writing nothing', () => {
  const none = overreadExport('none', '--format', 'csv', '--status', 'outside-scope');
  assert.equal(none.status, 1);
  assert.match(none.stderr, /no series with status "outside-scope"/);
  assert.equal(existsSync(none.dir), false);
  const format = overreadExport('bad', '--format', 'png');
  assert.equal(format.status, 1);
  assert.match(format.stderr, /--format png is not one of nnunet, nifti, dicom-seg, csv, json/);
  const missing = spawnSync(
    process.execPath,
    [
      'bin/overread.js',
      'export',
      '--db',
      path.join(work, 'nope.sqlite'),
      '--format',
      'csv',
      '--out',
      path.join(work, 'x'),
    ],
    { cwd: repo, encoding: 'utf8' },
  );
  assert.equal(missing.status, 1);
  assert.match(missing.stderr, /no dataset at/);
});
