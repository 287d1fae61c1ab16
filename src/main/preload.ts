// The sandboxed preload: exposes the allow-listed OS contract (ipc-channels.ts) as `window.overread` and
// nothing else — no ipcRenderer, no Node. Bundled to CommonJS (sandboxed preloads cannot load ESM).
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createPreloadApi } from './preload-api.ts';

contextBridge.exposeInMainWorld(
  'overread',
  createPreloadApi(
    (channel, ...args) => ipcRenderer.invoke(channel, ...args),
    (file) => webUtils.getPathForFile(file),
  ),
);
