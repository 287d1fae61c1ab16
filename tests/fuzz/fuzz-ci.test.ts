// The CI-sized fuzz run: a fixed seed's few thousand mutated DICOM files (sample study slices and the decode
// matrix, in every transfer syntax) through the index, decodeFrame, the DecodePool and the API's slice
// endpoint, asserting no crash, no hang, no error that is not a per-file error, and memory in proportion.
// `npm run fuzz -- --cases 100000` is the long run; failing inputs of this one are saved for a look.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULTS, formatSummary, runFuzz } from '../../scripts/fuzz/fuzz.ts';

const CASES = Number(process.env.OVERREAD_FUZZ_CASES ?? 2500);

test(
  `${CASES} fuzz cases (seed "ci-1"): no crash, hang, stray error or runaway memory`,
  { timeout: 600_000 },
  async () => {
    const failuresDir = path.join(os.tmpdir(), 'overread-fuzz-ci-failures');
    const summary = await runFuzz({
      ...DEFAULTS,
      cases: CASES,
      seed: 'ci-1',
      jobs: 2,
      apiEvery: 8,
      failuresDir,
    });
    console.log(formatSummary(summary));

    assert.equal(summary.cases, CASES);
    assert.deepEqual(
      summary.failures.map(
        (f) => `case ${f.caseNumber} ${f.kind} in ${f.target}: ${f.detail.split('\n')[0]}`,
      ),
      [],
    );
    // The run must really reach each target both ways, or "no failures" would mean nothing.
    for (const target of ['index', 'decode', 'pool', 'api']) {
      const row = summary.outcomes[target] ?? {};
      assert.ok((row.ok ?? 0) > 0, `${target}: no case succeeded`);
      assert.ok((row['file-error'] ?? 0) > 0, `${target}: no case was refused`);
    }
    assert.ok(summary.maxPeakRssBytes > 0, 'peak RSS was measured');
  },
);

test('the harness itself notices a hang, a crash, runaway memory and a stray error, and saves the input', async () => {
  const failuresDir = mkdtempSync(path.join(os.tmpdir(), 'overread-fuzz-selftest-'));
  const kinds = { hang: 'hang', crash: 'crash', memory: 'memory', 'stray-error': 'bad-error' } as const;
  for (const [selfTest, kind] of Object.entries(kinds)) {
    const summary = await runFuzz({
      ...DEFAULTS,
      cases: 1,
      seed: `selftest-${selfTest}`,
      jobs: 1,
      apiEvery: 0,
      budgetMs: 1500,
      failuresDir,
      selfTest: selfTest as keyof typeof kinds,
    });
    assert.deepEqual(
      summary.failures.map((f) => f.kind),
      [kind],
      `${selfTest}: ${formatSummary(summary)}`,
    );
    const saved = summary.failures[0].savedAs!;
    assert.ok(existsSync(saved) && readFileSync(saved).length > 0, `${selfTest}: input saved`);
  }
});
