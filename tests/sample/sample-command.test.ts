// `overread sample` as a user runs it: writes studies, reports progress on stderr, and refuses bad arguments
// with a one-line reason and a non-zero exit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/overread.js', import.meta.url));

function overread(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
}

test('overread sample writes the requested studies and reports progress', () => {
  const root = mkdtempSync(join(tmpdir(), 'overread-sample-cli-'));
  try {
    const result = overread(
      'sample',
      root,
      '--studies',
      '2',
      '--size',
      '32',
      '--slices',
      '5',
      '--seed',
      'cli',
    );
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /2\/2 studies written/);
    assert.deepEqual(readdirSync(root).sort(), ['study-001', 'study-002']);
    assert.ok(existsSync(join(root, 'study-002', 'truth.json')));
    assert.equal(readdirSync(join(root, 'study-001', 'dicom')).length, 5);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('overread sample refuses bad arguments with one line and a non-zero exit', () => {
  for (const args of [['--size', '7'], ['--studies', 'many'], []]) {
    const result = overread('sample', ...(args.length ? [join(tmpdir(), 'never-written'), ...args] : []));
    assert.notEqual(result.status, 0, args.join(' '));
    assert.ok(result.stderr.trim().length > 0);
  }
  const bad = overread('sample', join(tmpdir(), 'never-written'), '--size', '7');
  assert.equal(bad.stderr.trim().split('\n').length, 1);
  assert.match(bad.stderr, /--size 7 must be a whole number from 32 to 1024/);
  assert.ok(!existsSync(join(tmpdir(), 'never-written')));
});
