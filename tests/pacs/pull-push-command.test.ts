// `overread pull` and `overread push` as a user runs them, against a real Orthanc (authentication on) loaded
// with studies written by `overread sample`: connection test, missing secret, a batch pull by date and
// modality with nothing patient-identifying printed, a second pull that fetches nothing, a pull handed to
// triage, a SEG pushed, and a push to a dead server kept in the queue until `push --retry`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { saveServers, type PacsServer } from '../../src/pacs/server-settings.ts';
import { loadSeriesVolume } from '../../src/export/load-series-volume.ts';
import { readSourceHeader, writeSeg } from '../../src/dicom/write-seg/write-seg.ts';
import { installTestModel } from '../inference/test-models.ts';
import { freePort, orthancAvailable, startOrthanc, type OrthancServer } from './orthanc-server.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const missing = orthancAvailable();
let orthanc: OrthancServer;
let work: string;
let dataDir: string;
let studies: {
  dir: string;
  files: string[];
  study: string;
  series: string;
  patientName: string;
  patientId: string;
}[];

function overread(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['bin/overread.js', ...args], {
    cwd: repo,
    encoding: 'utf8',
    input: '',
    env: { ...process.env, OVERREAD_DATA_DIR: dataDir, ...env },
  });
}

function withPassword(args: string[]) {
  return overread(args, { OVERREAD_PACS_ORTHANC_PASSWORD: orthanc.password });
}

function dump(file: string, tag: string): string {
  const out = execFileSync('dcmdump', ['+P', tag, file], { encoding: 'utf8' });
  return /\[(.*)\]/.exec(out)?.[1] ?? '';
}

before(async () => {
  if (missing) return;
  work = mkdtempSync(join(tmpdir(), 'overread-pacs-cli-'));
  dataDir = join(work, 'data');
  const sampleDir = join(work, 'samples');
  const sample = spawnSync(
    process.execPath,
    [
      'bin/overread.js',
      'sample',
      sampleDir,
      '--studies',
      '2',
      '--seed',
      'pacs-cli',
      '--size',
      '128',
      '--slices',
      '16',
    ],
    { cwd: repo, encoding: 'utf8' },
  );
  assert.equal(sample.status, 0, sample.stderr);
  studies = readdirSync(sampleDir)
    .sort()
    .map((name) => {
      const dir = join(sampleDir, name);
      const truth = JSON.parse(readFileSync(join(dir, 'truth.json'), 'utf8'));
      const files = truth.slices.map((s: { file: string }) => join(dir, s.file));
      return {
        dir,
        files,
        study: truth.studyInstanceUid,
        series: truth.seriesInstanceUid,
        patientName: dump(files[0], 'PatientName'),
        patientId: dump(files[0], 'PatientID'),
      };
    });
  assert.equal(studies.length, 2);
  orthanc = await startOrthanc();
  await orthanc.upload(studies.flatMap((s) => s.files));
  const servers: PacsServer[] = [
    { name: 'orthanc', baseUrl: orthanc.dicomWebUrl, auth: { type: 'basic', username: orthanc.user } },
    { name: 'down', baseUrl: `http://127.0.0.1:${await freePort()}/dicom-web`, auth: { type: 'none' } },
  ];
  await saveServers(dataDir, servers);
});

after(async () => {
  await orthanc?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test(
  'pull --test checks the credentials; without a secret it says which variable to set',
  { skip: missing },
  () => {
    const ok = withPassword(['pull', '--server', 'orthanc', '--test']);
    assert.equal(ok.status, 0, ok.stderr);
    assert.match(ok.stdout, /"orthanc".*connected, credentials accepted/);
    const none = overread(['pull', '--server', 'orthanc', '--test']);
    assert.equal(none.status, 1);
    assert.match(none.stderr, /needs a password: set OVERREAD_PACS_ORTHANC_PASSWORD/);
    const unknown = overread(['pull', '--server', 'nope', '--test']);
    assert.equal(unknown.status, 1);
    assert.match(unknown.stderr, /no DICOMweb server named "nope" .*known: orthanc, down/);
  },
);

test(
  'pull --since --modality CT fetches every study, prints no patient data, and resumes to nothing',
  { skip: missing },
  () => {
    const listed = withPassword([
      'pull',
      '--server',
      'orthanc',
      '--since',
      '1900-01-01',
      '--modality',
      'CT',
      '--list',
    ]);
    assert.equal(listed.status, 0, listed.stderr);
    for (const s of studies) assert.match(listed.stdout, new RegExp(s.study.replace(/\./g, '\\.')));

    const run = withPassword(['pull', '--server', 'orthanc', '--since', '1900-01-01', '--modality', 'CT']);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stderr, /pulled 2 of 2 series/);
    for (const s of studies) {
      const folder = join(dataDir, 'pacs-cache', s.study, s.series);
      assert.equal(readdirSync(folder).length, 16);
      for (const file of s.files) {
        const sop = dump(file, 'SOPInstanceUID');
        assert.ok(readFileSync(join(folder, `${sop}.dcm`)).equals(readFileSync(file)));
      }
      for (const text of [run.stdout, run.stderr, listed.stdout, listed.stderr]) {
        assert.ok(
          !text.includes(s.patientName) && !text.includes(s.patientId),
          'no patient name or ID printed',
        );
      }
    }
    const again = withPassword(['pull', '--server', 'orthanc', '--since', '19000101']);
    assert.equal(again.status, 0, again.stderr);
    assert.equal((again.stdout.match(/16 instances \(0 fetched, 16 already here\)/g) ?? []).length, 2);
    const mr = withPassword(['pull', '--server', 'orthanc', '--since', '19000101', '--modality', 'MR']);
    assert.equal(mr.status, 0);
    assert.match(mr.stderr, /nothing .* matches/);
  },
);

test('pull --study --triage hands the pulled series to triage', { skip: missing }, () => {
  const models = join(work, 'models');
  installTestModel(
    models,
    { kind: 'fast', a: 10, b: -5, channels: 3 },
    { id: 'pacs-test', version: '0.0.1' },
  );
  const json = join(work, 'worklist.json');
  const cache = join(work, 'triage-cache');
  const [first] = studies;
  const run = withPassword([
    'pull',
    '--server',
    'orthanc',
    '--study',
    first.study,
    '--cache',
    cache,
    '--triage',
    '--models',
    models,
    '--model',
    'pacs-test',
    '--json',
    json,
  ]);
  assert.equal(run.status, 0, run.stderr);
  const worklist = JSON.parse(readFileSync(json, 'utf8'));
  assert.equal(worklist.model.id, 'pacs-test');
  assert.deepEqual(
    worklist.series.map((s: { seriesInstanceUid: string }) => s.seriesInstanceUid),
    [first.series],
  );
});

async function segFor(s: (typeof studies)[number], path: string): Promise<string> {
  const { volume, sourceImages } = await loadSeriesVolume(s.files, s.series);
  const perSlice = volume.geometry.size[0] * volume.geometry.size[1];
  const seg = writeSeg({
    geometry: volume.geometry,
    sourceImages,
    sourceHeader: readSourceHeader(s.files[0], new Uint8Array(readFileSync(s.files[0]))),
    contentCreatorName: 'Reader^Bob',
    // A reader's drawn label on slice 3: the body (above -500 HU) — real pixels, not a constant.
    segments: [
      {
        label: 'Body',
        algorithmType: 'MANUAL',
        mask: {
          indices: Uint32Array.from({ length: perSlice }, (_, i) => 3 * perSlice + i).filter(
            (i) => volume.voxels[i] > -500,
          ),
        },
      },
    ],
  });
  writeFileSync(path, seg.bytes);
  return seg.sopInstanceUid;
}

test(
  'push stores a SEG; a push to a dead server waits in the queue until push --retry',
  { skip: missing },
  async () => {
    const [, second] = studies;
    const segFile = join(work, 'bob-seg.dcm');
    const sop = await segFor(second, segFile);
    const pushed = withPassword(['push', '--server', 'orthanc', segFile]);
    assert.equal(pushed.status, 0, pushed.stderr);
    assert.match(pushed.stdout, new RegExp(`^stored\\s+${sop.replace(/\./g, '\\.')}`, 'm'));

    const lostFile = join(work, 'bob-seg-2.dcm');
    const lostSop = await segFor(second, lostFile);
    const down = overread(['push', '--server', 'down', lostFile]);
    assert.equal(down.status, 1);
    assert.match(
      down.stdout,
      /failed .*could not connect to DICOMweb server "down".*connection refused.*\(kept in the retry queue\)/,
    );
    const queued = overread(['push', '--queue']);
    assert.match(queued.stdout, new RegExp(`^down\\s+${lostSop.replace(/\./g, '\\.')}\\s+1 attempt`, 'm'));

    // The archive moves: the "down" entry now points at Orthanc; the retry sends the queued copy.
    rmSync(lostFile);
    await saveServers(dataDir, [
      { name: 'orthanc', baseUrl: orthanc.dicomWebUrl, auth: { type: 'basic', username: orthanc.user } },
      { name: 'down', baseUrl: orthanc.dicomWebUrl, auth: { type: 'basic', username: orthanc.user } },
    ]);
    const retried = overread(['push', '--retry'], { OVERREAD_PACS_DOWN_PASSWORD: orthanc.password });
    assert.equal(retried.status, 0, retried.stderr + retried.stdout);
    assert.match(retried.stdout, new RegExp(`^stored\\s+${lostSop.replace(/\./g, '\\.')}`, 'm'));
    assert.match(overread(['push', '--queue']).stderr, /^0 objects wait/m);

    // Both SEGs are now in the archive as separate series of the study.
    const list = withPassword([
      'pull',
      '--server',
      'orthanc',
      '--study',
      second.study,
      '--modality',
      'SEG',
      '--cache',
      join(work, 'seg-cache'),
    ]);
    assert.equal(list.status, 0, list.stderr);
    assert.equal((list.stdout.match(/^SEG {2}1 instances/gm) ?? []).length, 2);
  },
);
