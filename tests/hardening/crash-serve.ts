// Shared by the crash tests: starts the real `node bin/overread.js serve` on a dataset file, reads its URL and
// token, and gives helpers to call it, follow a job's server-sent events, SIGKILL it (a power cut, as far as
// the database can tell) and check the file it left with PRAGMA integrity_check.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import type { Job } from '../../src/shared/api-types.ts';

export interface Served {
  origin: string;
  call(method: string, path: string, body?: unknown): Promise<Response>;
  json<T>(method: string, path: string, body?: unknown): Promise<T>;
  /** Reads the job's events until `until` holds for one (or the stream ends); returns that job. */
  follow(id: string, until?: (job: Job) => boolean): Promise<Job>;
  /** SIGKILL now; resolves once the process is gone, with the signal that ended it. */
  kill(): Promise<NodeJS.Signals | null>;
  /** SIGTERM and wait (a clean close). */
  stop(): Promise<void>;
  output(): string;
}

export async function serve(db: string, extra: string[] = []): Promise<Served> {
  const child = spawn(process.execPath, ['bin/overread.js', 'serve', '--db', db, '--port', '0', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) =>
    child.once('exit', (_code, signal) => resolve(signal)),
  );
  const url = new URL(
    await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve printed no URL in 60 s: ${output}`)), 60_000);
      createInterface({ input: child.stdout }).once('line', (line) => {
        clearTimeout(timer);
        resolve(line.trim());
      });
      child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${output}`)));
    }),
  );
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const headers = { authorization: `Bearer ${url.searchParams.get('token')}` };
  const call = (method: string, path: string, body?: unknown) => {
    const init: RequestInit = { method, headers: { ...headers } };
    if (body instanceof Uint8Array) {
      init.body = body as Uint8Array<ArrayBuffer>;
      (init.headers as Record<string, string>)['content-type'] = 'application/octet-stream';
    } else if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] = 'application/json';
    }
    return fetch(`${url.origin}${path}`, init);
  };
  const json = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const response = await call(method, path, body);
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return JSON.parse(text) as T;
  };
  const follow = async (id: string, until: (job: Job) => boolean = () => false): Promise<Job> => {
    const response = await call('GET', `/api/jobs/${id}/events`);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let last: Job | undefined;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      const blocks = buffer.split('\n\n');
      buffer = blocks.pop()!;
      for (const block of blocks) {
        if (!block.startsWith('data: ')) continue;
        last = JSON.parse(block.slice(6)) as Job;
        if (until(last)) {
          await reader.cancel();
          return last;
        }
      }
    }
    if (!last) throw new Error(`job ${id} sent no events`);
    return last;
  };
  return {
    origin: url.origin,
    call,
    json,
    follow,
    kill: () => {
      child.kill('SIGKILL');
      return exited;
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await exited;
    },
    output: () => output,
  };
}

/** PRAGMA integrity_check of the file a killed server left (WAL included), read-only. */
export function integrityCheck(db: string): string {
  const raw = new Database(db, { readonly: true });
  try {
    return String(raw.pragma('integrity_check', { simple: true }));
  } finally {
    raw.close();
  }
}
