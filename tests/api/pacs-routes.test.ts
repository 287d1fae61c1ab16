// The app's PACS flow through the real API against a real Orthanc (authentication on, random ports): save a
// server (secret for the session only, as in `overread serve`), test the connection, search with paging,
// pull a series as a job, see it triaged in the worklist, confirm a finding, mark it done and push its
// DICOM SEG — fetched back from Orthanc and parsed with pydicom for its references and reader. A server
// answering 500 to STOW keeps the SEG in the retry queue until a retry stores it. The password must appear
// nowhere: not in the dataset, the settings, the queue, a log line or an API answer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { join } from 'node:path';
import type { FindingInfo, Job, WorklistPage } from '../../src/shared/api-types.ts';
import type {
  PacsPushResult,
  PacsQueueEntry,
  PacsSeries,
  PacsServerInfo,
  PacsServerList,
  PacsStudyPage,
} from '../../src/shared/pacs-types.ts';
import { sampleStudy, type CachedSampleStudy } from '../helpers/sample-study.ts';
import { installTestModel } from '../inference/test-models.ts';
import { freePort, orthancAvailable, startOrthanc, type OrthancServer } from '../pacs/orthanc-server.ts';
import { openTestApi, type TestApi } from './api-test-kit.ts';

const missing = orthancAvailable();
let orthanc: OrthancServer;
let t: TestApi;
let pacsDir: string;
let work: string;
let studies: CachedSampleStudy[];
let proxy: { url: string; failStow: boolean; server: Server };
const answers: string[] = [];
const logged: string[] = [];
const originalConsole = { log: console.log, error: console.error, warn: console.warn };

function dump(file: string, tag: string): string {
  return /\[(.*)\]/.exec(execFileSync('dcmdump', ['+P', tag, file], { encoding: 'utf8' }))?.[1] ?? '';
}

/** Calls the API and keeps every answer's text, to search them for the password at the end. */
async function call(method: string, path: string, body?: unknown) {
  const response = await t.call(method, path, body);
  const text = await response.text();
  answers.push(text);
  return { status: response.status, text, json: () => JSON.parse(text) };
}

async function ok<T>(method: string, path: string, body?: unknown): Promise<T> {
  const answer = await call(method, path, body);
  assert.ok(answer.status < 300, `${method} ${path}: ${answer.status} ${answer.text}`);
  return answer.json() as T;
}

async function finish(job: Job): Promise<Job> {
  const last = await t.finish(job);
  answers.push(JSON.stringify(last));
  return last;
}

/** A front for Orthanc that answers 500 to every STOW while `failStow` is set, and passes all else through. */
async function startProxy(target: string) {
  const state = { failStow: true };
  const server = createServer((req, res) => {
    if (state.failStow && req.method === 'POST') {
      req.resume();
      res.writeHead(500, { 'content-type': 'text/plain' }).end('storage volume full');
      return;
    }
    const upstream = httpRequest(
      `${target}${req.url}`,
      { method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    get failStow() {
      return state.failStow;
    },
    set failStow(value: boolean) {
      state.failStow = value;
    },
  };
}

before(async () => {
  if (missing) return;
  for (const name of ['log', 'error', 'warn'] as const) {
    console[name] = (...args: unknown[]) => {
      logged.push(args.map(String).join(' '));
      originalConsole[name](...args);
    };
  }
  studies = [
    sampleStudy({ seed: 'api-pacs-a', size: 64, slices: 12 }),
    sampleStudy({ seed: 'api-pacs-b', size: 64, slices: 12 }),
  ];
  orthanc = await startOrthanc();
  await orthanc.upload(studies.flatMap((s) => s.files));
  proxy = await startProxy(orthanc.url);
  work = mkdtempSync(join(tmpdir(), 'overread-pacs-api-'));
  pacsDir = join(work, 'pacs');
  const models = join(work, 'models');
  installTestModel(models, { kind: 'fast', a: -12, b: 6, channels: 3 }, { id: 'pacs-api-model' });
  t = await openTestApi({
    pacsDataDir: pacsDir,
    userModels: models,
    env: { OVERREAD_PACS_FROMENV_PASSWORD: orthanc.password },
  });
});

after(async () => {
  Object.assign(console, originalConsole);
  proxy?.server.close();
  await t?.close();
  await orthanc?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('servers: saved without the secret, tested, wrong credentials named', { skip: missing }, async () => {
  const saved = await ok<PacsServerInfo>('PUT', '/api/pacs/servers/orthanc', {
    baseUrl: orthanc.dicomWebUrl,
    auth: { type: 'basic', username: orthanc.user },
    secret: orthanc.password,
  });
  assert.equal(saved.secretSource, 'session', 'serve mode keeps a given secret for the session only');
  assert.equal(saved.secretEnv, 'OVERREAD_PACS_ORTHANC_PASSWORD');
  await ok('PUT', '/api/pacs/servers/fromenv', {
    baseUrl: orthanc.dicomWebUrl,
    auth: { type: 'basic', username: orthanc.user },
  });
  await ok('PUT', '/api/pacs/servers/nosecret', {
    baseUrl: orthanc.dicomWebUrl,
    auth: { type: 'basic', username: orthanc.user },
  });
  const list = await ok<PacsServerList>('GET', '/api/pacs/servers');
  assert.equal(list.keychain, false);
  assert.deepEqual(Object.fromEntries(list.servers.map((s) => [s.name, s.secretSource])), {
    orthanc: 'session',
    fromenv: 'environment',
    nosecret: 'missing',
  });
  const settings = JSON.parse(readFileSync(join(pacsDir, 'pacs-servers.json'), 'utf8'));
  assert.equal(settings.servers.length, 3);

  const tested = await ok<{ message: string }>('POST', '/api/pacs/servers/orthanc/test');
  assert.match(tested.message, /"orthanc": connected, credentials accepted/);
  assert.match(
    (await ok<{ message: string }>('POST', '/api/pacs/servers/fromenv/test')).message,
    /credentials accepted/,
  );
  const none = await call('POST', '/api/pacs/servers/nosecret/test');
  assert.equal(none.status, 409);
  assert.match(none.json().detail, /needs a password: set OVERREAD_PACS_NOSECRET_PASSWORD/);
  const wrong = await call('POST', '/api/pacs/servers/nosecret/test', { secret: 'not-the-password' });
  assert.equal(wrong.status, 502);
  assert.match(wrong.json().detail, /refused the user name or password \(HTTP 401\)/);
  const sourceOf = async (server: string) =>
    (await ok<PacsServerList>('GET', '/api/pacs/servers')).servers.find((s) => s.name === server)
      ?.secretSource;
  assert.equal(await sourceOf('nosecret'), 'missing', 'a refused secret is not kept');
  await ok('POST', '/api/pacs/servers/nosecret/test', { secret: orthanc.password });
  assert.equal(await sourceOf('nosecret'), 'session', 'an accepted one is kept for the session');
  const bad = await call('PUT', '/api/pacs/servers/x', { baseUrl: 'ftp://a', auth: { type: 'none' } });
  assert.equal(bad.status, 409);
  assert.match(bad.json().detail, /"baseUrl" must be http: or https:/);
  assert.equal((await call('DELETE', '/api/pacs/servers/nosecret')).status, 200);
  const document = await ok<{ paths: Record<string, unknown> }>('GET', '/api/openapi.json');
  for (const path of [
    '/api/pacs/servers',
    '/api/pacs/servers/{name}',
    '/api/pacs/servers/{name}/test',
    '/api/pacs/servers/{name}/studies',
    '/api/pacs/servers/{name}/studies/{studyUid}/series',
    '/api/pacs/servers/{name}/pull',
    '/api/pacs/servers/{name}/push',
    '/api/pacs/queue',
    '/api/pacs/queue/retry',
  ])
    assert.ok(document.paths[path], `${path} is in /api/openapi.json`);
  assert.equal((await call('POST', '/api/pacs/servers/nosecret/test')).status, 404);
});

test('search by patient, date, modality and accession, paged', { skip: missing }, async () => {
  const [a, b] = studies;
  const everything = await ok<PacsStudyPage>('GET', '/api/pacs/servers/orthanc/studies?limit=1');
  assert.equal(everything.studies.length, 1);
  assert.equal(everything.more, true);
  const second = await ok<PacsStudyPage>('GET', '/api/pacs/servers/orthanc/studies?limit=1&offset=1');
  assert.equal(second.more, false);
  assert.deepEqual(
    [everything.studies[0]!.studyInstanceUid, second.studies[0]!.studyInstanceUid].sort(),
    [a!.truth.studyInstanceUid, b!.truth.studyInstanceUid].sort(),
  );
  const id = dump(a!.files[0]!, 'PatientID');
  const byId = await ok<PacsStudyPage>(
    'GET',
    `/api/pacs/servers/orthanc/studies?patientId=${encodeURIComponent(id)}`,
  );
  assert.deepEqual(
    byId.studies.map((s) => s.studyInstanceUid),
    [a!.truth.studyInstanceUid],
  );
  const name = dump(a!.files[0]!, 'PatientName');
  const byName = await ok<PacsStudyPage>(
    'GET',
    `/api/pacs/servers/orthanc/studies?patientName=${encodeURIComponent(name.slice(0, 3) + '*')}`,
  );
  assert.ok(byName.studies.some((s) => s.studyInstanceUid === a!.truth.studyInstanceUid));
  assert.equal(
    byName.studies.find((s) => s.studyInstanceUid === a!.truth.studyInstanceUid)!.patientName,
    name,
  );
  const date = dump(a!.files[0]!, 'StudyDate');
  const iso = `${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 8)}`;
  const byDate = await ok<PacsStudyPage>(
    'GET',
    `/api/pacs/servers/orthanc/studies?dateFrom=${iso}&dateTo=${iso}&modality=CT`,
  );
  assert.ok(byDate.studies.some((s) => s.studyInstanceUid === a!.truth.studyInstanceUid));
  const mr = await ok<PacsStudyPage>('GET', '/api/pacs/servers/orthanc/studies?modality=MR');
  assert.equal(mr.studies.length, 0);
  const accession = dump(a!.files[0]!, 'AccessionNumber');
  if (accession) {
    const byAccession = await ok<PacsStudyPage>(
      'GET',
      `/api/pacs/servers/orthanc/studies?accessionNumber=${encodeURIComponent(accession)}`,
    );
    assert.deepEqual(
      byAccession.studies.map((s) => s.studyInstanceUid),
      [a!.truth.studyInstanceUid],
    );
  }
  const invalid = await call('GET', '/api/pacs/servers/orthanc/studies?dateFrom=yesterday');
  assert.equal(invalid.status, 400);
  assert.match(invalid.json().detail, /dateFrom: a date is YYYY-MM-DD/);
});

let pulledUid = '';

test('a pull from a server that is not there fails with a message naming it', { skip: missing }, async () => {
  const [a] = studies;
  await ok('PUT', '/api/pacs/servers/gone', {
    baseUrl: `http://127.0.0.1:${await freePort()}/dicom-web`,
    auth: { type: 'none' },
  });
  const job = await ok<Job>('POST', '/api/pacs/servers/gone/pull', {
    series: [{ studyInstanceUid: a!.truth.studyInstanceUid, seriesInstanceUid: a!.truth.seriesInstanceUid }],
  });
  const last = await finish(job);
  assert.equal(last.state, 'failed');
  assert.match(last.message, /could not connect to DICOMweb server "gone" .*connection refused/);
  const search = await call('GET', '/api/pacs/servers/gone/studies');
  assert.equal(search.status, 502);
  assert.match(search.json().detail, /connection refused — is the server running/);
  await ok('DELETE', '/api/pacs/servers/gone');
});

test(
  'pull a series as a job: it is imported, triaged, and listed as local',
  { skip: missing, timeout: 120_000 },
  async () => {
    const [a] = studies;
    const series = await ok<PacsSeries[]>(
      'GET',
      `/api/pacs/servers/orthanc/studies/${a!.truth.studyInstanceUid}/series`,
    );
    assert.equal(series.length, 1);
    assert.equal(series[0]!.localStatus, undefined);
    pulledUid = series[0]!.seriesInstanceUid;
    const job = await ok<Job>('POST', '/api/pacs/servers/orthanc/pull', {
      series: [{ studyInstanceUid: a!.truth.studyInstanceUid, seriesInstanceUid: pulledUid }],
    });
    assert.equal(job.kind, 'pull');
    const twice = await call('POST', '/api/pacs/servers/orthanc/pull', {
      series: [{ studyInstanceUid: a!.truth.studyInstanceUid, seriesInstanceUid: pulledUid }],
    });
    assert.equal(twice.status, 409, 'the same series is not pulled twice at once');
    assert.match(twice.json().detail, /being pulled already .* wait for that pull to finish/);
    const last = await finish(job);
    assert.equal(last.state, 'done', last.message);
    assert.match(
      last.message,
      /1 of 1 series pulled from "orthanc"; 1 series in 1 study imported; the model is reading 1/,
    );
    const cached = join(pacsDir, 'pacs-cache', a!.truth.studyInstanceUid, pulledUid);
    assert.equal(readdirSync(cached).filter((n) => n.endsWith('.dcm')).length, 12);

    // Triage runs on what arrived: wait for the model's run to finish.
    const deadline = Date.now() + 90_000;
    let status = '';
    while (Date.now() < deadline) {
      const page = await ok<WorklistPage>('GET', '/api/worklist');
      status = page.items.find((i) => i.seriesUid === pulledUid)?.status ?? 'absent';
      if (status !== 'model-running' && status !== 'unread') break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.equal(status, 'flagged');
    const listed = await ok<PacsSeries[]>(
      'GET',
      `/api/pacs/servers/orthanc/studies/${a!.truth.studyInstanceUid}/series`,
    );
    assert.equal(listed[0]!.localStatus, 'flagged');
  },
);

function orthancGet(path: string) {
  const authorization = `Basic ${Buffer.from(`${orthanc.user}:${orthanc.password}`).toString('base64')}`;
  return fetch(`${orthanc.url}${path}`, { headers: { authorization } });
}

/** The stored SEG, fetched from Orthanc's own REST API and read by pydicom. */
async function storedSeg(sopInstanceUid: string) {
  const found = (await (
    await fetch(`${orthanc.url}/tools/lookup`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${orthanc.user}:${orthanc.password}`).toString('base64')}`,
      },
      body: sopInstanceUid,
    })
  ).json()) as { ID: string; Type: string }[];
  const instance = found.find((f) => f.Type === 'Instance');
  assert.ok(instance, `Orthanc holds SOP instance ${sopInstanceUid}`);
  const bytes = Buffer.from(await (await orthancGet(`/instances/${instance.ID}/file`)).arrayBuffer());
  const file = join(work, `fetched-${sopInstanceUid}.dcm`);
  writeFileSync(file, bytes);
  const script = `
import json, sys, pydicom
d = pydicom.dcmread(sys.argv[1])
ref = d.ReferencedSeriesSequence[0]
print(json.dumps({
  "sopClass": d.SOPClassUID, "modality": d.Modality, "creator": str(d.ContentCreatorName),
  "study": d.StudyInstanceUID, "refSeries": ref.SeriesInstanceUID,
  "refSops": [i.ReferencedSOPInstanceUID for i in ref.ReferencedInstanceSequence],
  "frames": int(d.NumberOfFrames), "segments": len(d.SegmentSequence),
  "sourceSops": sorted({s.ReferencedSOPInstanceUID for f in d.PerFrameFunctionalGroupsSequence for s in f.DerivationImageSequence[0].SourceImageSequence}),
}))`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, file], { encoding: 'utf8' }));
}

test(
  'confirm a finding, mark done, push: the SEG in Orthanc references the series and names the reader',
  { skip: missing, timeout: 60_000 },
  async () => {
    const [a] = studies;
    const early = await call('POST', '/api/pacs/servers/orthanc/push', { seriesUid: pulledUid });
    assert.equal(early.status, 409);
    assert.match(early.json().detail, /mark its review done before pushing/);

    const findings = await ok<FindingInfo[]>('GET', `/api/series/${pulledUid}/findings`);
    assert.ok(findings.length > 0, 'the model proposed a finding');
    await ok('POST', `/api/findings/${findings[0]!.id}/decision`, { kind: 'confirmed' });
    await ok('POST', `/api/series/${pulledUid}/status`, { status: 'done' });

    const pushed = await ok<PacsPushResult>('POST', '/api/pacs/servers/orthanc/push', {
      seriesUid: pulledUid,
    });
    // The SEG and its measurement report (TID 1500 SR), both stored.
    assert.equal(pushed.stored, 2);
    assert.equal(pushed.failed, 0);
    const [outcome, report] = pushed.outcomes;
    assert.equal(outcome!.status, 'stored');
    assert.equal(outcome!.sopClassUid, '1.2.840.10008.5.1.4.1.1.66.4');
    assert.equal(report!.status, 'stored');
    assert.equal(report!.sopClassUid, '1.2.840.10008.5.1.4.1.1.88.33');

    const seg = await storedSeg(outcome!.sopInstanceUid);
    const sourceSops = new Set(a!.files.map((f) => dump(f, 'SOPInstanceUID')));
    assert.equal(seg.modality, 'SEG');
    assert.equal(seg.creator, 'reader-a');
    assert.equal(seg.study, a!.truth.studyInstanceUid);
    assert.equal(seg.refSeries, pulledUid);
    assert.equal(seg.segments, 1);
    assert.ok(seg.refSops.length > 0 && seg.refSops.every((uid: string) => sourceSops.has(uid)));
    assert.ok(seg.sourceSops.every((uid: string) => sourceSops.has(uid)));
    // Orthanc now lists them as SEG and SR series of the study, beside the CT.
    const series = await ok<PacsSeries[]>(
      'GET',
      `/api/pacs/servers/orthanc/studies/${a!.truth.studyInstanceUid}/series`,
    );
    assert.deepEqual(series.map((s) => s.modality).sort(), ['CT', 'SEG', 'SR']);
  },
);

test(
  'a STOW answered 500 waits in the retry queue, listed, and a later retry stores it',
  { skip: missing, timeout: 60_000 },
  async () => {
    await ok('PUT', '/api/pacs/servers/flaky', {
      baseUrl: `${proxy.url}/dicom-web`,
      auth: { type: 'basic', username: orthanc.user },
      secret: orthanc.password,
    });
    const failed = await ok<PacsPushResult>('POST', '/api/pacs/servers/flaky/push', { seriesUid: pulledUid });
    assert.equal(failed.failed, 2, 'the SEG and its measurement report');
    const [outcome, report] = failed.outcomes;
    for (const o of [outcome!, report!]) {
      assert.equal(o.status, 'failed');
      assert.equal(o.queued, true);
      assert.match(o.reason!, /DICOMweb server "flaky" .* answered HTTP 500: storage volume full/);
    }
    const sops = [outcome!.sopInstanceUid, report!.sopInstanceUid];

    let queue = await ok<{ entries: PacsQueueEntry[] }>('GET', '/api/pacs/queue');
    assert.deepEqual(
      queue.entries.map((e) => [e.server, e.sopInstanceUid, e.attempts]),
      sops.map((sop) => ['flaky', sop, 1]),
    );

    const stillDown = await ok<PacsPushResult>('POST', '/api/pacs/queue/retry', { server: 'flaky' });
    assert.equal(stillDown.failed, 2);
    queue = await ok<{ entries: PacsQueueEntry[] }>('GET', '/api/pacs/queue');
    assert.deepEqual(
      queue.entries.map((e) => e.attempts),
      [2, 2],
      'a failed retry is counted, the entry kept',
    );

    proxy.failStow = false;
    const retried = await ok<PacsPushResult>('POST', '/api/pacs/queue/retry');
    assert.deepEqual(
      retried.outcomes.map((o) => [o.sopInstanceUid, o.status, o.queued]),
      sops.map((sop) => [sop, 'stored', false]),
    );
    assert.equal((await ok<{ entries: PacsQueueEntry[] }>('GET', '/api/pacs/queue')).entries.length, 0);
    const seg = await storedSeg(outcome!.sopInstanceUid);
    assert.equal(seg.refSeries, pulledUid);
    assert.equal(seg.creator, 'reader-a');
  },
);

test(
  'a queued push whose server was removed stays queued, named, until the server is back',
  { skip: missing },
  async () => {
    const flaky = { baseUrl: `${proxy.url}/dicom-web`, auth: { type: 'basic', username: orthanc.user } };
    proxy.failStow = true;
    await ok('PUT', '/api/pacs/servers/flaky', { ...flaky, secret: orthanc.password });
    const failed = await ok<PacsPushResult>('POST', '/api/pacs/servers/flaky/push', { seriesUid: pulledUid });
    const sops = failed.outcomes.map((o) => o.sopInstanceUid);
    assert.equal(sops.length, 2, 'the SEG and its measurement report');
    await ok('DELETE', '/api/pacs/servers/flaky');
    const unknown = await call('POST', '/api/pacs/servers/flaky/test');
    assert.equal(unknown.status, 404);
    assert.match(
      unknown.json().detail,
      /no DICOMweb server named "flaky" \(set up: orthanc, fromenv\) — add it/,
    );

    const retried = await ok<PacsPushResult>('POST', '/api/pacs/queue/retry');
    assert.deepEqual(
      retried.outcomes.map((o) => [o.sopInstanceUid, o.status, o.queued]),
      sops.map((sop) => [sop, 'failed', true]),
    );
    assert.match(retried.outcomes[0]!.reason!, /no DICOMweb server named "flaky"/);
    const queue = await ok<{ entries: PacsQueueEntry[] }>('GET', '/api/pacs/queue');
    assert.deepEqual(
      queue.entries.map((e) => e.sopInstanceUid),
      sops,
    );

    proxy.failStow = false;
    await ok('PUT', '/api/pacs/servers/flaky', { ...flaky, secret: orthanc.password });
    const back = await ok<PacsPushResult>('POST', '/api/pacs/queue/retry');
    assert.equal(back.stored, 2);
    assert.equal((await ok<{ entries: PacsQueueEntry[] }>('GET', '/api/pacs/queue')).entries.length, 0);
  },
);

test('the password is nowhere: dataset, settings, queue, logs, API answers', { skip: missing }, async () => {
  const forms = [
    orthanc.password,
    Buffer.from(orthanc.password).toString('base64'),
    Buffer.from(`${orthanc.user}:${orthanc.password}`).toString('base64'),
  ];
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(t.dir); // the dataset (and its -wal), the reader file
  walk(pacsDir); // settings, pull cache, push queue
  assert.ok(files.some((f) => f.endsWith('overread.db')));
  assert.ok(files.some((f) => f.endsWith('pacs-servers.json')));
  for (const file of files) {
    const bytes = readFileSync(file);
    for (const form of forms) assert.ok(!bytes.includes(form), `${file} does not hold the secret`);
  }
  for (const text of [...answers, ...logged])
    for (const form of forms) assert.ok(!text.includes(form), 'no API answer or log line holds the secret');
  assert.ok(answers.length > 20);
});
