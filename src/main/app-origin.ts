// Owns the renderer's origin. The app is served from the privileged app:// scheme whose handler is the API,
// so the packaged app opens no port; every page, script and API call lives under this one origin.

export const APP_SCHEME = 'app';
export const APP_HOST = 'overread';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_START_URL = `${APP_ORIGIN}/`;

/** The page URL that asks the renderer to import `paths` (read by renderer/hash-commands.ts). */
export function importUrl(paths: readonly string[]): string {
  return `${APP_ORIGIN}/#import=${encodeURIComponent(JSON.stringify(paths))}`;
}

/** True only for URLs of our own origin: the one place the window may navigate to. */
export function isAppUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
  } catch {
    return false;
  }
}

/** The scheme's privileges: standard + secure so it gets an origin, CSP and fetch; no CORS, no service workers. */
export const APP_SCHEME_PRIVILEGES = {
  standard: true,
  secure: true,
  supportFetchAPI: true,
  stream: true,
  corsEnabled: false,
  allowServiceWorkers: false,
  bypassCSP: false,
} as const;
