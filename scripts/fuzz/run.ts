// `npm run fuzz [-- --cases N --seed S --budget-ms M --jobs J --out DIR --first K]`: mutates real DICOM files and
// feeds them through index and decode (see scripts/fuzz/fuzz.ts). Exits 1 when any case crashed, hung, failed
// without a per-file error or used memory out of proportion to its size; the inputs are saved under --out.
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULTS, formatSummary, runFuzz } from './fuzz.ts';

const HELP = `usage: npm run fuzz -- [--cases N] [--seed S] [--budget-ms M] [--jobs J] [--out DIR] [--first K]
  --cases N       cases to run (default 2000)
  --seed S        run seed; case K of seed S is always the same input (default "overread")
  --budget-ms M   CPU time a case may use before it counts as a hang (default ${DEFAULTS.budgetMs});
                  a case waiting 6× that in wall time (at least 60 s) is a hang too
  --jobs J        child processes side by side (default ${DEFAULTS.jobs})
  --out DIR       where failing inputs are saved (default: overread-fuzz-failures in the temp folder)
  --first K       first case number, to rerun one case: --first K --cases 1
  --api-every N   also import every Nth case through the API and fetch its slice (default ${DEFAULTS.apiEvery}; 0: never)`;

function whole(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} ${text} must be a whole number`);
  return value;
}

const { values } = parseArgs({
  options: {
    cases: { type: 'string' },
    seed: { type: 'string' },
    'budget-ms': { type: 'string' },
    jobs: { type: 'string' },
    out: { type: 'string' },
    first: { type: 'string' },
    'api-every': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (values.help) {
  console.log(HELP);
  process.exit(0);
}
const cases = whole('cases', values.cases, 2000);
let lastReport = 0;
// ^C or kill: stop handing out cases and print the summary of those that ran.
const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    process.stderr.write(`fuzz: ${signal} — finishing the cases in flight, then the summary\n`);
    stop.abort();
  });
const summary = await runFuzz({
  signal: stop.signal,
  cases,
  seed: values.seed ?? 'overread',
  budgetMs: whole('budget-ms', values['budget-ms'], DEFAULTS.budgetMs),
  jobs: Math.max(1, whole('jobs', values.jobs, DEFAULTS.jobs)),
  failuresDir: path.resolve(values.out ?? path.join(os.tmpdir(), 'overread-fuzz-failures')),
  memoryBaseBytes: DEFAULTS.memoryBaseBytes,
  memoryPerFileByte: DEFAULTS.memoryPerFileByte,
  first: whole('first', values.first, 0),
  apiEvery: whole('api-every', values['api-every'], DEFAULTS.apiEvery),
  onProgress(done, total, failures) {
    const now = Date.now();
    if (now - lastReport > 5000 || done === total) {
      lastReport = now;
      process.stderr.write(`fuzz: ${done}/${total} cases, ${failures} failures\n`);
    }
  },
});
console.log(formatSummary(summary));
process.exit(summary.failures.length > 0 ? 1 : 0);
