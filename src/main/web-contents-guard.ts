// Owns what a window's web contents may do beyond rendering our pages: navigate only within app://overread,
// never open new windows (external links go to the OS browser only when http(s)), never attach a <webview>,
// and never get a permission (camera, notifications, …) — Overread needs none.
import { shell, type Session, type WebContents } from 'electron';
import { isAppUrl } from './app-origin.ts';
import { decideWindowOpen } from './window-open-policy.ts';

export function guardWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    const decision = decideWindowOpen(url);
    if (decision.openExternally) void shell.openExternal(url);
    return { action: decision.action };
  });
}

export function denyAllPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}
