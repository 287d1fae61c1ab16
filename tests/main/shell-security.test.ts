// The Electron security checklist items that are configuration, checked as data (Electron's binary is not
// needed): window options, CSP, the app:// origin, window.open policy and the preload's allow-list.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { windowOptions } from '../../src/main/window-options.ts';
import { APP_SCHEME_PRIVILEGES, isAppUrl } from '../../src/main/app-origin.ts';
import { decideWindowOpen } from '../../src/main/window-open-policy.ts';
import { ALLOWED_CHANNELS, IPC_CHANNELS } from '../../src/main/ipc-channels.ts';
import { createPreloadApi } from '../../src/main/preload-api.ts';
import { CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from '../../src/api/security-headers.ts';

test('webPreferences isolate and sandbox the renderer with no Node', () => {
  const prefs = windowOptions('/x/preload.cjs').webPreferences ?? {};
  assert.equal(prefs.contextIsolation, true);
  assert.equal(prefs.sandbox, true);
  assert.equal(prefs.nodeIntegration, false);
  assert.equal(prefs.nodeIntegrationInWorker, false);
  assert.equal(prefs.nodeIntegrationInSubFrames, false);
  assert.equal(prefs.webSecurity, true);
  assert.equal(prefs.allowRunningInsecureContent, false);
  assert.equal(prefs.experimentalFeatures, false);
  assert.equal(prefs.webviewTag, false);
  assert.equal(prefs.navigateOnDragDrop, false);
  assert.equal(prefs.preload, '/x/preload.cjs');
  const { minWidth, minHeight } = windowOptions('p');
  assert.ok((minWidth ?? 0) <= 1280 && (minHeight ?? 0) <= 800, 'usable at 1280×800');
});

test('the CSP allows only our own origin and no inline script or eval', () => {
  const directives = new Map(
    CONTENT_SECURITY_POLICY.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name, values] as const;
    }),
  );
  assert.deepEqual(directives.get('default-src'), ["'self'"]);
  assert.deepEqual(directives.get('script-src'), ["'self'"]);
  assert.deepEqual(directives.get('object-src'), ["'none'"]);
  assert.deepEqual(directives.get('frame-ancestors'), ["'none'"]);
  assert.deepEqual(directives.get('base-uri'), ["'none'"]);
  assert.ok(
    !CONTENT_SECURITY_POLICY.includes('unsafe-inline') && !CONTENT_SECURITY_POLICY.includes('unsafe-eval'),
  );
  assert.ok(!/https?:/.test(CONTENT_SECURITY_POLICY), 'no remote origins');
  assert.equal(SECURITY_HEADERS['x-content-type-options'], 'nosniff');
});

test('only app://overread URLs count as the app', () => {
  assert.equal(isAppUrl('app://overread/'), true);
  assert.equal(isAppUrl('app://overread/api/worklist'), true);
  for (const url of [
    'app://other/',
    'https://overread/',
    'file:///etc/passwd',
    'javascript:alert(1)',
    'not a url',
  ]) {
    assert.equal(isAppUrl(url), false, url);
  }
  assert.equal(APP_SCHEME_PRIVILEGES.secure, true);
  assert.equal(APP_SCHEME_PRIVILEGES.bypassCSP, false);
  assert.equal(APP_SCHEME_PRIVILEGES.corsEnabled, false);
});

test('window.open never opens an Electron window; only http(s) goes to the OS browser', () => {
  assert.deepEqual(decideWindowOpen('https://example.org/card'), { action: 'deny', openExternally: true });
  for (const url of [
    'file:///etc/passwd',
    'javascript:alert(1)',
    'app://overread/x',
    'smb://host/share',
    'http:///x',
  ]) {
    assert.deepEqual(decideWindowOpen(url), { action: 'deny', openExternally: false }, url);
  }
});

test('the preload exposes exactly the allow-listed channels and nothing else', async () => {
  const calls: Array<[string, string[]]> = [];
  const api = createPreloadApi(
    async (channel, ...args) => {
      calls.push([channel, args]);
      return [];
    },
    () => '/dropped/file.dcm',
  );
  assert.deepEqual(Object.keys(api).sort(), [
    'chooseExportFolder',
    'openFiles',
    'openFolder',
    'pathsForFiles',
    'revealInFolder',
  ]);
  assert.ok(Object.isFrozen(api));
  await api.openFiles();
  await api.openFolder();
  await api.chooseExportFolder();
  await api.revealInFolder({ toString: () => '/a/b' } as unknown as string);
  assert.deepEqual(calls, [
    [IPC_CHANNELS.openFiles, []],
    [IPC_CHANNELS.openFolder, []],
    [IPC_CHANNELS.chooseExportFolder, []],
    [IPC_CHANNELS.revealInFolder, ['/a/b']],
  ]);
  assert.ok(calls.every(([channel]) => ALLOWED_CHANNELS.has(channel)));
  assert.equal(ALLOWED_CHANNELS.size, 4);
  assert.deepEqual(api.pathsForFiles([{} as File]), ['/dropped/file.dcm']);
});
