// `npm run bench -- follow-up [--pairs 3] [--size 512]`: lining a follow-up scan up with the patient's prior.
// Generated pairs (`overread sample --follow-up`, whose truth records the shift applied) are imported into a
// fresh dataset; ours is the first GET /api/series/{uid}/follow-up of each pair (decode the sampled slices,
// build both lattices, register; no findings, so that is all it does), beside pydicom + numpy + scikit-image's
// phase correlation doing the same from the same files in the same run (bench/follow-up-reference.py). Both
// are also scored against the generator's shift.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openApi } from '../src/api/open-api.ts';
import type { FollowUp, Job } from '../src/shared/api-types.ts';
import { writeSampleStudies, type SampleTruth } from '../src/sample/index.ts';
import { printTable } from './report.ts';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const error = (found: number[], truth: number[]) => Math.hypot(...found.map((v, a) => v - truth[a]!));

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { pairs: { type: 'string' }, size: { type: 'string' } },
  });
  const pairs = Number(values.pairs ?? 3);
  const size = Number(values.size ?? 512);
  const work = mkdtempSync(path.join(os.tmpdir(), 'overread-bench-follow-up-'));
  try {
    process.stderr.write(`follow-up bench: writing ${pairs} pairs of ${size}² studies…\n`);
    writeSampleStudies(path.join(work, 'samples'), {
      studies: pairs,
      size,
      seed: 'bench-follow-up',
      followUp: {},
    });
    const noModels = path.join(work, 'no-models');
    const api = await openApi({
      db: path.join(work, 'overread.db'),
      dataDir: work,
      bundledModels: noModels,
      rendererDir: false,
      autoTriage: false,
    });
    const call = async <T>(method: string, url: string, body?: unknown): Promise<T> => {
      const response = await api.fetch(
        new Request(`http://x${url}`, {
          method,
          headers: body ? { 'content-type': 'application/json' } : {},
          body: body ? JSON.stringify(body) : undefined,
        }),
      );
      if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
      return (url.endsWith('/events') ? response.text() : response.json()) as Promise<T>;
    };
    const job = await call<Job>('POST', '/api/import', { paths: [path.join(work, 'samples')] });
    await call<string>('GET', `/api/jobs/${job.id}/events`);
    const ours: number[] = [];
    const reference: number[] = [];
    const oursError: number[] = [];
    const referenceError: number[] = [];
    for (let n = 1; n <= pairs; n++) {
      const dir = path.join(work, 'samples', `study-${String(n).padStart(3, '0')}`);
      const truth = JSON.parse(
        readFileSync(path.join(`${dir}-follow-up`, 'truth.json'), 'utf8'),
      ) as SampleTruth;
      const expected = truth.followUp!.shiftMm.map((v) => -v);
      const started = performance.now();
      const result = await call<FollowUp>(
        'GET',
        `/api/series/${truth.seriesInstanceUid}/follow-up?prior=${truth.followUp!.baselineSeriesInstanceUid}`,
      );
      ours.push((performance.now() - started) / 1000);
      oursError.push(error(result.registration.translationMm, expected));
      const python = spawnSync(
        '/usr/bin/python3',
        [
          path.join('bench', 'follow-up-reference.py'),
          path.join(`${dir}-follow-up`, 'dicom'),
          path.join(dir, 'dicom'),
        ],
        { encoding: 'utf8' },
      );
      if (python.status !== 0)
        throw new Error(
          `the reference failed (apt-get install python3-skimage python3-pydicom?): ${python.stderr}`,
        );
      const answer = JSON.parse(python.stdout) as { seconds: number; translationMm: number[] };
      reference.push(answer.seconds);
      referenceError.push(error(answer.translationMm, expected));
      process.stderr.write(
        `pair ${n}: ours ${ours.at(-1)!.toFixed(2)} s, ${oursError.at(-1)!.toFixed(2)} mm off; reference ${answer.seconds.toFixed(2)} s, ${referenceError.at(-1)!.toFixed(2)} mm off\n`,
      );
    }
    await api.close();
    const name = 'pydicom + numpy + skimage phase correlation';
    printTable(`follow-up — lining up ${pairs} generated ${size}² pairs (median)`, [
      {
        what: 'first comparison of a pair: read, lattice, register',
        unit: 's',
        ours: median(ours),
        reference: median(reference),
        referenceName: name,
        higherIsBetter: false,
      },
      {
        what: "distance from the generator's shift",
        unit: 'mm',
        ours: median(oursError),
        reference: median(referenceError),
        referenceName: name,
        higherIsBetter: false,
        goal: '< 1.5 mm (tests)',
      },
      {
        what: "worst distance from the generator's shift",
        unit: 'mm',
        ours: Math.max(...oursError),
        reference: Math.max(...referenceError),
        referenceName: name,
        higherIsBetter: false,
      },
    ]);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
