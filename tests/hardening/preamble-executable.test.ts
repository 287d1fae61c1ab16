// CVE-2019-11687: the 128-byte preamble of a DICOM file may hold an executable header, making one file both a
// valid image and a program. Sample-study slices get preambles that are a shell script (which would create a
// marker file if anything ran it, with the files made executable), a PE ("MZ…") and an ELF header. Index,
// decode (in the pool), the volume loader and the NIfTI and DICOM SEG exports (with de-identified image
// copies) must read the images as images, never run them, and write no output carrying the preamble: every
// DICOM written starts with 128 zero bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { gunzipSync } from 'node:zlib';
import os from 'node:os';
import path from 'node:path';
import { DecodePool } from '../../src/dicom/decode/decode-pool.ts';
import { indexDicom } from '../../src/dicom/index/index.ts';
import { runExport } from '../../src/export/export-orchestrator.ts';
import type { ExportSeries } from '../../src/export/export-types.ts';
import { loadSeriesVolume } from '../../src/export/load-series-volume.ts';
import { sampleStudy } from '../helpers/sample-study.ts';

const TAG = 'OVERREAD-PREAMBLE-PAYLOAD';

function preamble(kind: 'shell' | 'pe' | 'elf', marker: string): Uint8Array {
  const out = new Uint8Array(128);
  const text = (at: number, s: string) => out.set(Buffer.from(s, 'latin1'), at);
  if (kind === 'shell') {
    const script = `#!/bin/sh\ntouch ${marker}\nexit 0\n#${TAG}`;
    assert.ok(script.length <= 128, 'the marker path fits the preamble');
    text(0, script);
  } else if (kind === 'pe') {
    text(0, 'MZ');
    new DataView(out.buffer).setUint32(0x3c, 0x40, true); // e_lfanew → "PE\0\0" at 0x40
    text(0x40, 'PE\0\0');
    text(0x48, `This program cannot be run in DOS mode ${TAG}`.slice(0, 0x80 - 0x48));
  } else {
    text(0, '\x7fELF\x02\x01\x01');
    text(16, '\x02\x00\x3e\x00'); // ET_EXEC, x86-64
    text(64, TAG);
  }
  return out;
}

function filesBelow(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(folder, entry.name);
    return entry.isDirectory() ? filesBelow(full) : [full];
  });
}

test('images with an executable preamble are read, never run, and never exported with it', async () => {
  const study = sampleStudy({ seed: 'preamble', size: 64, slices: 12, nodules: 1 });
  const work = mkdtempSync(path.join(os.tmpdir(), 'overread-preamble-'));
  // Short, so the shell script fits in 128 bytes.
  const marker = path.join(mkdtempSync('/tmp/pr-'), 'ran');
  const kinds = ['shell', 'pe', 'elf'] as const;
  const payloads: Uint8Array[] = [];
  const files = study.files.map((source, i) => {
    const file = path.join(work, `slice-${String(i).padStart(3, '0')}.dcm`);
    copyFileSync(source, file);
    const bytes = readFileSync(file);
    assert.equal(bytes.toString('latin1', 128, 132), 'DICM');
    const payload = preamble(kinds[i % kinds.length], marker);
    bytes.set(payload, 0);
    writeFileSync(file, bytes);
    chmodSync(file, 0o755); // executable, so that anything exec-ing it would run it
    payloads.push(payload);
    return file;
  });

  // Index and decode as usual: the preamble is not content.
  const index = await indexDicom([work]);
  assert.deepEqual(index.errors, []);
  const series = index.studies[0].series[0];
  assert.equal(series.instances.length, files.length);
  const pool = new DecodePool({ size: 1 });
  try {
    for (const frame of series.frames) {
      const decoded = await pool.decode(frame.path, frame.frameIndex);
      assert.equal(decoded.data.length, 64 * 64);
    }
  } finally {
    await pool.close();
  }

  const { truth } = study;
  const mask = new Uint8Array(gunzipSync(readFileSync(path.join(study.dir, truth.mask.file))));
  const exportSeries: ExportSeries = {
    studyInstanceUid: truth.studyInstanceUid,
    seriesInstanceUid: truth.seriesInstanceUid,
    files,
    loadVolume: () => loadSeriesVolume(files, truth.seriesInstanceUid),
    findings: truth.nodules.map((nodule) => ({
      row: {
        studyInstanceUid: truth.studyInstanceUid,
        seriesInstanceUid: truth.seriesInstanceUid,
        findingId: String(nodule.label),
        decision: 'confirmed',
        reader: 'Reader^Preamble',
      },
      algorithmType: 'MANUAL' as const,
      loadMask: async () => ({
        indices: Uint32Array.from(mask.keys()).filter((i) => mask[i] === nodule.label),
      }),
    })),
  };
  const out = mkdtempSync(path.join(os.tmpdir(), 'overread-preamble-export-'));
  await runExport([exportSeries], { format: 'nifti', outDir: path.join(out, 'nifti') });
  await runExport([exportSeries], { format: 'dicom-seg', outDir: path.join(out, 'seg') });
  await runExport([exportSeries], {
    format: 'dicom-seg',
    outDir: path.join(out, 'seg-deid'),
    deidentify: true,
  });

  assert.equal(existsSync(marker), false, 'the shell preamble was run');
  for (const file of files) assert.equal(statSync(file).mode & 0o777, 0o755, 'sources left as they were');

  const written = filesBelow(out);
  const dicoms = written.filter((f) => readFileSync(f).toString('latin1', 128, 132) === 'DICM');
  // One SEG and its measurement report (SR) per SEG export, plus the 12 de-identified image copies.
  assert.equal(dicoms.length, 4 + files.length, written.join('\n'));
  for (const file of dicoms) {
    const head = readFileSync(file).subarray(0, 128);
    assert.ok(
      head.every((b) => b === 0),
      `${file}: preamble not zeroed`,
    );
  }
  for (const file of written) {
    let bytes: Uint8Array = readFileSync(file);
    if (file.endsWith('.gz')) bytes = gunzipSync(bytes);
    const text = Buffer.from(bytes).toString('latin1');
    assert.ok(!text.includes(TAG) && !text.includes('#!/bin/sh'), `${file} carries the preamble payload`);
    for (const payload of payloads)
      assert.equal(
        Buffer.from(bytes).indexOf(Buffer.from(payload.subarray(0, 32))),
        -1,
        `${file}: preamble bytes`,
      );
  }
});
