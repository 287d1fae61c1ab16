// Owns where Overread keeps per-user state outside the dataset: the same folder Electron's
// app.getPath('userData') gives for an app named "overread", so the CLI and the desktop app share settings,
// the pull cache and the push queue. $OVERREAD_DATA_DIR overrides it (tests, portable installs).
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultAppDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.OVERREAD_DATA_DIR) return env.OVERREAD_DATA_DIR;
  if (process.platform === 'win32')
    return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'overread');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'overread');
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'overread');
}

/** Where pulled studies land: <cache>/<study UID>/<series UID>/<SOP UID>.dcm */
export function defaultPullCacheDir(dataDir: string): string {
  return join(dataDir, 'pacs-cache');
}
