// The navigation, redirect, <webview>, window.open and permission guards, driven through a fake WebContents
// (an EventEmitter with setWindowOpenHandler) and a fake Session: each event Electron would emit is emitted
// here, and the test reads whether the guard called preventDefault, what it answered and what it opened.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import {
  denyAllPermissions,
  guardWebContents,
  type GuardedContents,
  type GuardedSession,
} from '../../src/main/web-contents-guard.ts';

type OpenHandler = (details: { url: string }) => { action: string };

function fakeContents() {
  const emitter = new EventEmitter();
  let openHandler: OpenHandler | undefined;
  const contents = Object.assign(emitter, {
    setWindowOpenHandler(handler: OpenHandler) {
      openHandler = handler;
    },
  });
  const opened: string[] = [];
  guardWebContents(contents as unknown as GuardedContents, async (url) => {
    opened.push(url);
  });
  /** Emits `name` as Electron does and says whether the guard prevented it. */
  const prevented = (name: string, url?: string): boolean => {
    let called = false;
    const event = { preventDefault: () => (called = true) };
    assert.ok(emitter.listenerCount(name) > 0, `no listener for ${name}`);
    emitter.emit(name, event, url);
    return called;
  };
  return { prevented, opened, open: (url: string) => openHandler!({ url }) };
}

const outside = [
  'https://example.org/',
  'http://127.0.0.1:8080/',
  'file:///etc/passwd',
  'javascript:alert(1)',
  'app://other/',
  'data:text/html,<script>alert(1)</script>',
];

test('navigation and redirects stay inside app://overread', () => {
  const contents = fakeContents();
  for (const name of ['will-navigate', 'will-redirect']) {
    assert.equal(contents.prevented(name, 'app://overread/'), false, `${name} to the app`);
    assert.equal(contents.prevented(name, 'app://overread/series/1.2.3#k=4'), false, name);
    for (const url of outside) assert.equal(contents.prevented(name, url), true, `${name} to ${url}`);
  }
});

test('a <webview> is never attached', () => {
  assert.equal(fakeContents().prevented('will-attach-webview'), true);
});

test('window.open is always denied; only http(s) goes to the OS browser', async () => {
  const contents = fakeContents();
  for (const url of [...outside, 'app://overread/x']) {
    assert.deepEqual(contents.open(url), { action: 'deny' }, url);
  }
  await Promise.resolve();
  assert.deepEqual(contents.opened, ['https://example.org/', 'http://127.0.0.1:8080/']);
});

test('every permission request, check and device request is refused', () => {
  const set: {
    request?: (contents: unknown, permission: string, callback: (granted: boolean) => void) => void;
    check?: (...args: unknown[]) => boolean;
    device?: (...args: unknown[]) => boolean;
  } = {};
  const session = {
    setPermissionRequestHandler: (handler: typeof set.request) => (set.request = handler),
    setPermissionCheckHandler: (handler: typeof set.check) => (set.check = handler),
    setDevicePermissionHandler: (handler: typeof set.device) => (set.device = handler),
  };
  denyAllPermissions(session as unknown as GuardedSession);
  const { request, check, device } = set;
  assert.ok(request && check && device, 'all three handlers are set');
  for (const permission of [
    'media',
    'geolocation',
    'notifications',
    'clipboard-read',
    'openExternal',
    'hid',
  ]) {
    const answers: boolean[] = [];
    request({}, permission, (granted) => answers.push(granted));
    assert.deepEqual(answers, [false], permission);
    assert.equal(check({}, permission, 'app://overread', {}), false, permission);
  }
  assert.equal(device({ deviceType: 'usb', origin: 'app://overread' }), false);
});
