// The SEG writer checked by independent tools: dciodvfy (dicom3tools) must report no errors, dcmdump must read
// it, and pydicom must find every frame on the right source slice with the right pixels — also after
// de-identification, where the SEG and its images share one UID mapping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readSourceHeader, writeSeg } from '../../../src/dicom/write-seg/write-seg.ts';
import { buildSeg, type SegInput } from '../../../src/dicom/write-seg/build-seg.ts';
import { deidentifyDicom } from '../../../src/dicom/deidentify/deidentify-dicom.ts';
import { UidRemapper } from '../../../src/dicom/deidentify/uid-remapper.ts';
import { loadSeries, makeSeries, type SeriesFixture } from '../../export/helpers/load-series.ts';

const here = path.dirname(new URL(import.meta.url).pathname);

interface SegCheck {
  frames: number;
  pixelMismatches: number;
  positionErrorMm: number;
  unresolved: number;
  segments: {
    number: number;
    label: string;
    algorithmType: string;
    algorithmName: string | null;
    category: string;
    type: string;
  }[];
  framesPerSegment: Record<string, number>;
  sameStudy: boolean;
  sameFrameOfReference: boolean;
  referencedSeries: boolean;
  referencedInstancesResolve: boolean;
  contentCreator: string;
  patientIdentityRemoved: string | null;
  preambleZero: boolean;
}

function segInput(series: SeriesFixture): SegInput {
  const files = series.files.map((f) => f.path);
  const volume = loadSeries(files);
  const perSlice = volume.geometry.size[0] * volume.geometry.size[1];
  const nodule = new Uint8Array(volume.voxels.length);
  const corrected = new Uint8Array(volume.voxels.length);
  // Instance numbers are 1-based file order, which is the volume's k order (loadSeries keeps it).
  volume.voxels.forEach((hu, i) => {
    const instance = Math.floor(i / perSlice) + 1;
    nodule[i] = hu > -800 && (instance === 2 || instance === 3) ? 1 : 0;
    corrected[i] = hu < -650 && instance === 4 ? 1 : 0;
  });
  return {
    geometry: volume.geometry,
    sourceImages: volume.sops.map((sop) => ({
      sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
      sopInstanceUid: sop,
    })),
    sourceHeader: readSourceHeader(files[0], new Uint8Array(readFileSync(files[0]))),
    contentCreatorName: 'Reader^Alice',
    segments: [
      {
        label: 'Nodule 1',
        algorithmType: 'SEMIAUTOMATIC',
        algorithmName: 'lung-nodule-unet 1.2.0',
        mask: nodule,
      },
      { label: 'Nodule 2', algorithmType: 'MANUAL', mask: corrected },
    ],
  };
}

function dciodvfyErrors(file: string): string[] {
  const result = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
  return `${result.stdout}\n${result.stderr}`.split('\n').filter((line) => line.includes('Error'));
}

function dciodvfyWarnings(file: string): string[] {
  const result = spawnSync('dciodvfy', [file], { encoding: 'utf8' });
  return `${result.stdout}\n${result.stderr}`.split('\n').filter((line) => line.startsWith('Warning'));
}

for (const [orientation, order] of [
  ['axial', 'ascending'],
  ['oblique', 'descending'],
] as const) {
  test(`SEG (${orientation}, ${order}): dciodvfy clean, frames on the right slices (pydicom)`, () => {
    const series = makeSeries({ orientation, order, slices: 5, seed: 3 });
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'overread-seg-')), 'seg.dcm');
    const input = segInput(series);
    const written = writeSeg(input);
    writeFileSync(out, written.bytes);
    // The slices its frames lie on: those where any segment has a voxel.
    const plane = input.geometry.size[0] * input.geometry.size[1];
    const painted = [
      ...new Set(
        input.segments.flatMap((s) =>
          Array.from(s.mask as Uint8Array).flatMap((v, i) => (v ? [Math.floor(i / plane)] : [])),
        ),
      ),
    ].sort((a, b) => a - b);
    assert.ok(painted.length > 0);
    assert.deepEqual(written.slices, painted);

    assert.deepEqual(dciodvfyErrors(out), []);
    assert.deepEqual(dciodvfyWarnings(out), [], 'no dciodvfy warnings either');
    assert.equal(spawnSync('dcmdump', ['-q', out]).status, 0, 'dcmdump reads it');
    const check = JSON.parse(
      spawnSync(
        '/usr/bin/python3',
        [path.join(here, 'check-seg.py'), out, ...series.files.map((f) => f.path)],
        {
          encoding: 'utf8',
        },
      ).stdout,
    ) as SegCheck;
    assert.equal(check.unresolved, 0);
    assert.equal(check.pixelMismatches, 0);
    assert.ok(check.positionErrorMm < 0.01, `frame position off by ${check.positionErrorMm} mm`);
    assert.deepEqual(check.framesPerSegment, { '1': 2, '2': 1 }, 'only frames that contain the segment');
    assert.equal(check.frames, 3);
    assert.deepEqual(
      check.segments.map((s) => [s.label, s.algorithmType, s.algorithmName, s.category, s.type]),
      [
        ['Nodule 1', 'SEMIAUTOMATIC', 'lung-nodule-unet 1.2.0', '49755003', '27925004'],
        ['Nodule 2', 'MANUAL', null, '49755003', '27925004'],
      ],
    );
    assert.ok(check.sameStudy && check.sameFrameOfReference && check.referencedSeries);
    assert.ok(check.referencedInstancesResolve);
    assert.equal(check.contentCreator, 'Reader^Alice');
    assert.ok(check.preambleZero);
  });
}

test('de-identified SEG still references its de-identified images', () => {
  const series = makeSeries({ orientation: 'axial', order: 'ascending', slices: 5, phi: true, seed: 4 });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'overread-seg-deid-'));
  const context = {
    uids: new UidRemapper(),
    replacements: { '00100010': 'case_0001', '00100020': 'case_0001', '00700084': 'reader_01' },
  };
  const images = series.files.map((file, i) => {
    const out = path.join(dir, `image${i}.dcm`);
    writeFileSync(out, deidentifyDicom(file.path, new Uint8Array(readFileSync(file.path)), context).bytes);
    return out;
  });
  const segPath = path.join(dir, 'seg.dcm');
  writeFileSync(segPath, writeSeg(segInput(series), context).bytes);

  assert.deepEqual(dciodvfyErrors(segPath), []);
  assert.deepEqual(dciodvfyWarnings(segPath), []);
  const check = JSON.parse(
    spawnSync('/usr/bin/python3', [path.join(here, 'check-seg.py'), segPath, ...images], { encoding: 'utf8' })
      .stdout,
  ) as SegCheck;
  assert.equal(check.unresolved, 0, 'every frame resolves to a de-identified image');
  assert.equal(check.pixelMismatches, 0);
  assert.ok(
    check.sameStudy &&
      check.sameFrameOfReference &&
      check.referencedSeries &&
      check.referencedInstancesResolve,
  );
  assert.equal(check.patientIdentityRemoved, 'YES');
  assert.equal(check.contentCreator, 'reader_01^');
  const dump = spawnSync('dcmdump', ['-q', segPath], { encoding: 'utf8' }).stdout;
  assert.doesNotMatch(dump, /Jane|Doe|MRN-0012345|Alice/);
});

test('an empty segmentation is refused with a clear error', () => {
  const series = makeSeries({ orientation: 'axial', order: 'ascending', slices: 5, seed: 5 });
  const input = segInput(series);
  input.segments = input.segments.map((s) => ({ ...s, mask: new Uint8Array((s.mask as Uint8Array).length) }));
  assert.throws(() => writeSeg(input), /every segment is empty/);
});

test('a sparse mask (linear voxel indices, as inference findings keep them) gives the same frames', () => {
  const series = makeSeries({ orientation: 'oblique', order: 'ascending', slices: 5, seed: 6 });
  const dense = segInput(series);
  const sparse = {
    ...dense,
    segments: dense.segments.map((s) => {
      const mask = s.mask as Uint8Array;
      return { ...s, mask: { indices: Uint32Array.from(mask.keys()).filter((i) => mask[i]) } };
    }),
  };
  const fixedNow = new Date('2026-01-01T00:00:00Z');
  const a = buildSeg({ ...dense, now: fixedNow }).dict;
  const b = buildSeg({ ...sparse, now: fixedNow }).dict;
  assert.deepEqual(
    new Uint8Array(b['7FE00010'].Value?.[0] as ArrayBuffer),
    new Uint8Array(a['7FE00010'].Value?.[0] as ArrayBuffer),
  );
  assert.equal(Number(b['00280008'].Value?.[0]), 3);
  assert.throws(
    () =>
      buildSeg({
        ...dense,
        segments: [{ ...dense.segments[0], mask: { indices: Uint32Array.of(10 ** 6) } }],
      }),
    /outside the 5-slice volume/,
  );
});
