import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDataset } from '../../src/dataset/open-dataset.ts';
import { ballFinding, MODEL, outcomeOf, square, syntheticStudy, tempDir } from './dataset-fixtures.ts';

const SIZE: [number, number, number] = [64, 64, 20];

test('a run records model, threshold and params, and completes with its findings and probability map', () => {
  const t = tempDir();
  const store = openDataset(join(t.dir, 'd.sqlite'));
  try {
    const { study, geometry } = syntheticStudy('1.2', { patientId: 'P2', patientName: 'N' }, [
      { seriesUid: '1.2.1' },
    ]);
    store.importStudy(study, geometry);
    const runId = store.startRun('1.2.1', MODEL, 0.45, { batchSize: 8, device: 'cpu' });
    let run = store.run(runId)!;
    assert.equal(run.state, 'running');
    assert.deepEqual(run.model, MODEL);
    assert.equal(run.threshold, 0.45);
    assert.deepEqual(run.params, { batchSize: 8, device: 'cpu' });
    assert.equal(store.series('1.2.1')!.status, 'model-running');
    assert.deepEqual(store.findings('1.2.1'), [], 'nothing shown while the run is running');

    const outcome = outcomeOf(SIZE, [ballFinding(1, SIZE, [20, 20, 10], 3, 0.9)], 4.25);
    const [finding] = store.finishRun(runId, outcome);
    run = store.run(runId)!;
    assert.equal(run.state, 'complete');
    assert.equal(run.score, 0.9);
    assert.equal(run.seconds, 4.25);
    assert.ok(run.finishedAt);
    const series = store.series('1.2.1')!;
    assert.equal(series.status, 'flagged');
    assert.equal(series.score, 0.9);
    assert.equal(series.latestRunId, runId);
    assert.equal(finding.runId, runId);
    assert.deepEqual(store.maskVoxels(finding.id, 'proposal'), outcome.findings[0].voxels);
    for (const k of [0, 10, 19]) {
      assert.deepEqual(
        store.probabilitySlice(runId, k),
        outcome.probability.subarray(k * 4096, (k + 1) * 4096),
      );
    }
    assert.equal(store.probabilitySlice(runId, 20), undefined);
    assert.throws(() => store.finishRun(runId, outcome), /already complete; start a new run/);
    assert.throws(
      () =>
        store.finishRun(store.startRun('1.2.1', MODEL, 0.5, {}), {
          ...outcome,
          probability: new Uint8Array(5),
        }),
      /probability map holds 5 values but series 1.2.1 has 81920 voxels/,
    );

    // A newer complete run replaces the findings shown; the old run's stay stored.
    const second = store.startRun('1.2.1', MODEL, 0.5, {});
    store.finishRun(second, outcomeOf(SIZE, []));
    assert.deepEqual(store.findings('1.2.1'), []);
    assert.equal(store.series('1.2.1')!.status, 'no-findings');
    assert.ok(store.finding(finding.id));
    assert.deepEqual(
      store.runs('1.2.1').map((r) => r.state),
      ['complete', 'running', 'complete'],
    );
  } finally {
    store.close();
    t.remove();
  }
});

test('failed and skipped runs say why and put the series back where it can be seen', () => {
  const t = tempDir();
  const store = openDataset(join(t.dir, 'd.sqlite'));
  try {
    const { study, geometry } = syntheticStudy('1.3', { patientId: 'P3', patientName: 'N' }, [
      { seriesUid: '1.3.1' },
      { seriesUid: '1.3.2' },
    ]);
    store.importStudy(study, geometry);
    const failed = store.startRun('1.3.1', MODEL, 0.5, {});
    store.failRun(failed, 'failed', 'model process exited');
    assert.equal(store.run(failed)!.state, 'failed');
    assert.equal(store.run(failed)!.message, 'model process exited');
    assert.equal(store.series('1.3.1')!.status, 'unread');
    const skipped = store.startRun('1.3.2', MODEL, 0.5, {});
    store.failRun(skipped, 'skipped', 'slice thickness 5 mm is above the model’s 2.5 mm');
    assert.equal(store.series('1.3.2')!.status, 'outside-scope');
    assert.throws(() => store.failRun(skipped, 'failed', 'x'), /already skipped/);
    assert.throws(() => store.startRun('1.3.1', MODEL, 0, {}), /threshold 0 is outside/);
  } finally {
    store.close();
    t.remove();
  }
});

test('a run left running by a process that died is marked failed when the dataset is next opened', () => {
  const t = tempDir();
  try {
    const file = join(t.dir, 'd.sqlite');
    const store = openDataset(file);
    const { study, geometry } = syntheticStudy('1.4', { patientId: 'P4', patientName: 'N' }, [
      { seriesUid: '1.4.1' },
    ]);
    store.importStudy(study, geometry);
    const mine = store.startRun('1.4.1', MODEL, 0.5, {});
    store.close();
    // A pid that existed and is gone: a finished child process's.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    const db = new Database(file);
    db.prepare('UPDATE model_runs SET owner_pid = ? WHERE id = ?').run(Number(dead.stdout), mine);
    db.close();
    const reopened = openDataset(file);
    assert.equal(reopened.run(mine)!.state, 'failed');
    assert.match(reopened.run(mine)!.message!, /interrupted/);
    assert.equal(reopened.series('1.4.1')!.status, 'unread');
    // A run owned by a live process (this one) is left alone.
    const live = reopened.startRun('1.4.1', MODEL, 0.5, {});
    reopened.close();
    const again = openDataset(file);
    assert.equal(again.run(live)!.state, 'running');
    again.close();
  } finally {
    t.remove();
  }
});

test('a model’s own run decides whether the series is outside its scope; a run derived from a kept map leaves that', () => {
  const t = tempDir();
  const store = openDataset(join(t.dir, 'd.sqlite'));
  try {
    const { study, geometry } = syntheticStudy('1.5', { patientId: 'P5', patientName: 'N' }, [
      { seriesUid: '1.5.1' },
    ]);
    store.importStudy(study, geometry);
    const thick = 'outside the model’s scope: slice thickness 5 mm, trained on 0.6–2.5 mm';
    const note = 'model m: onnxruntime’s int8 kernels on this CPU do not compute what the model’s graph says';
    const finish = (outcome: Parameters<typeof store.finishRun>[1]) =>
      store.finishRun(store.startRun('1.5.1', MODEL, 0.5, {}), outcome);

    // Nothing found, a scope warning: outside-scope, with every warning of the run shown.
    finish({ ...outcomeOf(SIZE, []), warnings: [thick, note], scopeWarnings: [thick] });
    assert.equal(store.series('1.5.1')!.status, 'outside-scope');
    assert.deepEqual(store.series('1.5.1')!.scopeWarnings, [thick, note]);
    // A run derived from the kept map (no scopeWarnings) keeps both.
    finish({ ...outcomeOf(SIZE, []), warnings: [] });
    assert.equal(store.series('1.5.1')!.status, 'outside-scope');
    assert.deepEqual(store.series('1.5.1')!.scopeWarnings, [thick, note]);
    // A model's rerun that finds something: flagged, outside-scope no more.
    finish({
      ...outcomeOf(SIZE, [ballFinding(1, SIZE, [20, 20, 10], 3, 0.9)]),
      warnings: [thick],
      scopeWarnings: [thick],
    });
    assert.equal(store.series('1.5.1')!.status, 'flagged');
    // Nothing found and only a note from the model process: an ordinary "no findings", the note still shown.
    finish({ ...outcomeOf(SIZE, []), warnings: [note], scopeWarnings: [] });
    assert.equal(store.series('1.5.1')!.status, 'no-findings');
    assert.deepEqual(store.series('1.5.1')!.scopeWarnings, [note]);
  } finally {
    store.close();
    t.remove();
  }
});

test('findings list most probable first, then the largest model finding; reader additions keep their order', () => {
  // A run stored before findings were sorted on the way in (an older dataset): equal scores, smaller first.
  const t = tempDir();
  const store = openDataset(join(t.dir, 'd.sqlite'));
  try {
    const { study, geometry } = syntheticStudy('1.4', { patientId: 'P4', patientName: 'N' }, [
      { seriesUid: '1.4.1' },
    ]);
    store.importStudy(study, geometry);
    const small = ballFinding(1, SIZE, [10, 10, 5], 2, 1);
    const large = ballFinding(2, SIZE, [40, 40, 10], 4, 1);
    const likely = ballFinding(3, SIZE, [20, 50, 15], 3, 0.8);
    const stored = store.finishRun(
      store.startRun('1.4.1', MODEL, 0.5, {}),
      outcomeOf(SIZE, [small, likely, large]),
    );
    assert.deepEqual(
      stored.map((f) => f.volumeMm3),
      [small, likely, large].map((f) => f.volumeMm3),
      'stored in the order given',
    );
    // The reader adds a small nodule, then a larger one: numbered in the order added, whatever their size.
    store.addReader('alice');
    const first = store.addFinding('1.4.1', 'alice', 3, square(5, 40, 3));
    const second = store.addFinding('1.4.1', 'alice', 12, square(30, 5, 12));
    const listed = store.findings('1.4.1', 'alice');
    assert.deepEqual(
      listed.map((f) => [f.source, f.score, f.volumeMm3]),
      [
        ['model', 1, large.volumeMm3],
        ['model', 1, small.volumeMm3],
        ['model', 0.8, likely.volumeMm3],
        ['reader', null, first.volumeMm3],
        ['reader', null, second.volumeMm3],
      ],
    );
    assert.ok(second.volumeMm3 > first.volumeMm3);
  } finally {
    store.close();
    t.remove();
  }
});
