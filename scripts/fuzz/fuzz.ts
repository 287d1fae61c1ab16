// Owns a fuzz run: derives each case from (seed, case number), mutates a seed file, hands it to a child process
// (scripts/fuzz/case-worker.ts) with a time budget, and judges the outcome — a crash (the child or the decode
// worker died), a hang (over budget: the child is killed and replaced), a bad error (not a per-file error naming
// the file), or memory out of bounds (peak RSS growth during the case beyond a budget that scales with the file).
// Failing inputs are saved with a JSON note saying how to reproduce them.
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaseReply, CaseRequest, TargetResult } from './case-worker.ts';
import { mutate } from './mutators.ts';
import { random } from './random.ts';
import { buildSeeds, type Seed } from './seeds.ts';

export interface FuzzOptions {
  cases: number;
  seed: string;
  /** Wall-clock budget per case, all targets together. */
  budgetMs: number;
  /** Child processes running cases side by side. */
  jobs: number;
  /** Where failing inputs are saved. */
  failuresDir: string;
  /** Allowed peak RSS growth during one case: this many bytes plus `memoryPerFileByte` × the file's size. */
  memoryBaseBytes: number;
  memoryPerFileByte: number;
  /** Every how many cases the API is exercised too (0: never). */
  apiEvery: number;
  /** For the harness's own test: every case misbehaves this way before the targets run. */
  selfTest?: CaseRequest['selfTest'];
  /** First case number (to reproduce one case: --first N --cases 1). */
  first?: number;
  onProgress?: (done: number, total: number, failures: number) => void;
  /** When aborted, no new case starts; the cases in flight finish and the summary covers those run. */
  signal?: AbortSignal;
}

export type FailureKind = 'crash' | 'hang' | 'bad-error' | 'memory';

export interface Failure {
  caseNumber: number;
  kind: FailureKind;
  target: string;
  detail: string;
  seedFile: string;
  steps: string[];
  savedAs?: string;
}

export interface FuzzSummary {
  cases: number;
  /** The run was stopped (signal) before all requested cases ran. */
  stoppedEarly: boolean;
  seed: string;
  seedFiles: number;
  elapsedMs: number;
  /** Outcome counts per target: index/decode/pool → ok, file-error, skipped, … */
  outcomes: Record<string, Record<string, number>>;
  /** Total milliseconds spent in each target. */
  targetMs: Record<string, number>;
  failures: Failure[];
  slowest: { caseNumber: number; ms: number; seedFile: string; steps: string[] };
  maxPeakRssBytes: number;
  maxGrowthBytes: number;
  maxGrowthCase?: { caseNumber: number; fileBytes: number; seedFile: string; steps: string[] };
}

export const DEFAULTS = {
  budgetMs: 10_000,
  jobs: 2,
  memoryBaseBytes: 192 * 1024 ** 2,
  memoryPerFileByte: 80,
  apiEvery: 4,
};

const workerPath = fileURLToPath(new URL('./case-worker.ts', import.meta.url));

interface Job {
  child: ChildProcess;
  ready: Promise<void>;
  dir: string;
  stderr: () => string;
}

interface Pending {
  caseNumber: number;
  file: string;
  seedFile: string;
  steps: string[];
  bytes: Uint8Array;
  started: number;
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzSummary> {
  const seeds = buildSeeds();
  const donors = seeds.map((s) => s.bytes);
  const work = mkdtempSync(path.join(os.tmpdir(), 'overread-fuzz-'));
  const first = options.first ?? 0;
  const summary: FuzzSummary = {
    cases: 0,
    stoppedEarly: false,
    seed: options.seed,
    seedFiles: seeds.length,
    elapsedMs: 0,
    outcomes: {},
    targetMs: {},
    failures: [],
    slowest: { caseNumber: -1, ms: 0, seedFile: '', steps: [] },
    maxPeakRssBytes: 0,
    maxGrowthBytes: 0,
  };
  const started = performance.now();
  let next = first;
  const end = first + options.cases;

  const count = (target: string, outcome: string) => {
    const row = (summary.outcomes[target] ??= {});
    row[outcome] = (row[outcome] ?? 0) + 1;
  };
  const fail = (pending: Pending, kind: FailureKind, target: string, detail: string) => {
    mkdirSync(options.failuresDir, { recursive: true });
    const base = path.join(options.failuresDir, `${options.seed}-${pending.caseNumber}-${kind}-${target}`);
    const savedAs = `${base}${path.basename(pending.file) === 'DICOMDIR' ? '.DICOMDIR' : path.extname(pending.file)}`;
    writeFileSync(savedAs, pending.bytes);
    const failure: Failure = {
      caseNumber: pending.caseNumber,
      kind,
      target,
      detail,
      seedFile: pending.seedFile,
      steps: pending.steps,
      savedAs,
    };
    writeFileSync(
      `${base}.json`,
      `${JSON.stringify({ ...failure, reproduce: `npm run fuzz -- --seed ${options.seed} --first ${pending.caseNumber} --cases 1` }, null, 2)}\n`,
    );
    summary.failures.push(failure);
  };

  const makeCase = (caseNumber: number, dir: string): Pending => {
    const rng = random(options.seed, caseNumber);
    const seed: Seed = rng.pick(seeds);
    const mutated = mutate(seed.bytes, rng, donors);
    // A DICOMDIR is only recognised by its name, so it gets a folder of its own.
    const dicomdir = seed.name.startsWith('dicomdir') && !mutated.zip;
    if (dicomdir) mkdirSync(path.join(dir, `case-${caseNumber}`), { recursive: true });
    const file = dicomdir
      ? path.join(dir, `case-${caseNumber}`, 'DICOMDIR')
      : path.join(dir, `case-${caseNumber}${mutated.zip ? '.zip' : '.dcm'}`);
    writeFileSync(file, mutated.bytes);
    return { caseNumber, file, seedFile: seed.name, steps: mutated.steps, bytes: mutated.bytes, started: 0 };
  };

  const spawnJob = (index: number): Job => {
    const dir = path.join(work, `job-${index}`);
    mkdirSync(dir, { recursive: true });
    const child = fork(workerPath, [], {
      execArgv: ['--import', 'tsx', '--expose-gc', '--max-old-space-size=2048', '--stack-size=984'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    // The last few KB of the child's stderr go into a crash's detail (a native abort prints there).
    let stderrTail = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderrTail = (stderrTail + chunk.toString('utf8')).slice(-4096);
    });
    child.on('error', () => {}); // a send to a child that just died: its 'exit' reports it
    const tail = () => stderrTail;
    const ready = new Promise<void>((resolve, reject) => {
      const onMessage = (message: { ready?: boolean }) => {
        if (message.ready) {
          child.off('message', onMessage);
          resolve();
        }
      };
      child.on('message', onMessage);
      child.once('exit', (code) =>
        reject(new Error(`fuzz worker exited with code ${code} before it was ready`)),
      );
    });
    ready.catch(() => {});
    return { child, ready, dir, stderr: tail };
  };

  /** Runs cases on one job until none are left; replaces its child after a crash or hang. */
  const drive = async (index: number) => {
    let job = spawnJob(index);
    await job.ready;
    await warmUp(job);
    while (next < end && !options.signal?.aborted) {
      const pending = makeCase(next++, job.dir);
      const result = await runOne(job, pending, options.budgetMs);
      summary.cases++;
      options.onProgress?.(summary.cases, options.cases, summary.failures.length);
      if (result.kind === 'reply') judge(pending, result.reply);
      else {
        fail(pending, result.kind, result.target, result.detail);
        count(result.target, result.kind);
        job.child.kill('SIGKILL');
        job = spawnJob(index);
        await job.ready;
        await warmUp(job);
      }
      rmSync(path.basename(pending.file) === 'DICOMDIR' ? path.dirname(pending.file) : pending.file, {
        recursive: true,
        force: true,
      });
    }
    job.child.kill('SIGKILL');
  };

  /**
   * One untimed case on an unmutated seed (with the API): module loading, codec compilation and the API's start-up
   * are not the next fuzzed file's fault. A fresh child fails this only when the product cannot run at all.
   */
  const warmUp = async (job: Job) => {
    // Every transfer syntax once, so each codec's WASM is compiled before the first timed case needs it.
    const warmSeeds = seeds.filter((s) => s.name.startsWith('sample0-'));
    for (const seed of warmSeeds.length > 0 ? warmSeeds : seeds.slice(0, 1)) {
      const file = path.join(job.dir, 'warm-up.dcm');
      writeFileSync(file, seed.bytes);
      const pending = { caseNumber: -1, file, seedFile: seed.name, steps: [], bytes: seed.bytes, started: 0 };
      const result = await runOne(job, pending, 120_000);
      if (result.kind !== 'reply')
        throw new Error(`fuzz: the warm-up case failed (${result.kind}): ${result.detail}\n${job.stderr()}`);
    }
  };

  type RunResult =
    { kind: 'reply'; reply: CaseReply } | { kind: 'hang' | 'crash'; target: string; detail: string };

  const runOne = (job: Job, pending: Pending, budgetMs: number): Promise<RunResult> =>
    new Promise((resolve) => {
      const { child } = job;
      let crashText = '';
      const finish = (result: RunResult) => {
        clearInterval(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(result);
      };
      const onMessage = (message: CaseReply | { crash: string }) => {
        if ('crash' in message) crashText = message.crash;
        else if (message.id === pending.caseNumber) finish({ kind: 'reply', reply: message });
      };
      const onExit = (code: number | null, signal: string | null) =>
        finish({
          kind: 'crash',
          target: 'process',
          detail:
            crashText ||
            `fuzz worker died (exit code ${code}, signal ${signal}) — out of memory or a native crash\n${job.stderr()}`,
        });
      // A hang is a case that burns its budget in CPU time (a loop), or sits far past it in wall time (a wait that
      // never ends). CPU time, not wall time, because the machine may be shared: under load a 50 ms case can
      // take seconds of wall time without being the file's fault.
      const cpuAtStart = cpuMs(child.pid);
      const wallLimit = Math.max(6 * budgetMs, 60_000);
      const timer = setInterval(
        () => {
          const wall = performance.now() - pending.started;
          const cpu = cpuMs(child.pid) - cpuAtStart;
          if ((Number.isNaN(cpu) ? wall > budgetMs : cpu > budgetMs) || wall > wallLimit)
            finish({
              kind: 'hang',
              target: 'any',
              detail: `no answer after ${cpu.toFixed(0)} ms of CPU time, ${wall.toFixed(0)} ms of wall time\n${job.stderr()}`,
            });
        },
        Math.min(1000, budgetMs / 4),
      );
      child.on('message', onMessage);
      child.on('exit', onExit);
      pending.started = performance.now();
      const request: CaseRequest = {
        id: pending.caseNumber,
        file: pending.file,
        zip: pending.file.endsWith('.zip'),
        // The warm-up case (-1) opens the API too, so its start-up is not charged to a fuzzed file.
        api: options.apiEvery > 0 && (pending.caseNumber < 0 || pending.caseNumber % options.apiEvery === 0),
        ...(options.selfTest && pending.caseNumber >= 0 ? { selfTest: options.selfTest } : {}),
      };
      child.send(request);
    });

  const judge = (pending: Pending, reply: CaseReply) => {
    if (pending.caseNumber < 0) return;
    // Time inside the targets, as the child measured it: the parent's own pauses (building a bomb for the next
    // case) are not the file's fault.
    const ms = reply.results.reduce((sum, r) => sum + r.ms, 0);
    if (ms > summary.slowest.ms)
      summary.slowest = {
        caseNumber: pending.caseNumber,
        ms,
        seedFile: pending.seedFile,
        steps: pending.steps,
      };
    summary.maxPeakRssBytes = Math.max(summary.maxPeakRssBytes, reply.peakRssBytes);
    const growth = Math.max(0, reply.peakRssBytes - reply.rssBeforeBytes);
    if (growth > summary.maxGrowthBytes) {
      summary.maxGrowthBytes = growth;
      summary.maxGrowthCase = {
        caseNumber: pending.caseNumber,
        fileBytes: pending.bytes.length,
        seedFile: pending.seedFile,
        steps: pending.steps,
      };
    }
    for (const result of reply.results) {
      count(result.target, result.outcome);
      summary.targetMs[result.target] = (summary.targetMs[result.target] ?? 0) + result.ms;
    }
    const bad = reply.results.find((r: TargetResult) => r.outcome === 'bad-error' || r.outcome === 'crash');
    if (bad) fail(pending, bad.outcome as FailureKind, bad.target, bad.detail ?? '');
    const allowed = options.memoryBaseBytes + options.memoryPerFileByte * pending.bytes.length;
    if (growth > allowed)
      fail(
        pending,
        'memory',
        'any',
        `peak RSS grew by ${(growth / 2 ** 20).toFixed(0)} MB for a ${pending.bytes.length}-byte file (allowed ${(allowed / 2 ** 20).toFixed(0)} MB)`,
      );
  };

  try {
    await Promise.all(Array.from({ length: Math.max(1, options.jobs) }, (_, i) => drive(i)));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  summary.elapsedMs = performance.now() - started;
  summary.stoppedEarly = summary.cases < options.cases;
  return summary;
}

/** CPU time (user + system, all threads) the process has used so far; NaN where /proc is not there. */
function cpuMs(pid: number | undefined): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start after the last ')'; utime and stime are 14, 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}
const CLOCK_TICKS = 100; // USER_HZ on Linux

export function formatSummary(summary: FuzzSummary): string {
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
  const lines = [
    `fuzz: ${summary.cases} cases from ${summary.seedFiles} seed files, seed "${summary.seed}", ${(summary.elapsedMs / 1000).toFixed(1)} s (${(summary.cases / (summary.elapsedMs / 1000)).toFixed(0)} cases/s)${summary.stoppedEarly ? ' — stopped early' : ''}`,
  ];
  for (const [target, row] of Object.entries(summary.outcomes))
    lines.push(
      `  ${target.padEnd(8)} ${Object.entries(row)
        .map(([k, v]) => `${k} ${v}`)
        .join(', ')} (${((summary.targetMs[target] ?? 0) / 1000).toFixed(1)} s in all)`,
    );
  lines.push(
    `  slowest case ${summary.slowest.caseNumber}: ${summary.slowest.ms.toFixed(0)} ms (${summary.slowest.seedFile}: ${summary.slowest.steps.join(' + ')})`,
    `  max RSS ${mb(summary.maxPeakRssBytes)}; largest growth in one case ${mb(summary.maxGrowthBytes)}` +
      (summary.maxGrowthCase
        ? ` (case ${summary.maxGrowthCase.caseNumber}, ${summary.maxGrowthCase.fileBytes}-byte file: ${summary.maxGrowthCase.steps.join(' + ')})`
        : ''),
  );
  const kinds = ['crash', 'hang', 'bad-error', 'memory'].map(
    (kind) => `${kind} ${summary.failures.filter((f) => f.kind === kind).length}`,
  );
  lines.push(`  failures: ${kinds.join(', ')}`);
  for (const failure of summary.failures.slice(0, 20))
    lines.push(
      `    case ${failure.caseNumber} ${failure.kind} in ${failure.target} (${failure.seedFile}: ${failure.steps.join(' + ')}): ${failure.detail.split('\n')[0].slice(0, 200)} → ${failure.savedAs}`,
    );
  if (summary.failures.length > 20) lines.push(`    … and ${summary.failures.length - 20} more`);
  return lines.join('\n');
}
