// `overread triage --db FILE`: the runs and their findings land in the dataset as proposals (pydicom-written
// series, the same fixture as triage-command.test.ts, shared through its cache folder).
import { before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { installTestModel } from '../inference/test-models.ts';
import { triageStudies } from './fixtures/triage-studies.ts';
import { openDataset } from '../../src/dataset/open-dataset.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
let studies: string;
let modelsDir: string;
let work: string;

before(() => {
  studies = triageStudies();
  modelsDir = mkdtempSync(join(tmpdir(), 'overread-triage-db-models-'));
  work = mkdtempSync(join(tmpdir(), 'overread-triage-db-'));
  installTestModel(
    modelsDir,
    { kind: 'fast', a: 10, b: -5, channels: 3 },
    { id: 'db-test', version: '2.0.0' },
  );
});

after(() => {
  rmSync(modelsDir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

/** `overread triage STUDIES --model ID --models DIR --db DB`, which must succeed. */
function triageInto(db: string, model: string, models: string): void {
  const run = spawnSync(
    process.execPath,
    ['bin/overread.js', 'triage', studies, '--model', model, '--models', models, '--db', db],
    { cwd: repo, encoding: 'utf8' },
  );
  assert.equal(run.status, 0, run.stderr);
}

test('triage --db records every run and its findings as proposals, waiting in the worklist', () => {
  const db = join(work, 'night.sqlite');
  triageInto(db, 'db-test', modelsDir);

  const store = openDataset(db);
  try {
    const { rows, total } = store.worklist({});
    assert.equal(total, 3, 'all three series imported, the single image too');
    const [first, second, third] = rows;
    assert.equal(first.series.patientId, 'TRIAGE1');
    assert.equal(first.series.status, 'flagged');
    assert.equal(first.findingCount, 1);
    assert.equal(second.series.patientId, 'TRIAGE2');
    assert.equal(second.series.status, 'no-findings');
    assert.equal(third.series.status, 'outside-scope');
    assert.equal(third.series.score, null);

    const [runRecord] = store.runs(first.series.seriesUid);
    assert.equal(runRecord.state, 'complete');
    assert.equal(runRecord.model.id, 'db-test');
    assert.equal(runRecord.model.version, '2.0.0');
    assert.match(runRecord.model.sha256, /^[0-9a-f]{64}$/);
    assert.ok(runRecord.seconds! > 0);
    const [skippedRun] = store.runs(third.series.seriesUid);
    assert.equal(skippedRun.state, 'skipped');
    assert.match(skippedRun.message!, /single image/);

    const [finding] = store.findings(first.series.seriesUid);
    assert.equal(finding.source, 'model');
    assert.equal(finding.decision, null);
    assert.deepEqual(finding.sliceRange, [5, 10]);
    const voxels = store.maskVoxels(finding.id, 'proposal');
    assert.ok(voxels.length > 0);
    // The stored probability slice at the finding's focus is above the run's threshold there.
    const plane = first.series.rows * first.series.columns;
    const slice = store.probabilitySlice(runRecord.id, finding.focusSlice)!;
    assert.equal(slice.length, plane);
    assert.ok(slice[finding.focusPoint[0] + finding.focusPoint[1] * first.series.columns] >= 128);
    assert.deepEqual(store.roots(), [studies]);
    assert.equal(store.verifyAudit().ok, true);
  } finally {
    store.close();
  }
});

test('triage --db marks series outside the model’s scope as the app does: run, nothing found, and why', () => {
  const narrowModels = mkdtempSync(join(tmpdir(), 'overread-triage-db-narrow-'));
  try {
    // probability ≈ 0 everywhere, trained (it says) on 5–10 mm slices only.
    installTestModel(
      narrowModels,
      { kind: 'fast', a: 0, b: -10, channels: 3 },
      {
        id: 'narrow',
        trainingRanges: { pixelSpacingMm: [0.1, 5], sliceThicknessMm: [5, 10], intensity: [-2000, 4000] },
      },
    );
    const db = join(work, 'narrow.sqlite');
    triageInto(db, 'narrow', narrowModels);
    const store = openDataset(db);
    try {
      const rows = store.worklist({}).rows;
      assert.equal(rows.length, 3);
      for (const row of rows) {
        assert.equal(row.series.status, 'outside-scope', row.series.patientId);
        assert.equal(row.findingCount, 0);
        assert.ok(row.series.scopeWarnings.length > 0, `${row.series.patientId}: why`);
      }
      const ran = rows.filter((row) => !row.series.scopeWarnings[0]!.startsWith('skipped'));
      assert.equal(ran.length, 2, 'two series ran, the single image was skipped');
      for (const row of ran) assert.match(row.series.scopeWarnings.join('\n'), /thickness/i);
    } finally {
      store.close();
    }
  } finally {
    rmSync(narrowModels, { recursive: true, force: true });
  }
});
