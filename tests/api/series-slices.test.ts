// The worklist, a series' metadata and its decoded slices through the API handler, on a study written by the
// sample generator: slice pixels are checked against pydicom's modality values of the same files.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import type { SeriesInfo, WorklistPage } from '../../src/shared/api-types.ts';
import { sampleStudy, type CachedSampleStudy } from '../helpers/sample-study.ts';
import { importThrough, openTestApi, type TestApi } from './api-test-kit.ts';

let t: TestApi;
let study: CachedSampleStudy;
let uid: string;

before(async () => {
  study = sampleStudy({ seed: 'api-slices', size: 64, slices: 12 });
  t = await openTestApi();
  await importThrough(t, [study.dir]);
  uid = study.truth.seriesInstanceUid;
});

after(() => t.close());

/** pydicom's modality values (pixel_array through the modality LUT) of `file`, and its Image Position z. */
function pydicomSlice(file: string): { values: Float32Array; z: number } {
  const out = join(t.dir, 'pydicom.f32');
  const z = execFileSync(
    '/usr/bin/python3',
    [
      '-c',
      [
        'import sys, numpy, pydicom',
        'from pydicom.pixel_data_handlers.util import apply_modality_lut',
        'ds = pydicom.dcmread(sys.argv[1])',
        'apply_modality_lut(ds.pixel_array, ds).astype(numpy.float32).tofile(sys.argv[2])',
        'print(float(ds.ImagePositionPatient[2]))',
      ].join('\n'),
      file,
      out,
    ],
    { encoding: 'utf8' },
  );
  const bytes = readFileSync(out);
  return { values: new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4), z: Number(z) };
}

test('the worklist lists the imported series with its study and patient fields', async () => {
  const page = await t.json<WorklistPage>('GET', '/api/worklist');

  assert.equal(page.total, 1);
  const [item] = page.items;
  assert.equal(item!.seriesUid, uid);
  assert.equal(item!.studyUid, study.truth.studyInstanceUid);
  assert.equal(item!.modality, 'CT');
  assert.equal(item!.instances, 12);
  assert.equal(item!.status, 'unread');
  assert.equal(item!.score, null);
  assert.ok(item!.patientId.length > 0 && !Number.isNaN(Date.parse(item!.arrivedAt)));
});

test('the worklist filters by status and text, and refuses a bad query with the field named', async () => {
  assert.equal((await t.json<WorklistPage>('GET', '/api/worklist?status=done')).total, 0);
  assert.equal((await t.json<WorklistPage>('GET', '/api/worklist?status=unread')).total, 1);
  assert.equal((await t.json<WorklistPage>('GET', '/api/worklist?q=no-such-patient-xyz')).total, 0);
  // The accession number, as dcmdump reads it from the file, finds the series.
  const accession = /\(0008,0050\) SH \[([^\]]*)\]/.exec(
    execFileSync('dcmdump', ['+P', '0008,0050', study.files[0]!], { encoding: 'utf8' }),
  )?.[1];
  assert.ok(accession, 'the sample writes an accession number');
  const byAccession = await t.json<WorklistPage>('GET', `/api/worklist?q=${accession.toLowerCase()}`);
  assert.deepEqual(
    byAccession.items.map((i) => i.seriesUid),
    [uid],
  );
  // …and the item carries it, for the worklist's Accession column and its in-page search.
  assert.equal(byAccession.items[0]!.accessionNumber, accession);
  // What the renderer asks for: more than the store's own page size.
  assert.equal((await t.json<WorklistPage>('GET', '/api/worklist?limit=1000')).items.length, 1);

  const bad = await t.call('GET', '/api/worklist?limit=0&status=maybe');
  assert.equal(bad.status, 400);
  assert.match(bad.headers.get('content-type') ?? '', /application\/problem\+json/);
  const problem = await bad.json();
  assert.match(problem.detail, /query string/);
  assert.match(problem.detail, /limit/);
  assert.match(problem.detail, /status/);
});

test("a series' metadata gives its geometry, slice positions and display defaults", async () => {
  const info = await t.json<SeriesInfo>('GET', `/api/series/${uid}`);

  assert.equal(info.rows, 64);
  assert.equal(info.columns, 64);
  assert.equal(info.slices, 12);
  assert.deepEqual(info.geometry.size, [64, 64, 12]);
  assert.deepEqual(
    info.slicePositionsMm.map((z) => Number(z.toFixed(3))),
    study.truth.slices.map((s) => Number(s.z.toFixed(3))),
  );
  assert.equal(info.photometric, 'MONOCHROME2');
  assert.equal(info.hasProbabilityMap, false);
  assert.ok(info.windowWidth > 0);
});

test("a slice's pixels are pydicom's modality values of the same file, as int16 with its headers", async () => {
  for (const k of [0, 5, 11]) {
    const response = await t.call('GET', `/api/series/${uid}/slices/${k}`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('x-pixel-type'), 'int16');
    assert.equal(response.headers.get('x-rows'), '64');
    assert.equal(response.headers.get('x-columns'), '64');
    assert.equal(response.headers.get('x-samples'), '1');
    assert.match(response.headers.get('cache-control') ?? '', /immutable/);
    const pixels = new Int16Array(await response.arrayBuffer());
    const reference = pydicomSlice(study.files[k]!);

    assert.equal(Number(reference.z.toFixed(3)), Number(study.truth.slices[k]!.z.toFixed(3)), 'slice order');
    assert.equal(pixels.length, reference.values.length);
    let differing = 0;
    for (let n = 0; n < pixels.length; n++) if (pixels[n] !== reference.values[n]) differing++;
    assert.equal(differing, 0, `slice ${k}: ${differing} pixels differ from pydicom`);
  }
});

test('a range of slices comes back to back, each byte-equal to its own /slices/{k}, clipped at the end', async () => {
  const response = await t.call('GET', `/api/series/${uid}/slices?from=8&count=6`);
  assert.equal(response.status, 200, await response.clone().text());
  assert.equal(response.headers.get('x-first'), '8');
  assert.equal(response.headers.get('x-count'), '4', 'slices 8–11: the series ends at 11');
  assert.equal(response.headers.get('x-pixel-types'), 'int16,int16,int16,int16');
  assert.equal(
    response.headers.get('x-slice-bytes'),
    Array(4)
      .fill(64 * 64 * 2)
      .join(','),
  );
  assert.equal(response.headers.get('x-rows'), '64');
  const body = new Uint8Array(await response.arrayBuffer());
  assert.equal(body.byteLength, 4 * 64 * 64 * 2);
  for (let i = 0; i < 4; i++) {
    const one = new Uint8Array(
      await (await t.call('GET', `/api/series/${uid}/slices/${8 + i}`)).arrayBuffer(),
    );
    const part = body.subarray(i * one.byteLength, (i + 1) * one.byteLength);
    assert.ok(Buffer.from(part).equals(Buffer.from(one)), `slice ${8 + i} differs from its own request`);
  }
  const outside = await t.call('GET', `/api/series/${uid}/slices?from=12&count=2`);
  assert.equal(outside.status, 404);
  assert.match((await outside.json()).detail, /slices 0–11/);
  for (const query of ['from=0&count=0', 'from=0&count=33', 'from=-1&count=2', 'count=2']) {
    const bad = await t.call('GET', `/api/series/${uid}/slices?${query}`);
    assert.equal(bad.status, 400, query);
  }
});

test('a series imported as a zip shows the same pixels as its files', async () => {
  const zipped = sampleStudy({ seed: 'api-zip', size: 64, slices: 12 });
  const zip = join(t.dir, 'study.zip');
  writeFileSync(
    zip,
    zipSync(Object.fromEntries(zipped.files.map((file, n) => [`dicom/${n}.dcm`, readFileSync(file)]))),
  );
  await importThrough(t, [zip]);

  const response = await t.call('GET', `/api/series/${zipped.truth.seriesInstanceUid}/slices/7`);
  assert.equal(response.status, 200, await response.clone().text());
  const pixels = new Int16Array(await response.arrayBuffer());
  assert.deepEqual(Array.from(pixels), Array.from(pydicomSlice(zipped.files[7]!).values));
});

test('unknown series and slices outside the series are 404 problems naming the id', async () => {
  const series = await t.call('GET', '/api/series/1.2.3.4.5');
  assert.equal(series.status, 404);
  assert.match((await series.json()).detail, /series 1\.2\.3\.4\.5 does not exist/);
  const slice = await t.call('GET', `/api/series/${uid}/slices/12`);
  assert.equal(slice.status, 404);
  assert.match((await slice.json()).detail, /slices 0–11/);
  const malformed = await t.call('GET', '/api/series/not-a-uid/slices/0');
  assert.equal(malformed.status, 400);
  assert.match((await malformed.json()).detail, /digits and dots/);
  assert.equal((await t.call('GET', '/api/nothing-here')).status, 404);
});

test('a slice whose file leads outside the imported folders is refused with 403', async () => {
  // A copy of the study in which one file is swapped, after the import, for a link to a file in another
  // folder. (A link that is there at import time is not even followed: tests/hardening/hostile-folders.)
  const root = mkdtempSync(join(tmpdir(), 'overread-api-root-'));
  const elsewhere = mkdtempSync(join(tmpdir(), 'overread-api-elsewhere-'));
  try {
    const other = sampleStudy({ seed: 'api-outside', size: 64, slices: 12 });
    cpSync(other.dir, join(root, 'study'), { recursive: true });
    const linked = join(root, 'study', other.truth.slices[3]!.file);
    await importThrough(t, [root]);
    cpSync(linked, join(elsewhere, 'moved.dcm'));
    unlinkSync(linked);
    symlinkSync(join(elsewhere, 'moved.dcm'), linked);

    const response = await t.call('GET', `/api/series/${other.truth.seriesInstanceUid}/slices/3`);
    assert.equal(response.status, 403);
    assert.match((await response.json()).detail, /outside the folders imported/);
    assert.equal(t.api.isInsideRoots(linked), false);
    assert.equal(t.api.isInsideRoots(join(root, 'study', other.truth.slices[4]!.file)), true);
    const neighbour = await t.call('GET', `/api/series/${other.truth.seriesInstanceUid}/slices/4`);
    assert.equal(neighbour.status, 200);
  } finally {
    rmSync(root, { recursive: true, force: true });
    rmSync(elsewhere, { recursive: true, force: true });
  }
});

test('an import names a path that does not exist or is not absolute, and starts nothing', async () => {
  const missing = await t.call('POST', '/api/import', { paths: [join(t.dir, 'no-such-folder')] });
  assert.equal(missing.status, 400);
  assert.match((await missing.json()).detail, /no-such-folder does not exist/);
  const relative = await t.call('POST', '/api/import', { paths: ['studies/ct'] });
  assert.equal(relative.status, 400);
  assert.match((await relative.json()).detail, /not an absolute path/);
  const empty = await t.call('POST', '/api/import', { paths: [] });
  assert.equal(empty.status, 400);
  assert.match((await empty.json()).detail, /paths/);
  const huge = await t.call('POST', '/api/import', { paths: Array(600).fill('/'.repeat(2000)) });
  assert.equal(huge.status, 413);
  assert.match((await huge.json()).detail, /at most 1024 KiB/);
});

test('the OpenAPI document lists every route the renderer calls', async () => {
  const doc = await t.json<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(
    'GET',
    '/api/openapi.json',
  );
  assert.match(doc.openapi, /^3\.1/);
  const expected: [string, string][] = [
    ['get', '/api/session'],
    ['get', '/api/worklist'],
    ['get', '/api/series/{seriesUid}'],
    ['get', '/api/series/{seriesUid}/findings'],
    ['post', '/api/series/{seriesUid}/findings'],
    ['get', '/api/series/{seriesUid}/slices/{k}'],
    ['get', '/api/series/{seriesUid}/slices'],
    ['get', '/api/series/{seriesUid}/probability/{k}'],
    ['get', '/api/series/{seriesUid}/probability-plane'],
    ['get', '/api/findings/{id}/mask/{k}'],
    ['put', '/api/findings/{id}/mask/{k}'],
    ['post', '/api/findings/{id}/decision'],
    ['post', '/api/series/{seriesUid}/status'],
    ['post', '/api/series/{seriesUid}/undo'],
    ['post', '/api/series/{seriesUid}/redo'],
    ['post', '/api/import'],
    ['post', '/api/series/{seriesUid}/run-model'],
    ['get', '/api/jobs/{id}/events'],
  ];
  for (const [method, path] of expected) assert.ok(doc.paths[path]?.[method], `${method} ${path} missing`);
});
