// Owns what a window's web contents may do beyond rendering our pages: navigate only within app://overread,
// never open new windows (external links go to the OS browser only when http(s)), never attach a <webview>,
// and never get a permission (camera, notifications, …) — Overread needs none.
// Electron is imported for its types only and the OS browser call is passed in, so the guards can be tested
// on a fake WebContents without Electron's binary (tests/main/web-contents-guard.test.ts).
import type { Session, WebContents } from 'electron';
import { isAppUrl } from './app-origin.ts';
import { decideWindowOpen } from './window-open-policy.ts';

/** The parts of WebContents the guards use (a real one satisfies it). */
export type GuardedContents = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;
/** The parts of Session the permission handlers use. */
export type GuardedSession = Pick<
  Session,
  'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'
>;

export function guardWebContents(
  contents: GuardedContents,
  openExternal: (url: string) => Promise<void>,
): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const decision = decideWindowOpen(url);
    if (decision.openExternally) void openExternal(url);
    return { action: decision.action };
  });
}

export function denyAllPermissions(session: GuardedSession): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}
