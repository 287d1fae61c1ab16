// Owns where the dataset lives when no --db is given: the OS's per-user application-data folder, so labels
// survive reinstalling the app and never land in a folder of DICOM that might be shared or burned to disc.
import os from 'node:os';
import path from 'node:path';

export function defaultDatasetPath(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  const join = platform === 'win32' ? path.win32.join : path.posix.join;
  return join(appDataFolder(env, platform, home), 'overread', 'overread-dataset.sqlite');
}

function appDataFolder(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, home: string): string {
  if (platform === 'win32') return env.APPDATA || path.win32.join(home, 'AppData', 'Roaming');
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support');
  // XDG base directory spec: an empty or relative XDG_DATA_HOME is to be ignored.
  const xdg = env.XDG_DATA_HOME;
  return xdg && path.posix.isAbsolute(xdg) ? xdg : path.posix.join(home, '.local', 'share');
}
