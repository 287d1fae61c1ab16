// Offline: the whole pipeline — index → triage (model in its own process) → review over the local API → export
// (nnU-Net, and DICOM SEG de-identified) → audit verify — runs as child processes with offline-guard.mjs
// preloaded through NODE_OPTIONS, which records and fails any connection other than loopback. The record must
// stay empty; a control run proves the guard catches a deliberate connection to 93.184.216.34. A source scan
// adds what the guard cannot see (worker threads do not load NODE_OPTIONS preloads): in src/ only the modules
// whose job is the network (serve, PACS) import a network module or call fetch, and nothing depends on an
// updater or telemetry SDK.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import type { FindingInfo, WorklistPage } from '../../src/shared/api-types.ts';
import { sampleStudy } from '../helpers/sample-study.ts';
import { installTestModel } from '../inference/test-models.ts';
import { serve } from './crash-serve.ts';

const run = promisify(execFile);
const guard = fileURLToPath(new URL('./offline-guard.mjs', import.meta.url));

function guardedEnv(log: string, home: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${guard}`.trim(),
    OVERREAD_OFFLINE_LOG: log,
    HOME: home,
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CONFIG_HOME: join(home, 'config'),
  };
}

const read = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');

test('the guard records and refuses a deliberate connection out of the machine (control)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'overread-offline-control-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, 'attempts.log');
  const script = `
    const net = require('node:net');
    try { net.connect(80, '93.184.216.34'); } catch (e) { console.log('refused net'); }
    try { fetch('https://93.184.216.34/'); } catch (e) { console.log('refused fetch'); }
    try { require('node:https').get('https://example.org/'); } catch (e) { console.log('refused https'); }
    try { require('node:dns').promises.lookup('update.example.org'); } catch (e) { console.log('refused dns'); }
    net.connect(9, '127.0.0.1').on('error', () => console.log('loopback allowed'));`;
  const { stdout } = await run(process.execPath, ['-e', script], { env: guardedEnv(log, dir) });
  for (const line of ['refused net', 'refused fetch', 'refused https', 'refused dns', 'loopback allowed']) {
    assert.match(stdout, new RegExp(line), stdout);
  }
  const attempts = read(log);
  assert.match(attempts, /net\.connect 93\.184\.216\.34:80/);
  assert.match(attempts, /fetch https:\/\/93\.184\.216\.34\//);
  assert.match(attempts, /https\.get example\.org/);
  assert.match(attempts, /dns\.lookup update\.example\.org/);
  assert.doesNotMatch(attempts, /127\.0\.0\.1/);
});

test(
  'index → triage → review → export → audit makes no connection but loopback',
  { timeout: 300_000 },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'overread-offline-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const log = join(dir, 'attempts.log');
    const env = guardedEnv(log, dir);
    const db = join(dir, 'overread.db');
    const models = join(dir, 'models');
    installTestModel(models, { kind: 'fast', a: -12, b: 6, channels: 3 }, { id: 'offline-model' });
    const study = sampleStudy({ seed: 'offline', size: 64, slices: 12 });
    const uid = study.truth.seriesInstanceUid;
    const cli = (...args: string[]) => run(process.execPath, ['bin/overread.js', ...args], { env });

    const indexed = JSON.parse((await cli('index', study.dir, '--json')).stdout) as { studies: unknown[] };
    assert.equal(indexed.studies.length, 1);
    await cli('triage', study.dir, '--models', models, '--db', db);

    // Review over the API of a guarded `overread serve` (the test's own calls are loopback).
    const saved = process.env.NODE_OPTIONS;
    Object.assign(process.env, { NODE_OPTIONS: env.NODE_OPTIONS, OVERREAD_OFFLINE_LOG: log, HOME: dir });
    let server;
    try {
      server = await serve(db, ['--models', models, '--reader', 'offline-reader']);
    } finally {
      if (saved === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = saved;
    }
    t.after(() => server.kill());
    const page = await server.json<WorklistPage>('GET', '/api/worklist');
    assert.equal(page.items[0]?.status, 'flagged', 'the model flagged the series');
    const findings = await server.json<FindingInfo[]>('GET', `/api/series/${uid}/findings`);
    assert.ok(findings.length > 0);
    await server.json('POST', `/api/findings/${findings[0]!.id}/decision`, { kind: 'confirmed' });
    await server.json('POST', `/api/series/${uid}/status`, { status: 'done' });
    await server.stop();

    await cli('export', '--db', db, '--format', 'nnunet', '--out', join(dir, 'out-nnunet'));
    await cli('export', '--db', db, '--format', 'dicom-seg', '--deidentify', '--out', join(dir, 'out-seg'));
    assert.ok(
      existsSync(join(dir, 'out-nnunet', 'manifest.json')) &&
        existsSync(join(dir, 'out-seg', 'manifest.json')),
    );
    await cli('audit', 'verify', '--db', db);

    assert.equal(read(log), '', `network connections were attempted:\n${read(log)}`);
    // The guard ran in each CLI process, in serve, and in the model's own process (forked by triage).
    const loaded = read(`${log}.loaded`);
    for (const where of ['index', 'triage', 'inference-child', 'serve', 'export', 'audit']) {
      assert.match(
        loaded,
        new RegExp(`${where}(\\.ts)?\n`),
        `the guard did not load in ${where}:\n${loaded}`,
      );
    }
  },
);

test('no module outside serve and PACS opens a network connection; no updater or telemetry dependency', () => {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  // `api.fetch(request)` is the in-process handler (and `fetch(request: Request)` its type), not the network.
  const NETWORK =
    /from '(node:)?(net|http|https|http2|dgram|dns|tls)'|(?<![.\w])fetch\((?!\w+: )|new WebSocket\(/;
  const allowed = [
    /^src\/pacs\//,
    /^src\/api\/http-server\.ts$/,
    /^src\/cli\/commands\/(serve|pull|push)-command\.ts$/,
  ];
  const offenders: string[] = [];
  const scan = (folder: string) => {
    for (const entry of readdirSync(join(root, folder), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !/\.(ts|js|mjs|cjs)$/.test(entry.name)) continue;
      const file = relative(root, join(entry.parentPath, entry.name));
      if (allowed.some((pattern) => pattern.test(file))) continue;
      const source = readFileSync(join(root, file), 'utf8');
      // The model process's byte channel: node:net wraps a descriptor the parent handed over (fork's stdio),
      // and nothing in the file may connect or listen anywhere.
      if (file === 'src/inference/batch-worker.ts') {
        assert.match(source, /new Socket\(\{ fd: bulkFd, readable: true, writable: false \}\)/);
        assert.doesNotMatch(source, /connect|listen|createServer|createConnection|host:|port:/);
        continue;
      }
      if (NETWORK.test(source)) offenders.push(`${file}: ${source.match(NETWORK)![0]}`);
    }
  };
  scan('src'); // the renderer's own fetches are bounded by its CSP (connect-src 'self'), see shell-security
  assert.deepEqual(offenders, []);
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  const forbidden = /update|sentry|telemetry|analytics|segment|mixpanel|posthog|bugsnag|datadog|newrelic/i;
  assert.deepEqual(
    Object.keys(manifest.dependencies ?? {}).filter((name) => forbidden.test(name)),
    [],
  );
  assert.ok(!/autoUpdater|crashReporter\.start/.test(readFileSync(join(root, 'src/main/main.ts'), 'utf8')));
});
