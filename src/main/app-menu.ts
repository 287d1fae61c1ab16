// Owns the application menu: open files/folders (also reachable by drag-and-drop in the window), recent
// items, and About with the model cards. Menu actions drive the page through its own routes.
import { app, dialog, Menu, type BrowserWindow, type MenuItemConstructorOptions } from 'electron';
import type { OpenedApi } from '../api/open-api.ts';
import { APP_ORIGIN } from './app-origin.ts';

export function buildMenu(window: BrowserWindow, api: OpenedApi): Menu {
  const importPaths = async (properties: Array<'openFile' | 'openDirectory' | 'multiSelections'>) => {
    const result = await dialog.showOpenDialog(window, { properties });
    if (result.canceled || result.filePaths.length === 0) return;
    api.allowRoots(result.filePaths);
    result.filePaths.forEach((path) => app.addRecentDocument(path));
    await window.loadURL(`${APP_ORIGIN}/#import=${encodeURIComponent(JSON.stringify(result.filePaths))}`);
  };
  const template: MenuItemConstructorOptions[] = [
    {
      label: 'File',
      submenu: [
        {
          label: 'Open Files…',
          accelerator: 'CmdOrCtrl+O',
          click: () => void importPaths(['openFile', 'multiSelections']),
        },
        {
          label: 'Open Folder, Zip or DICOMDIR…',
          accelerator: 'CmdOrCtrl+Shift+O',
          click: () => void importPaths(['openDirectory']),
        },
        { role: 'recentDocuments', submenu: [{ role: 'clearRecentDocuments' }] },
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
        {
          label: 'Keyboard Shortcuts',
          accelerator: '?',
          click: () => void window.loadURL(`${APP_ORIGIN}/#shortcuts`),
        },
        { label: 'About Overread and its Models', click: () => void window.loadURL(`${APP_ORIGIN}/#about`) },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}
