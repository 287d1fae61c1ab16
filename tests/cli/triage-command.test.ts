import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installTestModel } from '../inference/test-models.ts';
import { triageStudies } from './fixtures/triage-studies.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));

let studies: string;
let truth: { centreMm: [number, number, number]; radiusMm: number };
let modelsDir: string;
let work: string;

function triage(...args: string[]) {
  return spawnSync(process.execPath, ['bin/overread.js', 'triage', ...args], { cwd: repo, encoding: 'utf8' });
}

before(() => {
  studies = triageStudies();
  truth = JSON.parse(readFileSync(join(studies, 'truth.json'), 'utf8'));
  modelsDir = mkdtempSync(join(tmpdir(), 'overread-triage-models-'));
  work = mkdtempSync(join(tmpdir(), 'overread-triage-out-'));
  // probability = sigmoid(10 x - 5), x = HU windowed [-1000, 400]: 400 HU → 0.993, -500 HU → 0.19, air → 0.007.
  // p = 0.5 exactly where x = 0.5, half-way across the sphere's edge, so threshold 0.5 measures it unbiased.
  installTestModel(
    modelsDir,
    { kind: 'fast', a: 10, b: -5, channels: 3 },
    { id: 'cli-test', version: '1.2.3' },
  );
});

after(() => {
  rmSync(modelsDir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

test('triage ranks series by suspicion and writes the worklist JSON', () => {
  const json = join(work, 'worklist.json');

  const run = triage(
    studies,
    '--model',
    'cli-test',
    '--models',
    modelsDir,
    '--json',
    json,
    '--threshold',
    '0.5',
  );

  assert.equal(run.status, 0, run.stderr);
  const worklist = JSON.parse(readFileSync(json, 'utf8'));
  assert.deepEqual(Object.keys(worklist), ['model', 'series']);
  const onnx = readFileSync(join(modelsDir, 'cli-test', 'model.onnx'));
  assert.deepEqual(worklist.model, {
    id: 'cli-test',
    version: '1.2.3',
    sha256: createHash('sha256').update(onnx).digest('hex'),
  });
  assert.equal(worklist.series.length, 2, 'the single-image series is skipped');
  for (const series of worklist.series) {
    assert.deepEqual(Object.keys(series), [
      'studyInstanceUid',
      'seriesInstanceUid',
      'patientId',
      'score',
      'seconds',
      'warnings',
      'findings',
    ]);
  }
  const [first, second] = worklist.series;
  assert.equal(first.patientId, 'TRIAGE1');
  assert.equal(second.patientId, 'TRIAGE2');
  assert.ok(first.score > second.score);
  assert.ok(Math.abs(first.score - 1 / (1 + Math.exp(-5))) < 0.01, `score ${first.score}`);
  assert.deepEqual(second.findings, []);
  assert.ok(
    Math.abs(second.score - 1 / (1 + Math.exp(-(10 * (500 / 1400) - 5)))) < 0.01,
    `score ${second.score}`,
  );
  assert.equal(first.findings.length, 1);
  const finding = first.findings[0];
  assert.deepEqual(Object.keys(finding), [
    'id',
    'score',
    'centerMm',
    'volumeMm3',
    'diameterMm',
    'sliceRange',
  ]);
  finding.centerMm.forEach((v: number, a: number) =>
    assert.ok(Math.abs(v - truth.centreMm[a]) < 0.75, `centre ${finding.centerMm} vs ${truth.centreMm}`),
  );
  const sphere = (4 / 3) * Math.PI * truth.radiusMm ** 3;
  assert.ok(Math.abs(finding.volumeMm3 / sphere - 1) < 0.1, `volume ${finding.volumeMm3} vs ${sphere}`);
  assert.ok(Math.abs(finding.diameterMm - 2 * truth.radiusMm) < 1.6, `diameter ${finding.diameterMm}`);
  // The sphere spans z = -88.9 ± 5 mm; slice centres inside it: z = -92.5 … -85, slices 5 … 10.
  assert.deepEqual(finding.sliceRange, [5, 10]);

  assert.match(run.stderr, /skipped series [\d.]+: a single image/);
  const lines = run.stdout.trim().split('\n');
  assert.match(lines[0], /model cli-test 1\.2\.3/);
  assert.match(lines[2], /^1\s+0\.99\d\s+1\s+.*TRIAGE1/);
  assert.match(lines[3], /^2\s+0\.1\d\d\s+0\s+—\s+TRIAGE2/);
});

test('a model that is not installed, or was tampered with, is refused with the reason', () => {
  const unknown = triage(studies, '--model', 'nope', '--models', modelsDir);
  assert.equal(unknown.status, 1);
  // The bundled models are listed too; the user folder's model is among them.
  assert.match(unknown.stderr, /no model "nope" is installed \(installed: [^)]*\bcli-test\b[^)]*\)/);

  const tamperedDir = mkdtempSync(join(tmpdir(), 'overread-triage-tampered-'));
  try {
    const dir = installTestModel(tamperedDir, { kind: 'fast', a: 1, b: 0, channels: 3 }, { id: 'tampered' });
    execFileSync('/usr/bin/python3', [
      '-c',
      'import sys; open(sys.argv[1], "ab").write(b"x")',
      join(dir, 'model.onnx'),
    ]);
    const run = triage(studies, '--model', 'tampered', '--models', tamperedDir);
    assert.equal(run.status, 1);
    assert.match(
      run.stderr,
      /model tampered: sha256 mismatch — the file was changed or corrupted; reinstall it/,
    );
  } finally {
    rmSync(tamperedDir, { recursive: true, force: true });
  }
});

test('a bad threshold is refused before any work', () => {
  const run = triage(studies, '--model', 'cli-test', '--models', modelsDir, '--threshold', '2');
  assert.equal(run.status, 1);
  assert.match(run.stderr, /--threshold 2 is not a probability in \(0, 1\]/);
});
