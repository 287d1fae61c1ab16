// Owns the application menu's content: open files, folders, zip archives and DICOMDIR media (also reachable by
// drag-and-drop onto the window), the recent items, exporting labels, the shortcut sheet, and About with the
// model cards. The menu drives the page through its fragment (`#import=…`, `#about`, `#shortcuts`,
// `#export`): the renderer has no IPC listener, so the preload's allow-list stays one-way. Kept apart from
// Electron's Menu (app-menu.ts) so the items and what each click does are tested without Electron's binary.
import type { FileFilter, MenuItemConstructorOptions } from 'electron';
import { APP_ORIGIN, importUrl } from './app-origin.ts';

export interface MenuHooks {
  /** Recent paths, newest first (only those still present). */
  recent(): string[];
  /** Paths were chosen: remember them and let the API read below them. */
  opened(paths: string[]): void;
  clearRecent(): void;
}

export type OpenProperty = 'openFile' | 'openDirectory' | 'multiSelections';

/** What the items act on: the window's page and the OS open dialog. */
export interface MenuWindow {
  load(url: string): void;
  /** Shows the open dialog; resolves with the chosen paths ([] when cancelled). */
  choose(properties: OpenProperty[], filters?: FileFilter[]): Promise<string[]>;
}

export function menuTemplate(
  window: MenuWindow,
  hooks: MenuHooks,
  rebuild: () => void,
): MenuItemConstructorOptions[] {
  const importPaths = (paths: string[]) => {
    if (paths.length === 0) return;
    hooks.opened(paths);
    rebuild();
    window.load(importUrl(paths));
  };
  const choose = async (properties: OpenProperty[], filters?: FileFilter[]) =>
    importPaths(await window.choose(properties, filters));
  const recent = hooks.recent();
  return [
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
          click: () => window.load(`${APP_ORIGIN}/#export`),
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
        { label: 'Keyboard Shortcuts', click: () => window.load(`${APP_ORIGIN}/#shortcuts`) },
        { label: 'Switch Reader…', click: () => window.load(`${APP_ORIGIN}/#reader`) },
        { label: 'About Overread and its Models', click: () => window.load(`${APP_ORIGIN}/#about`) },
      ],
    },
  ];
}
