// The DICOMweb client against a real archive: Debian's Orthanc with its DICOMweb plugin, authentication on,
// loaded with `overread sample` studies through Orthanc's own REST API. Query with paging, retrieve
// byte-identical, resume after an abort, wrong credentials, a SEG pushed and fetched back with the right
// references (checked by pydicom), a STOW 500 kept in the retry queue and sent later, and Orthanc killed
// mid-retrieve with what arrived kept.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DicomwebClient } from '../../src/pacs/dicomweb-client.ts';
import { PacsError } from '../../src/pacs/pacs-error.ts';
import { openServer } from '../../src/pacs/open-server.ts';
import { envSecretStore } from '../../src/pacs/secret-store.ts';
import { saveServers, type PacsServer } from '../../src/pacs/server-settings.ts';
import { searchAll, seriesSummary, studySummary } from '../../src/pacs/qido-query.ts';
import { retrieveSeries } from '../../src/pacs/retrieve-series.ts';
import { pushFiles, retryQueue } from '../../src/pacs/push-instances.ts';
import { PushQueue } from '../../src/pacs/push-queue.ts';
import { loadSeriesVolume } from '../../src/export/load-series-volume.ts';
import { readSourceHeader, writeSeg } from '../../src/dicom/write-seg/write-seg.ts';
import { sampleStudy, type CachedSampleStudy } from '../helpers/sample-study.ts';
import { orthancAvailable, startOrthanc, type OrthancServer } from './orthanc-server.ts';

const missing = orthancAvailable();
let orthanc: OrthancServer;
let work: string;
let dataDir: string;
let main: CachedSampleStudy;
let others: CachedSampleStudy[];
let client: DicomwebClient;

function bySop(study: CachedSampleStudy): Map<string, Buffer> {
  return new Map(study.truth.slices.map((s) => [s.sopInstanceUid, readFileSync(join(study.dir, s.file))]));
}

function dcmFiles(folder: string): string[] {
  return existsSync(folder) ? readdirSync(folder).filter((n) => n.endsWith('.dcm')) : [];
}

before(async () => {
  if (missing) return;
  main = sampleStudy({ seed: 'pacs-1', size: 128, slices: 30, nodules: 2 });
  others = [
    sampleStudy({ seed: 'pacs-b', size: 128, slices: 6, nodules: 0 }),
    sampleStudy({ seed: 'pacs-c', size: 128, slices: 6, nodules: 0 }),
  ];
  assert.ok(main.truth.nodules.length > 0, 'the main sample study has a nodule to label');
  orthanc = await startOrthanc();
  await orthanc.upload([main, ...others].flatMap((s) => s.files));
  work = mkdtempSync(join(tmpdir(), 'overread-pacs-'));
  dataDir = join(work, 'data');
  const servers: PacsServer[] = [
    { name: 'orthanc', baseUrl: orthanc.dicomWebUrl, auth: { type: 'basic', username: orthanc.user } },
    { name: 'wrong', baseUrl: orthanc.dicomWebUrl, auth: { type: 'basic', username: orthanc.user } },
  ];
  await saveServers(dataDir, servers);
  client = await openServer(
    dataDir,
    'orthanc',
    envSecretStore({ OVERREAD_PACS_ORTHANC_PASSWORD: orthanc.password }),
  );
});

after(async () => {
  await orthanc?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('settings on disk hold no secret', { skip: missing }, () => {
  const text = readFileSync(join(dataDir, 'pacs-servers.json'), 'utf8');
  assert.ok(!text.includes(orthanc.password));
  assert.match(text, /"username": "reader"/);
});

test(
  'QIDO-RS: pages through studies and filters by patient, date, modality, accession',
  { skip: missing },
  async () => {
    const first = await client.searchStudies({ limit: 2, offset: 0 });
    const second = await client.searchStudies({ limit: 2, offset: 2 });
    assert.equal(first.length, 2);
    assert.equal(second.length, 1);
    const uids = [...first, ...second].map((d) => studySummary(d).studyInstanceUid).sort();
    assert.deepEqual(uids, [main, ...others].map((s) => s.truth.studyInstanceUid).sort());
    const all = await searchAll((page) => client.searchStudies({ ...page }), 1);
    assert.equal(all.length, 3, 'searchAll with page size 1 still finds every study');

    const summary = studySummary(
      first.find((d) => studySummary(d).studyInstanceUid === main.truth.studyInstanceUid) ?? second[0],
    );
    const mainSummary = studySummary(
      all.find((d) => studySummary(d).studyInstanceUid === main.truth.studyInstanceUid)!,
    );
    assert.ok(summary.studyDate && mainSummary.patientId && mainSummary.accessionNumber);
    const byPatient = await client.searchStudies({ patientId: mainSummary.patientId });
    assert.deepEqual(
      byPatient.map((d) => studySummary(d).studyInstanceUid),
      [main.truth.studyInstanceUid],
    );
    const byAccession = await client.searchStudies({ accessionNumber: mainSummary.accessionNumber });
    assert.deepEqual(
      byAccession.map((d) => studySummary(d).studyInstanceUid),
      [main.truth.studyInstanceUid],
    );
    const day = mainSummary.studyDate;
    const byDate = await client.searchStudies({ studyDateFrom: day, studyDateTo: day, modality: 'CT' });
    assert.ok(byDate.map((d) => studySummary(d).studyInstanceUid).includes(main.truth.studyInstanceUid));
    assert.equal((await client.searchStudies({ modality: 'MR' })).length, 0);
    const series = (await client.searchSeries({ studyInstanceUid: main.truth.studyInstanceUid })).map((d) =>
      seriesSummary(d),
    );
    assert.deepEqual(
      series.map((s) => [s.seriesInstanceUid, s.modality]),
      [[main.truth.seriesInstanceUid, 'CT']],
    );
  },
);

test(
  'WADO-RS: a series arrives byte-identical; a second pull fetches nothing',
  { skip: missing },
  async () => {
    const cache = join(work, 'cache-full');
    const ref = {
      studyInstanceUid: main.truth.studyInstanceUid,
      seriesInstanceUid: main.truth.seriesInstanceUid,
    };
    const seen: number[] = [];
    const result = await retrieveSeries(client, ref, cache, { onProgress: (p) => seen.push(p.done) });
    assert.equal(result.fetched, 30);
    assert.equal(result.skipped, 0);
    assert.equal(seen.at(-1), 30);
    const source = bySop(main);
    for (const file of result.files) {
      const sop = file
        .split('/')
        .pop()!
        .replace(/\.dcm$/, '');
      assert.ok(readFileSync(file).equals(source.get(sop)!), `${sop} differs from the uploaded file`);
    }
    assert.equal(result.folder, join(cache, ref.studyInstanceUid, ref.seriesInstanceUid));
    const again = await retrieveSeries(client, ref, cache);
    assert.deepEqual([again.fetched, again.skipped], [0, 30]);
  },
);

test('WADO-RS: an interrupted pull resumes with only the missing instances', { skip: missing }, async () => {
  const cache = join(work, 'cache-resume');
  const ref = {
    studyInstanceUid: main.truth.studyInstanceUid,
    seriesInstanceUid: main.truth.seriesInstanceUid,
  };
  const controller = new AbortController();
  await assert.rejects(
    retrieveSeries(client, ref, cache, {
      signal: controller.signal,
      onProgress: (p) => p.done >= 10 && controller.abort(),
    }),
    (error: unknown) => error instanceof PacsError && error.kind === 'aborted',
  );
  const folder = join(cache, ref.studyInstanceUid, ref.seriesInstanceUid);
  const kept = dcmFiles(folder).length;
  // Up to 8 writes overlap the download; those already under way finish, nothing after them starts.
  assert.ok(kept >= 10 && kept <= 18, `${kept} instances kept after the cancel`);

  // Count the single-instance requests the second run makes.
  const requested: string[] = [];
  const counting = await openServer(
    dataDir,
    'orthanc',
    envSecretStore({ OVERREAD_PACS_ORTHANC_PASSWORD: orthanc.password }),
    {
      fetch: (input, init) => {
        const url = String(input);
        if (/\/instances\/[0-9.]+$/.test(url)) requested.push(url);
        return fetch(input, init);
      },
    },
  );
  const result = await retrieveSeries(counting, ref, cache);
  assert.equal(result.skipped, kept);
  assert.equal(result.fetched, 30 - kept);
  assert.equal(requested.length, 30 - kept, 'only the missing instances were requested');
  const source = bySop(main);
  for (const file of result.files) {
    const sop = file
      .split('/')
      .pop()!
      .replace(/\.dcm$/, '');
    assert.ok(readFileSync(file).equals(source.get(sop)!));
  }
  assert.deepEqual(
    readdirSync(folder).filter((n) => !n.endsWith('.dcm')),
    [],
    'no temporary files left',
  );
});

test(
  'wrong credentials: a clear message that names the server and not the secret',
  { skip: missing },
  async (t) => {
    const wrong = await openServer(
      dataDir,
      'wrong',
      envSecretStore({ OVERREAD_PACS_WRONG_PASSWORD: 'not-it' }),
    );
    await assert.rejects(wrong.testConnection(), (error: unknown) => {
      assert.ok(error instanceof PacsError);
      t.diagnostic(error.message);
      assert.equal(error.kind, 'auth');
      assert.match(error.message, /"wrong".*refused the user name or password \(HTTP 401\)/);
      assert.ok(!error.message.includes('not-it'));
      return true;
    });
    await assert.rejects(
      openServer(dataDir, 'wrong', envSecretStore({})),
      /needs a password: set OVERREAD_PACS_WRONG_PASSWORD/,
    );
  },
);

function writeMainSeg(path: string): Promise<{ sop: string; series: string }> {
  return loadSeriesVolume(main.files, main.truth.seriesInstanceUid).then(({ volume, sourceImages }) => {
    const mask = new Uint8Array(gunzipSync(readFileSync(join(main.dir, main.truth.mask.file))));
    const seg = writeSeg({
      geometry: volume.geometry,
      sourceImages,
      sourceHeader: readSourceHeader(main.files[0], new Uint8Array(readFileSync(main.files[0]))),
      contentCreatorName: 'Reader^Alice',
      seriesDescription: 'Overread labels (Reader^Alice)',
      segments: main.truth.nodules.map((nodule) => ({
        label: `Nodule ${nodule.label}`,
        algorithmType: 'SEMIAUTOMATIC' as const,
        algorithmName: 'sample truth',
        mask: { indices: Uint32Array.from(mask.keys()).filter((i) => mask[i] === nodule.label) },
      })),
    });
    writeFileSync(path, seg.bytes);
    return { sop: seg.sopInstanceUid, series: seg.seriesInstanceUid };
  });
}

test(
  'STOW-RS: a SEG pushed to Orthanc comes back and references the source series',
  { skip: missing },
  async () => {
    const segFile = join(work, 'labels-seg.dcm');
    const seg = await writeMainSeg(segFile);
    const queue = new PushQueue(dataDir);
    const outcomes = await pushFiles(client, [segFile], queue);
    assert.deepEqual(
      outcomes.map((o) => [o.sopInstanceUid, o.status, o.queued]),
      [[seg.sop, 'stored', false]],
    );
    assert.equal((await queue.list()).length, 0);

    const segSeries = (
      await client.searchSeries({ studyInstanceUid: main.truth.studyInstanceUid, modality: 'SEG' })
    ).map((d) => seriesSummary(d));
    assert.deepEqual(
      segSeries.map((s) => s.seriesInstanceUid),
      [seg.series],
    );
    const back = await retrieveSeries(
      client,
      { studyInstanceUid: main.truth.studyInstanceUid, seriesInstanceUid: seg.series },
      join(work, 'cache-seg'),
    );
    assert.equal(back.files.length, 1);
    assert.ok(readFileSync(back.files[0]).equals(readFileSync(segFile)), 'the SEG comes back as pushed');

    // pydicom, an independent reader, checks the references of what Orthanc stored.
    const check = JSON.parse(
      execFileSync(
        '/usr/bin/python3',
        [
          '-c',
          `import json, sys, pydicom
ds = pydicom.dcmread(sys.argv[1])
ref = ds.ReferencedSeriesSequence[0]
print(json.dumps({
  "modality": ds.Modality,
  "study": ds.StudyInstanceUID,
  "series": ref.SeriesInstanceUID,
  "sops": [i.ReferencedSOPInstanceUID for i in ref.ReferencedInstanceSequence],
  "creator": str(ds.ContentCreatorName),
  "segments": len(ds.SegmentSequence),
  "frames": int(ds.NumberOfFrames),
}))`,
          back.files[0],
        ],
        { encoding: 'utf8' },
      ),
    ) as {
      modality: string;
      study: string;
      series: string;
      sops: string[];
      creator: string;
      segments: number;
      frames: number;
    };
    assert.equal(check.modality, 'SEG');
    assert.equal(check.study, main.truth.studyInstanceUid);
    assert.equal(check.series, main.truth.seriesInstanceUid);
    const sourceSops = new Set(main.truth.slices.map((s) => s.sopInstanceUid));
    assert.ok(check.sops.length > 0 && check.sops.every((sop) => sourceSops.has(sop)));
    assert.equal(check.creator, 'Reader^Alice');
    assert.equal(check.segments, main.truth.nodules.length);
    assert.ok(check.frames > 0);
  },
);

test(
  'STOW-RS: a 500 keeps the push in the retry queue; a retry sends it and empties the queue',
  { skip: missing },
  async () => {
    let stowCalls = 0;
    const failing: Server = createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        stowCalls++;
        response.writeHead(500, { 'content-type': 'text/plain' }).end('database is locked');
      });
    });
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    const port = (failing.address() as { port: number }).port;
    try {
      const segFile = join(work, 'queued-seg.dcm');
      const seg = await writeMainSeg(segFile);
      const queue = new PushQueue(dataDir);
      const flaky = new DicomwebClient({
        name: 'flaky',
        baseUrl: `http://127.0.0.1:${port}`,
        auth: { type: 'none' },
      });
      const outcomes = await pushFiles(flaky, [segFile], queue);
      assert.equal(stowCalls, 1);
      assert.equal(outcomes[0].status, 'failed');
      assert.equal(outcomes[0].queued, true);
      assert.match(outcomes[0].reason!, /"flaky".*HTTP 500.*database is locked/);
      const queued = await queue.list('flaky');
      assert.deepEqual(
        queued.map((e) => [e.sopInstanceUid, e.attempts]),
        [[seg.sop, 1]],
      );

      // A second failing retry keeps it (attempts counted); the original file may be gone — the copy is used.
      assert.equal((await retryQueue(flaky, queue))[0].status, 'failed');
      rmSync(segFile);
      assert.equal((await queue.list('flaky'))[0].attempts, 2);

      // The same server name, now reachable (the archive came back): the retry stores it and the queue empties.
      const recovered = new DicomwebClient(
        { name: 'flaky', baseUrl: orthanc.dicomWebUrl, auth: { type: 'basic', username: orthanc.user } },
        { authorization: `Basic ${Buffer.from(`${orthanc.user}:${orthanc.password}`).toString('base64')}` },
      );
      const retried = await retryQueue(recovered, queue);
      assert.deepEqual(
        retried.map((o) => [o.sopInstanceUid, o.status]),
        [[seg.sop, 'stored']],
      );
      assert.deepEqual(await queue.list(), []);
      assert.deepEqual(readdirSync(queue.folder), []);
      const stored = await client.searchInstances(main.truth.studyInstanceUid, seg.series);
      assert.equal(stored.length, 1);
    } finally {
      await new Promise((resolve) => failing.close(resolve));
    }
  },
);

// Last: it stops Orthanc.
test(
  'Orthanc killed mid-retrieve: a clear message, and what arrived is kept',
  { skip: missing },
  async (t) => {
    const cache = join(work, 'cache-killed');
    const ref = {
      studyInstanceUid: main.truth.studyInstanceUid,
      seriesInstanceUid: main.truth.seriesInstanceUid,
    };
    // A few instances first, so the rest come one request each and the kill lands between requests.
    const controller = new AbortController();
    await assert.rejects(
      retrieveSeries(client, ref, cache, {
        signal: controller.signal,
        onProgress: (p) => p.done >= 3 && controller.abort(),
      }),
      /cancelled/,
    );
    let killing: Promise<void> | undefined;
    const error = await retrieveSeries(client, ref, cache, {
      concurrency: 1,
      onProgress: (p) => {
        if (p.done >= 15 && !killing) killing = orthanc.stop({ hard: true, keep: true });
      },
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    await killing;
    assert.ok(error instanceof PacsError, `expected a PacsError, got ${String(error)}`);
    t.diagnostic(error.message);
    assert.ok(error.kind === 'unreachable' || error.kind === 'interrupted', error.kind);
    assert.match(error.message, /DICOMweb server "orthanc"/);
    assert.match(error.message, /\d+ of 30 instances are in .* run the pull again to fetch only the rest/);
    const folder = join(cache, ref.studyInstanceUid, ref.seriesInstanceUid);
    const kept = dcmFiles(folder);
    assert.ok(kept.length >= 15 && kept.length < 30, `${kept.length} kept`);
    const thisRun = Number(/\((\d+) from this run\)/.exec(error.message)?.[1]);
    assert.ok(thisRun >= 1, 'the kill came after this run had fetched some');
    const source = bySop(main);
    for (const name of kept)
      assert.ok(readFileSync(join(folder, name)).equals(source.get(name.slice(0, -4))!));
  },
);
