// Zip-slip: Python's zipfile writes a series whose entries are named "../../x.dcm", "/abs/…", "C:\…",
// "..\..\…" and "a/../../../…", plus a symbolic-link entry naming a secret DICOM file outside the zip. The index
// treats every name as a name (the slices index with their names as written, the link entry is just bytes),
// and an export of that series — SEG with de-identified image copies, read back out of the zip — writes only
// inside its output folder under names of its own. Nothing appears at any path an entry name points to. A zip
// bomb beside a real slice is skipped after inflating only its first kilobytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { indexDicom } from '../../src/dicom/index/index.ts';
import { runExport } from '../../src/export/export-orchestrator.ts';
import type { ExportSeries } from '../../src/export/export-types.ts';
import { loadIndexedSeries } from '../../src/export/load-series-volume.ts';
import { createInstanceReader, instanceName } from '../../src/export/read-instance.ts';
import { sampleStudy } from '../helpers/sample-study.ts';

const study = sampleStudy({ seed: 'zip-slip', size: 32, slices: 5, nodules: 1 });

function filesBelow(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    return entry.isDirectory() ? filesBelow(full) : [full];
  });
}

test('zip entry names cannot write or read outside their folder, in the index or an export', async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'overread-zip-slip-'));
  const deep = path.join(root, 'one', 'two');
  mkdirSync(deep, { recursive: true });
  const zip = path.join(deep, 'evil.zip');
  const secret = path.join(root, 'secret.dcm');
  copyFileSync(study.files[0], secret);
  const absolute = path.join(root, 'abs', 'evil.dcm');
  const names = ['../../x.dcm', absolute, 'C:\\evil\\c.dcm', '..\\..\\b.dcm', 'a/../../../a.dcm'];
  execFileSync('/usr/bin/python3', [
    '-c',
    [
      'import sys, json, zipfile',
      'names, files, secret = json.loads(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]',
      "with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:",
      '    for name, file in zip(names, files):',
      '        info = zipfile.ZipInfo(name)',
      '        info.filename = name  # exactly as given: no sanitising',
      '        info.compress_type = zipfile.ZIP_DEFLATED',
      "        z.writestr(info, open(file, 'rb').read())",
      "    link = zipfile.ZipInfo('link-to-secret.dcm')",
      '    link.external_attr = (0o120777 << 16)  # a symbolic link, as Info-ZIP stores one',
      '    link.create_system = 3',
      '    z.writestr(link, secret)',
    ].join('\n'),
    zip,
    JSON.stringify(names),
    JSON.stringify(study.files),
    secret,
  ]);
  const listed = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).trim().split('\n');
  assert.deepEqual(listed, [...names, 'link-to-secret.dcm'], 'the zip holds the hostile names as written');
  // Where each name would land if something extracted it next to the zip or in the working directory.
  const targets = names.flatMap((name) => {
    const slashed = name.replace(/\\/g, '/');
    return [path.resolve(deep, slashed), path.resolve(process.cwd(), slashed), path.resolve(slashed)];
  });

  const index = await indexDicom([zip]);
  assert.deepEqual(index.errors, []);
  assert.equal(index.skipped, 1, 'the link entry is bytes that are not DICOM');
  const series = index.studies[0].series[0];
  assert.deepEqual(series.instances.map((i) => i.zipEntry).sort(), [...names].sort());
  assert.ok(series.instances.every((i) => i.path === zip));

  const { truth } = study;
  const read = createInstanceReader();
  const exportSeries: ExportSeries = {
    studyInstanceUid: truth.studyInstanceUid,
    seriesInstanceUid: truth.seriesInstanceUid,
    files: series.instances.map((instance) => ({ name: instanceName(instance), read: () => read(instance) })),
    loadVolume: () => loadIndexedSeries(series, { read }),
    // One small manual finding in the first slice: enough for a SEG to be written.
    findings: [
      {
        row: {
          studyInstanceUid: truth.studyInstanceUid,
          seriesInstanceUid: truth.seriesInstanceUid,
          findingId: '1',
          decision: 'confirmed',
        },
        algorithmType: 'MANUAL' as const,
        loadMask: async () => ({ indices: Uint32Array.from([0, 1, 2, 32, 33, 34]) }),
      },
    ],
  };
  const outDir = path.join(deep, 'export');
  const summary = await runExport([exportSeries], { format: 'dicom-seg', outDir, deidentify: true });
  assert.deepEqual(summary.skipped, []);

  const written = filesBelow(outDir).map((f) => path.relative(outDir, f));
  assert.ok(written.every((f) => !f.startsWith('..') && !path.isAbsolute(f)));
  // Its own names only: the SEG and one numbered copy per entry.
  const copies = written.filter((f) => /^case_0001\/images\/\d{5}\.dcm$/.test(f));
  assert.equal(copies.length, names.length, written.join('\n'));
  assert.ok(written.includes(path.join('case_0001', 'seg.dcm')));
  for (const target of targets) assert.equal(existsSync(target), false, `${target} was written`);
  assert.deepEqual(readdirSync(root).sort(), ['one', 'secret.dcm'], 'nothing new beside the zip’s folders');
  assert.deepEqual(readdirSync(deep).sort(), ['evil.zip', 'export']);
});

test('a zip bomb (Python zipfile: 256 MiB of zeros in 256 KB) is skipped without inflating it', async () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'overread-zip-bomb-'));
  const zip = path.join(root, 'bomb.zip');
  execFileSync('/usr/bin/python3', [
    '-c',
    [
      'import sys, zipfile',
      "with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED, compresslevel=9) as z:",
      "    with z.open('zeros.dcm', 'w') as f:",
      '        for _ in range(16): f.write(bytes(16 << 20))',
      "    z.write(sys.argv[2], 'slice.dcm')",
    ].join('\n'),
    zip,
    study.files[0],
  ]);
  assert.ok(statSync(zip).size < 2 * 2 ** 20, 'the bomb is small');

  let growth: number | undefined;
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    growth = -peakRss();
  } catch {
    growth = undefined; // no /proc here: the outcome is still checked
  }
  const index = await indexDicom([zip]);
  if (growth !== undefined) growth += peakRss();

  assert.deepEqual(index.errors, []);
  assert.equal(index.skipped, 1, 'the zeros are not DICOM');
  assert.equal(index.studies[0].series[0].instances[0].zipEntry, 'slice.dcm');
  if (growth !== undefined) assert.ok(growth < 64 * 2 ** 20, `peak RSS grew by ${growth >> 20} MB`);
});

function peakRss(): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;
}
