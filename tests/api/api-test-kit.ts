// Opens the real API (SQLite store, decode pool, model registry) on a fresh temporary dataset for the API
// tests, and gives short helpers to call it the way the renderer does: `api.fetch(new Request(...))`.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openApi, type OpenApiOptions, type OpenedApi } from '../../src/api/open-api.ts';
import type { Job } from '../../src/shared/api-types.ts';

export interface TestApi {
  api: OpenedApi;
  dir: string;
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  json<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** Follows the job's server-sent events to the end and returns the last state. */
  finish(job: Job): Promise<Job>;
  close(): Promise<void>;
}

export async function openTestApi(options: OpenApiOptions = {}): Promise<TestApi> {
  const dir = mkdtempSync(join(tmpdir(), 'overread-api-'));
  const noModels = join(dir, 'no-bundled-models');
  mkdirSync(noModels);
  const api = await openApi({
    db: join(dir, 'overread.db'),
    dataDir: dir,
    bundledModels: noModels,
    reader: 'reader-a',
    rendererDir: false,
    decodeWorkers: 1,
    ...options,
  });
  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body instanceof Uint8Array) {
      init.body = body as Uint8Array<ArrayBuffer>;
      (init.headers as Record<string, string>)['content-type'] ??= 'application/octet-stream';
    } else if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    return api.fetch(new Request(`http://x${path}`, init));
  };
  const json = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await call(method, path, body);
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return JSON.parse(text) as T;
  };
  const finish = async (job: Job): Promise<Job> => {
    const response = await call('GET', `/api/jobs/${job.id}/events`);
    const text = await response.text(); // the stream closes when the job ends
    const events = text
      .split('\n\n')
      .filter((block) => block.startsWith('data: '))
      .map((block) => JSON.parse(block.slice(6)) as Job);
    return events.at(-1) ?? job;
  };
  return {
    api,
    dir,
    call,
    json,
    finish,
    async close() {
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Imports `paths` through POST /api/import and waits for the job; throws when it did not end 'done'. */
export async function importThrough(t: TestApi, paths: string[]): Promise<Job> {
  const job = await t.json<Job>('POST', '/api/import', { paths });
  const last = await t.finish(job);
  if (last.state !== 'done') throw new Error(`import ended ${last.state}: ${last.message}`);
  return last;
}
