// Owns turning the menu's content (menu-template.ts) into Electron's application menu for a window: the page
// loads go to the window, the open dialogs are Electron's own.
import { dialog, Menu, type BrowserWindow } from 'electron';
import { menuTemplate, type MenuHooks } from './menu-template.ts';

export type { MenuHooks } from './menu-template.ts';

export function buildMenu(window: BrowserWindow, hooks: MenuHooks, rebuild: () => void): Menu {
  return Menu.buildFromTemplate(
    menuTemplate(
      {
        load: (url) => void window.loadURL(url),
        choose: async (properties, filters) => {
          const result = await dialog.showOpenDialog(window, { properties, ...(filters ? { filters } : {}) });
          return result.canceled ? [] : result.filePaths;
        },
      },
      hooks,
      rebuild,
    ),
  );
}
