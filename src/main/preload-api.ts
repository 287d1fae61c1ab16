// Builds the `window.overread` object from an invoke function, so the allow-list can be tested without
// Electron: every method calls exactly one allow-listed channel, with arguments coerced to plain strings.
import { ALLOWED_CHANNELS, IPC_CHANNELS, type PreloadApi } from './ipc-channels.ts';

export type Invoke = (channel: string, ...args: string[]) => Promise<unknown>;

export function createPreloadApi(invoke: Invoke, pathForFile: (file: File) => string): PreloadApi {
  const call = (channel: string, ...args: string[]) => {
    if (!ALLOWED_CHANNELS.has(channel)) throw new Error(`IPC channel ${channel} is not allow-listed`);
    return invoke(channel, ...args);
  };
  return Object.freeze({
    openFiles: () => call(IPC_CHANNELS.openFiles) as Promise<string[]>,
    openFolder: () => call(IPC_CHANNELS.openFolder) as Promise<string[]>,
    chooseExportFolder: () => call(IPC_CHANNELS.chooseExportFolder) as Promise<string | null>,
    revealInFolder: async (path: string) => {
      await call(IPC_CHANNELS.revealInFolder, String(path));
    },
    // Electron ≥ 32 no longer puts a path on dropped File objects; webUtils.getPathForFile is the supported way.
    pathsForFiles: (files: File[]) => Array.from(files, (file) => pathForFile(file)).filter(Boolean),
  });
}
