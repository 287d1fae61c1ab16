// Owns the application menu: open files, folders, zip archives and DICOMDIR media (also reachable by
// drag-and-drop onto the window), the recent items, exporting labels, the shortcut sheet, and About with the
// model cards. The menu drives the page through its fragment (`#import=…`, `#about`, `#shortcuts`,
// `#export`): the renderer has no IPC listener, so the preload's allow-list stays one-way.
import { dialog, Menu, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import { APP_ORIGIN, importUrl } from './app-origin.ts';

export interface MenuHooks {
  /** Recent paths, newest first (only those still present). */
  recent(): string[];
  /** Paths were chosen: remember them and let the API read below them. */
  opened(paths: string[]): void;
  clearRecent(): void;
}

type OpenProperty = 'openFile' | 'openDirectory' | 'multiSelections';

export function buildMenu(window: BrowserWindow, hooks: MenuHooks, rebuild: () => void): Menu {
  const importPaths = (paths: string[]) => {
    if (paths.length === 0) return;
    hooks.opened(paths);
    rebuild();
    void window.loadURL(importUrl(paths));
  };
  const choose = async (properties: OpenProperty[], filters?: Electron.FileFilter[]) => {
    const result = await dialog.showOpenDialog(window, { properties, ...(filters ? { filters } : {}) });
    if (!result.canceled) importPaths(result.filePaths);
  };
  const recent = hooks.recent();
  const template: MenuItemConstructorOptions[] = [
    {
      label: 'File',
      submenu: [
        {
          label: 'Open Files…',
          accelerator: 'CmdOrCtrl+O',
          click: () => void choose(['openFile', 'multiSelections']),
        },
        {
          label: 'Open Folder…',
          accelerator: 'CmdOrCtrl+Shift+O',
          click: () => void choose(['openDirectory', 'multiSelections']),
        },
        {
          label: 'Open Zip Archive…',
          click: () =>
            void choose(['openFile', 'multiSelections'], [{ name: 'Zip archives', extensions: ['zip'] }]),
        },
        {
          label: 'Open DICOMDIR (CD/DVD/USB)…',
          // DICOMDIR has no extension; the index reads the file and refuses anything else by its content.
          click: () => void choose(['openFile'], [{ name: 'DICOMDIR', extensions: ['*'] }]),
        },
        {
          label: 'Open Recent',
          submenu: [
            ...(recent.length
              ? recent.map((path) => ({ label: path, click: () => importPaths([path]) }))
              : [{ label: 'No recent items', enabled: false }]),
            { type: 'separator' },
            {
              label: 'Clear Recent',
              enabled: recent.length > 0,
              click: () => {
                hooks.clearRecent();
                rebuild();
              },
            },
          ],
        },
        { type: 'separator' },
        {
          label: 'Export Labels…',
          accelerator: 'CmdOrCtrl+E',
          click: () => void window.loadURL(`${APP_ORIGIN}/#export`),
        },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    {
      label: 'View',
      submenu: [{ role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { role: 'togglefullscreen' }],
    },
    {
      label: 'Help',
      submenu: [
        // No accelerator: `?` is the page's own shortcut, and a menu accelerator would swallow it while typing.
        { label: 'Keyboard Shortcuts', click: () => void window.loadURL(`${APP_ORIGIN}/#shortcuts`) },
        { label: 'Switch Reader…', click: () => void window.loadURL(`${APP_ORIGIN}/#reader`) },
        { label: 'About Overread and its Models', click: () => void window.loadURL(`${APP_ORIGIN}/#about`) },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}
