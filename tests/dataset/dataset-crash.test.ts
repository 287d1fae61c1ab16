// SIGKILL while writing: every change the store acknowledged must be there after reopening, the file must
// pass PRAGMA integrity_check, and no run may show complete without all it recorded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { openDataset } from '../../src/dataset/open-dataset.ts';
import { ballFinding, MODEL, outcomeOf, syntheticStudy, tempDir } from './dataset-fixtures.ts';

const writer = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));

/**
 * Runs the writer and SIGKILLs it once `killWhen` says so (checked on every stdout line); resolves with the
 * lines it printed and how it ended.
 */
function runAndKill(
  args: string[],
  killWhen: (lines: string[]) => number | undefined,
): Promise<{ lines: string[]; signal: NodeJS.Signals | null; code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', writer, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let partial = '';
    let stderr = '';
    let armed = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (partial + chunk).split('\n');
      partial = parts.pop()!;
      lines.push(...parts);
      const delay = armed ? undefined : killWhen(lines);
      if (delay !== undefined) {
        armed = true;
        setTimeout(() => child.kill('SIGKILL'), delay);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ lines, signal, code, stderr }));
  });
}

function integrity(file: string): string {
  const db = new Database(file, { readonly: true });
  try {
    return db.pragma('integrity_check', { simple: true }) as string;
  } finally {
    db.close();
  }
}

test('SIGKILL while deciding: every acknowledged decision survives and the file is intact', async () => {
  const t = tempDir();
  try {
    const file = join(t.dir, 'd.sqlite');
    const store = openDataset(file);
    const size: [number, number, number] = [64, 64, 20];
    const { study, geometry } = syntheticStudy('4.1', { patientId: 'P', patientName: 'N' }, [
      { seriesUid: '4.1.1' },
    ]);
    store.importStudy(study, geometry);
    store.addReader('crash');
    const runId = store.startRun('4.1.1', MODEL, 0.5, {});
    const findings = Array.from({ length: 600 }, (_, n) =>
      ballFinding(n + 1, size, [n % 60, Math.floor(n / 60) * 6, n % 20], 0, 0.9),
    );
    const ids = store.finishRun(runId, outcomeOf(size, findings)).map((f) => f.id);
    store.close();

    const result = await runAndKill(['decide', file, 'crash', ...ids.map(String)], (lines) =>
      lines.length >= 200 ? 0 : undefined,
    );
    assert.equal(result.signal, 'SIGKILL', `writer ended on its own: ${result.stderr}`);
    const acknowledged = result.lines.map(Number);
    assert.ok(
      acknowledged.length >= 200 && acknowledged.length < ids.length,
      `${acknowledged.length} acknowledged`,
    );

    assert.equal(integrity(file), 'ok');
    const reopened = openDataset(file);
    const decided = new Map(reopened.findings('4.1.1', 'crash').map((f) => [f.id, f.decision]));
    for (const [n, id] of acknowledged.entries()) {
      const decision = decided.get(id);
      assert.ok(decision, `acknowledged decision on finding ${id} is missing`);
      assert.equal(decision.kind, n % 2 ? 'rejected' : 'confirmed');
    }
    // At most the one in flight when the kill came is there beyond what was acknowledged.
    const stored = [...decided.values()].filter(Boolean).length;
    assert.ok(stored - acknowledged.length <= 1, `${stored} stored, ${acknowledged.length} acknowledged`);
    assert.equal(reopened.audit().filter((e) => e.action === 'decide').length, stored);
    assert.equal(reopened.verifyAudit().ok, true);
    console.log(`  killed after ${acknowledged.length} acknowledged decisions; ${stored} stored`);
    reopened.close();
  } finally {
    t.remove();
  }
});

test('SIGKILL during finishRun: the run is complete with everything, or not complete with nothing', async () => {
  const t = tempDir();
  try {
    const file = join(t.dir, 'd.sqlite');
    const store = openDataset(file);
    const { study, geometry } = syntheticStudy('4.2', { patientId: 'P', patientName: 'N' }, [
      { seriesUid: '4.2.1', rows: 128, columns: 128, slices: 120 },
    ]);
    store.importStudy(study, geometry);
    store.close();
    const outcomes: string[] = [];
    // Kill at several delays after "finishing" so some land before, some inside and some after the commit.
    for (const delay of [0, 40, 80, 120, 160, 200, 230, 260, 290, 400]) {
      const result = await runAndKill(['finish', file, '4.2.1'], (lines) =>
        lines.includes('finishing') ? delay : undefined,
      );
      const runId = Number(result.lines.find((l) => l.startsWith('run '))?.slice(4));
      assert.ok(runId > 0, `the writer started no run: ${result.stderr}`);
      assert.equal(integrity(file), 'ok');
      const db = new Database(file, { readonly: true });
      const counts = db
        .prepare(
          `SELECT (SELECT count(*) FROM findings WHERE run_id = @run) AS findings,
             (SELECT count(*) FROM probability_slices WHERE run_id = @run) AS slices,
             (SELECT count(*) FROM mask_slices m JOIN findings f ON f.id = m.finding_id WHERE f.run_id = @run) AS masks`,
        )
        .get({ run: runId }) as { findings: number; slices: number; masks: number };
      db.close();
      const after = openDataset(file); // also fails the orphaned run
      const run = after.run(runId)!;
      if (run.state === 'complete') {
        assert.deepEqual([counts.findings, counts.slices], [2000, 120]);
        assert.ok(counts.masks >= 2000);
        assert.equal(after.findings('4.2.1').length, 2000);
      } else {
        assert.equal(result.lines.includes('finished'), false, 'acknowledged but not complete');
        assert.deepEqual(counts, { findings: 0, slices: 0, masks: 0 });
        assert.equal(run.state, 'failed', 'an orphaned run is failed on reopen');
        assert.notEqual(after.series('4.2.1')!.status, 'model-running');
      }
      assert.equal(after.verifyAudit().ok, true);
      after.close();
      outcomes.push(`${delay} ms: ${run.state}`);
      if (result.lines.includes('finished')) assert.equal(run.state, 'complete');
    }
    console.log(`  ${outcomes.join(', ')}`);
    assert.ok(
      outcomes.some((o) => !o.endsWith('complete')),
      'at least one kill landed before the commit',
    );
  } finally {
    t.remove();
  }
});

test('SIGKILL while importing: every acknowledged study is there whole', async () => {
  const t = tempDir();
  try {
    const file = join(t.dir, 'd.sqlite');
    openDataset(file).close();
    const result = await runAndKill(['import', file, '500'], (lines) => (lines.length >= 60 ? 0 : undefined));
    assert.equal(result.signal, 'SIGKILL');
    assert.equal(integrity(file), 'ok');
    const store = openDataset(file);
    for (const uid of result.lines) {
      const series = store.series(`${uid}.1`);
      assert.ok(series, `acknowledged study ${uid} is missing`);
      assert.equal(series.indexed.instances.length, 40);
    }
    const { total } = store.worklist({});
    assert.ok(total - result.lines.length <= 1);
    assert.equal(store.verifyAudit().ok, true);
    store.close();
  } finally {
    t.remove();
  }
});

test('SIGKILL while finishRun is writing pages into the WAL: those frames are ignored, the run is not shown', async () => {
  const t = tempDir();
  try {
    const file = join(t.dir, 'd.sqlite');
    const store = openDataset(file);
    const { study, geometry } = syntheticStudy('4.3', { patientId: 'P', patientName: 'N' }, [
      { seriesUid: '4.3.1', rows: 256, columns: 256, slices: 120 },
    ]);
    store.importStudy(study, geometry);
    store.close();
    const walSize = () => statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0;
    let caughtMidTransaction = 0;
    for (let attempt = 0; attempt < 4 && caughtMidTransaction === 0; attempt++) {
      // Kill as soon as the WAL grows by 1 MiB after "finishing": the 7.5 MiB of incompressible probability
      // slices spill from the page cache into the WAL before the commit record is written.
      const child = spawn(process.execPath, ['--import', 'tsx', writer, 'finish', file, '4.3.1', 'noise'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const lines: string[] = [];
      let stderr = '';
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      let poll: NodeJS.Timeout | undefined;
      let walAtKill = 0;
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        lines.push(...chunk.split('\n').filter(Boolean));
        if (poll || !lines.includes('finishing')) return;
        const base = walSize();
        poll = setInterval(() => {
          const size = walSize();
          if (size > base + 2 ** 20) {
            walAtKill = size;
            child.kill('SIGKILL');
            clearInterval(poll);
          }
        }, 1);
      });
      await new Promise((resolve) => child.on('close', resolve));
      clearInterval(poll);
      const runId = Number(lines.find((l) => l.startsWith('run '))?.slice(4));
      assert.ok(runId > 0, stderr);
      assert.equal(integrity(file), 'ok');
      const after = openDataset(file);
      const run = after.run(runId)!;
      const db = new Database(file, { readonly: true });
      const slices = (
        db.prepare('SELECT count(*) AS n FROM probability_slices WHERE run_id = ?').get(runId) as {
          n: number;
        }
      ).n;
      const findings = (
        db.prepare('SELECT count(*) AS n FROM findings WHERE run_id = ?').get(runId) as { n: number }
      ).n;
      db.close();
      if (run.state === 'complete') assert.deepEqual([findings, slices], [2000, 120]);
      else {
        assert.deepEqual([findings, slices], [0, 0]);
        assert.ok(!lines.includes('finished'));
        if (walAtKill > 0) caughtMidTransaction++;
      }
      console.log(`  attempt ${attempt + 1}: WAL ${walAtKill} bytes at the kill, run ${run.state}`);
      assert.equal(after.verifyAudit().ok, true);
      after.close();
    }
    assert.ok(caughtMidTransaction > 0, 'no kill landed while the transaction was writing');
  } finally {
    t.remove();
  }
});
