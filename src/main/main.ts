// The Electron shell, and only the shell: one window, the menu, OS dialogs, and the app:// protocol whose
// handler is the very API `overread serve` mounts. Everything else lives in the core and the API.
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  protocol,
  safeStorage,
  session,
  shell,
  type IpcMainInvokeEvent,
} from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openApi } from '../api/open-api.ts';
import { APP_SCHEME, APP_SCHEME_PRIVILEGES, APP_START_URL, isAppUrl } from './app-origin.ts';
import { IPC_CHANNELS } from './ipc-channels.ts';
import { windowOptions } from './window-options.ts';
import { denyAllPermissions, guardWebContents } from './web-contents-guard.ts';
import { buildMenu } from './app-menu.ts';
import { existingRecent, readRecent, withRecent, writeRecent } from './recent-items.ts';
import { safeStorageSecretStore } from './pacs-secrets.ts';

const here = dirname(fileURLToPath(import.meta.url));

// Must run before `ready`: the scheme gets an origin, CSP and fetch like https.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { ...APP_SCHEME_PRIVILEGES } }]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const [window] = BrowserWindow.getAllWindows();
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });
  void start();
}

/** IPC is answered only for our own pages, never for a frame that navigated elsewhere. */
function fromApp(event: IpcMainInvokeEvent): boolean {
  return isAppUrl(event.senderFrame?.url ?? '');
}

async function start(): Promise<void> {
  await app.whenReady();
  // PACS passwords and tokens go to the OS keychain (encrypted, never plain text) — see pacs-secrets.ts.
  const api = await openApi({
    electron: true,
    pacsSecrets: safeStorageSecretStore(safeStorage, app.getPath('userData')),
  });
  protocol.handle(APP_SCHEME, (request) => api.fetch(request));
  denyAllPermissions(session.defaultSession);
  app.on('web-contents-created', (_event, contents) =>
    guardWebContents(contents, (url) => shell.openExternal(url)),
  );

  const window = new BrowserWindow(windowOptions(join(here, 'preload.cjs')));
  const recentFile = join(app.getPath('userData'), 'recent-items.json');
  const remember = (paths: string[]) => {
    api.allowRoots(paths);
    writeRecent(recentFile, withRecent(readRecent(recentFile), paths));
  };
  const rebuildMenu = () =>
    Menu.setApplicationMenu(
      buildMenu(
        window,
        {
          recent: () => existingRecent(readRecent(recentFile)),
          opened: remember,
          clearRecent: () => writeRecent(recentFile, []),
        },
        rebuildMenu,
      ),
    );
  const pick = async (properties: Array<'openFile' | 'openDirectory' | 'multiSelections'>) => {
    const result = await dialog.showOpenDialog(window, { properties });
    if (result.canceled) return [];
    remember(result.filePaths);
    rebuildMenu();
    return result.filePaths;
  };
  ipcMain.handle(IPC_CHANNELS.openFiles, (event) =>
    fromApp(event) ? pick(['openFile', 'multiSelections']) : [],
  );
  ipcMain.handle(IPC_CHANNELS.openFolder, (event) => (fromApp(event) ? pick(['openDirectory']) : []));
  // Where to write an export: unlike opening a folder, the choice is not remembered nor made an import root.
  ipcMain.handle(IPC_CHANNELS.chooseExportFolder, async (event) => {
    if (!fromApp(event)) return null;
    const result = await dialog.showOpenDialog(window, {
      title: 'Export to',
      buttonLabel: 'Export here',
      properties: ['openDirectory', 'createDirectory'],
    });
    return result.canceled ? null : (result.filePaths[0] ?? null);
  });
  ipcMain.handle(IPC_CHANNELS.revealInFolder, (event, path: unknown) => {
    if (fromApp(event) && typeof path === 'string' && api.isInsideRoots(path)) shell.showItemInFolder(path);
  });

  rebuildMenu();
  window.once('ready-to-show', () => window.show());
  await window.loadURL(APP_START_URL);
  app.on('window-all-closed', () => {
    void api.close().finally(() => app.quit());
  });
}
