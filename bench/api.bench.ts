// `npm run bench -- api [--decisions 400] [--series 10000] [--slices 100]`: the API's cost over the store it
// calls, in the same run on the same dataset file: each operation once through the handler
// (`api.fetch(new Request(...))`: routing, zod validation, JSON, problem mapping), once over HTTP on 127.0.0.1
// behind the token guard (what Playwright and `overread serve` users pay), beside the store call alone.
// - a decision: POST /api/findings/{id}/decision vs store.decide();
// - a worklist page of 50 over N series: GET /api/worklist?limit=50 vs store.worklist();
// - a 512×512 mask slice: PUT / GET /api/findings/{id}/mask/{k} vs correctMaskSlice() / maskSlice().
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { printTable, type BenchRow } from './report.ts';
import { openApi, type OpenedApi } from '../src/api/open-api.ts';
import { startServe } from '../tests/e2e/serve-process.ts';
import { openDataset } from '../src/dataset/open-dataset.ts';
import type { DatasetStore } from '../src/dataset/dataset-types.ts';
import {
  ballFinding,
  importManySeries,
  MODEL,
  outcomeOf,
  syntheticStudy,
} from '../tests/dataset/dataset-fixtures.ts';

const SERIES = '9.1.1';
const SIZE: [number, number, number] = [512, 512, 200];

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;

/** `count` findings on one 512×512×200 series, plus `seriesCount` small series for the worklist. */
function seed(file: string, findings: number, seriesCount: number): number[] {
  const store = openDataset(file);
  const big = syntheticStudy('9.1', { patientId: 'B', patientName: 'B' }, [
    { seriesUid: SERIES, rows: 512, columns: 512, slices: 200 },
  ]);
  store.importStudy(big.study, big.geometry);
  const runId = store.startRun(SERIES, MODEL, 0.5, {});
  const ids = store
    .finishRun(runId, {
      ...outcomeOf(
        SIZE,
        Array.from({ length: findings }, (_, n) =>
          ballFinding(n + 1, SIZE, [10 + (n % 49) * 10, 10 + Math.floor(n / 49) * 10, n % 200], 2, 0.9),
        ),
      ),
      probability: new Uint8Array(0),
    })
    .map((f) => f.id);
  importManySeries(store, seriesCount);
  store.close();
  return ids;
}

type Fetch = (request: Request) => Promise<Response>;

type Op = (n: number) => Promise<unknown> | unknown;

/**
 * Mean seconds per call of each op, run interleaved (handler, HTTP, store for n = 0, then n = 1 …) so that all
 * three meet the same disk: a commit's fsync time drifts by 2× over a minute on shared disks.
 */
async function interleaved(count: number, ops: Op[]): Promise<number[]> {
  const totals = ops.map(() => 0);
  for (let n = 0; n < count; n++) {
    for (const [i, op] of ops.entries()) {
      const start = process.hrtime.bigint();
      await op(n);
      totals[i]! += seconds(start);
    }
  }
  return totals.map((total) => total / count);
}

async function must(response: Response): Promise<void> {
  if (!response.ok) throw new Error(`${response.url}: ${response.status} ${await response.text()}`);
  await response.arrayBuffer();
}

function decision(n: number) {
  return n % 2 ? { kind: 'rejected' as const, reason: 'vessel' as const } : { kind: 'confirmed' as const };
}

/** The API's four operations through `via` (the handler, or fetch over HTTP). */
function apiOps(via: Fetch, base: string, ids: number[], masks: Uint8Array[]) {
  return {
    decide: async (n: number) =>
      must(
        await via(
          new Request(`${base}/api/findings/${ids[n]}/decision`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(decision(n)),
          }),
        ),
      ),
    worklist: async () => must(await via(new Request(`${base}/api/worklist?limit=50`))),
    put: async (k: number) =>
      must(
        await via(
          new Request(`${base}/api/findings/${ids[0]}/mask/${k}`, {
            method: 'PUT',
            headers: { 'content-type': 'application/octet-stream' },
            body: masks[k] as Uint8Array<ArrayBuffer>,
          }),
        ),
      ),
    get: async (k: number) => must(await via(new Request(`${base}/api/findings/${ids[0]}/mask/${k}`))),
  };
}

function storeOps(store: DatasetStore, ids: number[], masks: Uint8Array[]) {
  return {
    decide: (n: number) => store.decide(ids[n]!, 'bench', decision(n)),
    worklist: () => store.worklist({ limit: 50 }, 'bench'),
    put: (k: number) => store.correctMaskSlice(ids[0]!, 'bench', k, masks[k]!),
    get: (k: number) => store.maskSlice(ids[0]!, k, 'final', 'bench'),
  };
}

export async function run(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: { decisions: { type: 'string' }, series: { type: 'string' }, slices: { type: 'string' } },
  });
  const decisions = Number(values.decisions ?? 400);
  const seriesCount = Number(values.series ?? 10_000);
  const slices = Number(values.slices ?? 100);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'overread-bench-api-'));
  let api: OpenedApi | undefined;
  try {
    console.error(`seeding ${seriesCount} series and ${decisions * 3} findings…`);
    const file = path.join(dir, 'overread.db');
    const ids = seed(file, decisions * 3, seriesCount);
    const masks = Array.from({ length: slices }, (_, k) => {
      const mask = new Uint8Array(512 * 512);
      for (let j = 200; j < 240 + (k % 20); j++) mask.fill(1, j * 512 + 200, j * 512 + 230 + (k % 15));
      return mask;
    });
    mkdirSync(path.join(dir, 'no-models'));
    api = await openApi({
      db: file,
      dataDir: dir,
      bundledModels: path.join(dir, 'no-models'),
      reader: 'bench',
      rendererDir: false,
      autoTriage: false,
    });
    // The HTTP path is a real `overread serve` process on the same dataset file, as a browser would reach it.
    const server = await startServe(file, ['--reader', 'bench']);
    const overHttp: Fetch = (request) => {
      const headers = new Headers(request.headers);
      headers.set('authorization', `Bearer ${server.token}`);
      return fetch(new Request(request, { headers }));
    };
    // Each path decides its own third of the findings and corrects its own finding's masks.
    const third = (n: number) => ids.slice(n * decisions, (n + 1) * decisions);
    const store = openDataset(file);
    store.addReader('bench');
    const paths = [
      apiOps(api.fetch, 'http://app', third(0), masks),
      apiOps(overHttp, server.origin, third(1), masks),
      storeOps(store, third(2), masks),
    ];
    const figures = {} as Record<'decide' | 'worklist' | 'put' | 'get', number[]>;
    for (const [key, count] of [
      ['decide', decisions],
      ['worklist', 20],
      ['put', slices],
      ['get', slices],
    ] as const) {
      console.error(`${key}: ${count} times each way…`);
      figures[key] = await interleaved(
        count,
        paths.map((ops) => ops[key]),
      );
    }
    await server.stop();
    store.close();

    const rows: BenchRow[] = [];
    const add = (what: string, key: keyof typeof figures, rate: boolean) => {
      const [handler, http, alone] = figures[key] as [number, number, number];
      for (const [how, ours] of [
        ['handler', handler],
        ['HTTP 127.0.0.1', http],
      ] as const) {
        rows.push({
          what: `${what} (${how})`,
          unit: rate ? 'per s' : 'ms',
          ours: rate ? 1 / ours : ours * 1000,
          reference: rate ? 1 / alone : alone * 1000,
          referenceName: 'the store call alone',
          higherIsBetter: rate,
        });
      }
    };
    add('decision committed', 'decide', true);
    add(`worklist page of 50 over ${seriesCount.toLocaleString('en')} series`, 'worklist', false);
    add('512×512 mask slice written', 'put', false);
    add('512×512 mask slice read', 'get', false);
    printTable(`API over the dataset store (SQLite WAL, synchronous=FULL, on ${os.tmpdir()})`, rows);
  } finally {
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
