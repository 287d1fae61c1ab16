// Owns running one fuzz case through the product, inside a child process the runner can kill: the header index
// (indexDicom), decodeFrame in this thread, the DecodePool's worker thread, and — on some cases — the API
// (POST /api/import, then GET /api/series/{uid}/slices/0) on a temporary dataset. Each target's outcome is
// classified — ok, a per-file error naming the file, skipped (not DICOM), or a bad error (anything else: a
// throw that escapes, an error without the path, a frame of the wrong size) — and the peak RSS of the case is
// measured by resetting the kernel's high-water mark first (Linux /proc/self/clear_refs).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DicomError } from '../../src/dicom/dicom-error.ts';
import { decodeFrame } from '../../src/dicom/decode/decode-frame.ts';
import { DecodePool } from '../../src/dicom/decode/decode-pool.ts';
import { indexDicom, type InstanceHeader } from '../../src/dicom/index/index.ts';

export type Outcome = 'ok' | 'file-error' | 'skipped' | 'bad-error' | 'crash';

export interface TargetResult {
  target: 'index' | 'decode' | 'pool' | 'api';
  outcome: Outcome;
  /** The error text (file errors, bad errors) or what was decoded. */
  detail?: string;
  ms: number;
}

export interface CaseRequest {
  id: number;
  file: string;
  zip: boolean;
  /** Also import the file through the API and fetch its first slice. */
  api: boolean;
  /** The harness's own test: misbehave like a broken target would, so the runner must notice. */
  selfTest?: 'hang' | 'crash' | 'memory' | 'stray-error';
}

export interface CaseReply {
  id: number;
  results: TargetResult[];
  rssBeforeBytes: number;
  peakRssBytes: number;
}

const FRAMES_TRIED = 2;

function status(field: 'VmHWM' | 'VmRSS'): number {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync('/proc/self/status', 'utf8'));
    return match ? Number(match[1]) * 1024 : process.memoryUsage().rss;
  } catch {
    return process.memoryUsage().rss;
  }
}

function resetPeak(): void {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
  } catch {
    // Not Linux, or not allowed: the peak then covers the whole run, which only overstates.
  }
}

/** A reason a person cannot use: empty, an object's default text, or a bare "undefined"/"null" from a missing field. */
const badText = (reason: string) => !reason || /\[object \w+\]|(^|: )(undefined|null)$/.test(reason);

/** A rejection is a per-file error only when it is a DicomError naming this file with a readable reason. */
function classifyRejection(error: unknown, file: string): { outcome: Outcome; detail: string } {
  if (error instanceof DicomError) {
    if (error.path !== file)
      return { outcome: 'bad-error', detail: `error names ${error.path}, not the file` };
    if (badText(error.reason)) return { outcome: 'bad-error', detail: `unreadable reason "${error.reason}"` };
    if (/the decoder crashed/.test(error.reason)) return { outcome: 'crash', detail: error.reason };
    return { outcome: 'file-error', detail: error.reason };
  }
  const text =
    error instanceof Error ? `${error.name}: ${error.message}\n${error.stack ?? ''}` : String(error);
  return { outcome: 'bad-error', detail: `not a per-file error: ${text.slice(0, 800)}` };
}

async function timed(
  target: TargetResult['target'],
  run: () => Promise<{ outcome: Outcome; detail?: string }>,
): Promise<TargetResult> {
  const started = performance.now();
  const result = await run();
  return { target, ...result, ms: performance.now() - started };
}

let pool: DecodePool | undefined;

/** What the 'memory' self-test holds on to until its case is measured. */
const hoard: Uint8Array[] = [];

async function runCase(request: CaseRequest): Promise<TargetResult[]> {
  const { file } = request;
  const results: TargetResult[] = [];
  if (request.selfTest === 'hang') for (;;);
  if (request.selfTest === 'crash') process.abort();
  if (request.selfTest === 'memory') for (let i = 0; i < 8; i++) hoard.push(new Uint8Array(64 << 20).fill(1));
  if (request.selfTest === 'stray-error')
    results.push(await timed('decode', async () => classifyRejection(new TypeError('x is undefined'), file)));
  let instance: InstanceHeader | undefined;
  results.push(
    await timed('index', async () => {
      let index;
      try {
        index = await indexDicom([file]);
      } catch (error) {
        return {
          outcome: 'bad-error',
          detail: `indexDicom threw: ${String((error as Error)?.stack ?? error)}`,
        };
      }
      for (const entry of index.errors) {
        // A DICOMDIR's errors may name the files its records point to, inside its own folder.
        const named =
          entry.path === file ||
          entry.path.startsWith(`${file}!`) ||
          (path.basename(file) === 'DICOMDIR' && entry.path.startsWith(path.dirname(file) + path.sep));
        if (!named) return { outcome: 'bad-error', detail: `error names ${entry.path}, not the file` };
        if (badText(entry.reason))
          return { outcome: 'bad-error', detail: `unreadable reason "${entry.reason}"` };
      }
      instance = index.studies[0]?.series[0]?.instances[0];
      if (instance)
        return { outcome: 'ok', detail: `${instance.rows}x${instance.columns}x${instance.numberOfFrames}` };
      if (index.errors.length > 0) return { outcome: 'file-error', detail: index.errors[0].reason };
      return { outcome: 'skipped' };
    }),
  );
  // Decoding reads plain files only (a zip is unzipped by the user first); the index is the zip's whole surface.
  if (request.zip) return results;
  const bytes = new Uint8Array(readFileSync(file));
  const last = Math.max(0, Math.min(instance?.numberOfFrames ?? 1, 1 << 24) - 1);
  const frames = [...new Set([0, last])].slice(0, FRAMES_TRIED);
  results.push(
    await timed('decode', async () => {
      let detail = '';
      for (const frame of frames) {
        try {
          const decoded = await decodeFrame(file, bytes, frame);
          const expected = decoded.rows * decoded.columns * decoded.samplesPerPixel;
          if (decoded.data.length !== expected)
            return {
              outcome: 'bad-error',
              detail: `frame ${frame}: ${decoded.data.length} values, expected ${expected}`,
            };
          detail = `${decoded.rows}x${decoded.columns}x${decoded.samplesPerPixel}`;
        } catch (error) {
          return classifyRejection(error, file);
        }
      }
      return { outcome: 'ok', detail };
    }),
  );
  results.push(
    await timed('pool', async () => {
      pool ??= new DecodePool({ size: 1 });
      try {
        const decoded = await pool.decode(file, 0);
        const expected = decoded.rows * decoded.columns * decoded.samplesPerPixel;
        if (decoded.data.length !== expected)
          return { outcome: 'bad-error', detail: `${decoded.data.length} values, expected ${expected}` };
        return { outcome: 'ok' };
      } catch (error) {
        return classifyRejection(error, file);
      }
    }),
  );
  if (request.api && instance) results.push(await timed('api', () => apiCase(file, instance!)));
  return results;
}

interface Api {
  fetch(request: Request): Promise<Response>;
  close(): Promise<void>;
}
let api: { handle: Api; dir: string; uses: number } | undefined;

/**
 * The API keeps its dataset between cases (opening one costs a decode worker's start-up), reopened every 100
 * cases. Mutated files share their seed's Series Instance UID, so a slice may come from an earlier case's file;
 * the checks hold either way: a slice of the right size, or a problem naming a file — never a 500 or a hang.
 */
async function apiCase(
  file: string,
  instance: InstanceHeader,
): Promise<{ outcome: Outcome; detail?: string }> {
  if (api && api.uses++ >= 100) {
    await api.handle.close();
    rmSync(api.dir, { recursive: true, force: true });
    api = undefined;
  }
  if (!api) {
    const { openApi } = await import('../../src/api/open-api.ts');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'overread-fuzz-api-'));
    mkdirSync(path.join(dir, 'no-models'));
    const handle = await openApi({
      db: path.join(dir, 'fuzz.db'),
      dataDir: dir,
      bundledModels: path.join(dir, 'no-models'),
      reader: 'fuzz',
      rendererDir: false,
      decodeWorkers: 1,
      autoTriage: false,
    });
    api = { handle, dir, uses: 1 };
  }
  const call = (method: string, url: string, body?: unknown) =>
    api!.handle.fetch(
      new Request(`http://fuzz${url}`, {
        method,
        ...(body ? { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } } : {}),
      }),
    );
  const started = await call('POST', '/api/import', { paths: [file] });
  if (started.status !== 202)
    return { outcome: 'bad-error', detail: `import answered ${started.status}: ${await started.text()}` };
  const job = (await started.json()) as { id: string };
  // The event stream closes when the job ends.
  const events = await (await call('GET', `/api/jobs/${job.id}/events`)).text();
  const last = events
    .split('\n\n')
    .filter((block) => block.startsWith('data: '))
    .map((block) => JSON.parse(block.slice(6)) as { state: string; message?: string })
    .at(-1);
  if (!last || (last.state !== 'done' && last.state !== 'failed'))
    return { outcome: 'bad-error', detail: `import job ended ${last?.state ?? 'without events'}` };
  if (last.state === 'failed') {
    if (badText(last.message ?? ''))
      return { outcome: 'bad-error', detail: `import failed without a reason` };
    return { outcome: 'file-error', detail: `import: ${last.message}` };
  }
  const response = await call(
    'GET',
    `/api/series/${encodeURIComponent(instance.seriesInstanceUid)}/slices/0`,
  );
  const body = new Uint8Array(await response.arrayBuffer());
  if (response.status === 200) {
    const rows = Number(response.headers.get('x-rows'));
    const columns = Number(response.headers.get('x-columns'));
    const samples = Number(response.headers.get('x-samples'));
    const width = response.headers.get('x-pixel-type') === 'int16' ? 2 : 4;
    if (body.length !== rows * columns * samples * width)
      return {
        outcome: 'bad-error',
        detail: `slice body ${body.length} bytes for ${rows}×${columns}×${samples}×${width}`,
      };
    return { outcome: 'ok' };
  }
  const text = new TextDecoder().decode(body);
  if (response.status >= 500)
    return { outcome: 'bad-error', detail: `slice answered ${response.status}: ${text}` };
  let detail = '';
  try {
    detail = String((JSON.parse(text) as { detail?: unknown }).detail ?? '');
  } catch {
    return {
      outcome: 'bad-error',
      detail: `slice answered ${response.status} without problem JSON: ${text.slice(0, 200)}`,
    };
  }
  if (badText(detail))
    return { outcome: 'bad-error', detail: `slice answered ${response.status} without a reason` };
  return { outcome: 'file-error', detail: `slice ${response.status}: ${detail}` };
}

const gc = (globalThis as { gc?: () => void }).gc;

let sinceGc = 0;
process.on('message', (request: CaseRequest) => {
  // A full collection now and then keeps old garbage from counting as this case's growth, without paying
  // for one per case.
  if (++sinceGc >= 50 || process.memoryUsage().rss > 512 * 1024 ** 2) {
    gc?.();
    sinceGc = 0;
  }
  resetPeak();
  const rssBeforeBytes = status('VmRSS');
  void runCase(request).then((results) => {
    hoard.length = 0;
    const reply: CaseReply = { id: request.id, results, rssBeforeBytes, peakRssBytes: status('VmHWM') };
    process.send?.(reply);
  });
});
// Anything escaping a target is a crash of the app that would host it: report it and die, like the app would.
for (const event of ['uncaughtException', 'unhandledRejection'] as const)
  process.on(event, (error: unknown) => {
    process.send?.({ crash: String((error as Error)?.stack ?? error) });
    process.exit(70);
  });
// The runner gone (killed, or ^C): nothing left to answer to, and an open API or decode pool would keep us alive.
process.on('disconnect', () => process.exit(0));
// ^C reaches the whole process group; the runner decides when we stop (it lets the case in flight finish).
process.on('SIGINT', () => {});
process.send?.({ ready: true });
