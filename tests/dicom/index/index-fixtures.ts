// Test helper: the header-index fixtures, written by tests/fixtures/index/make-fixtures.py (pydicom, dcmmkdir,
// zip) once per script version into os.tmpdir(), so test files share them and re-runs cost nothing.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const script = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '../../fixtures/index/make-fixtures.py',
);

export function indexFixtures(): string {
  const hash = createHash('sha256').update(readFileSync(script)).digest('hex').slice(0, 12);
  const target = path.join(os.tmpdir(), `overread-index-fixtures-${hash}`);
  if (existsSync(target)) return target;
  const scratch = mkdtempSync(`${target}.tmp-`);
  const result = spawnSync('/usr/bin/python3', [script, scratch], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`make-fixtures.py failed: ${result.stderr}`);
  try {
    renameSync(scratch, target); // atomic: a concurrent test file either wins or finds the finished folder
  } catch {
    rmSync(scratch, { recursive: true, force: true });
  }
  return target;
}
