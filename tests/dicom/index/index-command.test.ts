// `overread index` as a user runs it: the real bin script in a child process, --json with exactly the
// documented keys, the tree by default, and a one-line reason with a non-zero exit for a missing path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { indexFixtures } from './index-fixtures.ts';

const root = indexFixtures();
const bin = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../bin/overread.js');
const overread = (...args: string[]) =>
  spawnSync(process.execPath, [bin, 'index', ...args], { encoding: 'utf8' });

test('--json prints exactly the documented keys', () => {
  const result = spawnSync(
    process.execPath,
    [bin, 'index', path.join(root, 'two'), path.join(root, 'hostile'), '--json'],
    {
      encoding: 'utf8',
    },
  );
  assert.equal(result.status, 0, result.stderr);
  const json = JSON.parse(result.stdout);
  assert.deepEqual(Object.keys(json), ['studies', 'skipped', 'errors']);
  assert.equal(json.skipped, 0);
  assert.equal(json.studies.length, 1);
  const study = json.studies[0];
  assert.deepEqual(Object.keys(study), [
    'studyInstanceUid',
    'patientId',
    'patientName',
    'studyDate',
    'description',
    'series',
  ]);
  assert.deepEqual(
    [study.patientId, study.patientName, study.studyDate],
    ['IDX-001', 'Test^Index', '20240102'],
  );
  assert.equal(study.series.length, 3);
  for (const series of study.series) {
    assert.deepEqual(Object.keys(series), [
      'seriesInstanceUid',
      'modality',
      'description',
      'instances',
      'frames',
      'rows',
      'columns',
      'warnings',
    ]);
  }
  assert.deepEqual(
    study.series.map((s: { description: string; instances: number; rows: number }) => [
      s.description,
      s.instances,
      s.rows,
    ]),
    [
      ['A', 5, 8],
      ['B', 4, 8],
      ['Axial', 1, 8],
    ],
  );
  assert.equal(json.errors.length, 4);
  for (const error of json.errors) assert.deepEqual(Object.keys(error), ['path', 'reason']);
});

test('the default output is a readable tree with warnings and errors', () => {
  const result = overread(path.join(root, 'missing'), path.join(root, 'hostile', 'huge.dcm'));
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^patient IDX-001 Test\^Index$/m);
  assert.match(result.stdout, /series #6 CT Axial — 6 files, 6 frames, 8×8/);
  assert.match(result.stdout, /! about 1 slice\(s\) missing/);
  assert.match(result.stdout, /^error: .*huge\.dcm: header claims/m);
});

test('a missing path exits non-zero with one line', () => {
  const result = overread(path.join(root, 'nope'));
  assert.equal(result.status, 1);
  assert.equal(result.stderr.trim().split('\n').length, 1);
  assert.match(result.stderr, /nope does not exist/);
});
