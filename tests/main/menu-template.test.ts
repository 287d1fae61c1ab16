// The application menu's items and what each click does, driven through a fake window and open dialog (the
// menu content needs no Electron binary; app-menu.ts only hands it to Menu.buildFromTemplate).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MenuItemConstructorOptions } from 'electron';
import { menuTemplate, type MenuHooks, type OpenProperty } from '../../src/main/menu-template.ts';
import { importUrl } from '../../src/main/app-origin.ts';

function harness(recent: string[], chosen: string[] = []) {
  const loads: string[] = [];
  const dialogs: { properties: OpenProperty[]; extensions?: string[] }[] = [];
  const events: string[] = [];
  const hooks: MenuHooks = {
    recent: () => recent,
    opened: (paths) => events.push(`opened ${paths.join(',')}`),
    clearRecent: () => events.push('cleared'),
  };
  const template = menuTemplate(
    {
      load: (url) => loads.push(url),
      choose: async (properties, filters) => {
        dialogs.push({ properties, extensions: filters?.flatMap((f) => f.extensions) });
        return chosen;
      },
    },
    hooks,
    () => events.push('rebuilt'),
  );
  const find = (items: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions => {
    for (const item of items) {
      if (item.label === label) return item;
      const inner = Array.isArray(item.submenu) ? item.submenu : [];
      const found = inner.length ? find(inner, label) : undefined;
      if (found?.label === label) return found;
    }
    return {};
  };
  const click = async (label: string) => {
    const item = find(template, label);
    assert.ok(item.click, `no item "${label}"`);
    (item.click as () => void)();
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { template, find, click, loads, dialogs, events };
}

test('File opens files, folders, zips and DICOMDIR media through the dialog and imports what was chosen', async () => {
  const h = harness([], ['/media/cd/DICOMDIR']);
  assert.equal(h.find(h.template, 'Open Files…').accelerator, 'CmdOrCtrl+O');
  assert.equal(h.find(h.template, 'Open Folder…').accelerator, 'CmdOrCtrl+Shift+O');
  await h.click('Open Files…');
  await h.click('Open Folder…');
  await h.click('Open Zip Archive…');
  await h.click('Open DICOMDIR (CD/DVD/USB)…');
  assert.deepEqual(h.dialogs, [
    { properties: ['openFile', 'multiSelections'], extensions: undefined },
    { properties: ['openDirectory', 'multiSelections'], extensions: undefined },
    { properties: ['openFile', 'multiSelections'], extensions: ['zip'] },
    { properties: ['openFile'], extensions: ['*'] },
  ]);
  // Each choice is remembered, the menu rebuilt (recent items), and the page asked to import it.
  assert.deepEqual(h.events, Array(4).fill(['opened /media/cd/DICOMDIR', 'rebuilt']).flat());
  assert.deepEqual(h.loads, Array(4).fill(importUrl(['/media/cd/DICOMDIR'])));
});

test('a cancelled dialog imports nothing', async () => {
  const h = harness([], []);
  await h.click('Open Folder…');
  assert.deepEqual([h.events, h.loads], [[], []]);
});

test('Open Recent lists the recent paths, each importing again; Clear Recent empties it', async () => {
  const h = harness(['/studies/a', '/studies/b.zip']);
  await h.click('/studies/b.zip');
  assert.deepEqual(h.loads, [importUrl(['/studies/b.zip'])]);
  assert.equal(h.find(h.template, 'Clear Recent').enabled, true);
  await h.click('Clear Recent');
  assert.deepEqual(h.events, ['opened /studies/b.zip', 'rebuilt', 'cleared', 'rebuilt']);

  const empty = harness([]);
  assert.equal(empty.find(empty.template, 'No recent items').enabled, false);
  assert.equal(empty.find(empty.template, 'Clear Recent').enabled, false);
});

test('Export, the shortcut sheet, the reader and About open their page; ? stays the page’s own key', async () => {
  const h = harness([]);
  assert.equal(h.find(h.template, 'Export Labels…').accelerator, 'CmdOrCtrl+E');
  for (const label of [
    'Export Labels…',
    'Keyboard Shortcuts',
    'Switch Reader…',
    'About Overread and its Models',
  ])
    await h.click(label);
  assert.deepEqual(
    h.loads.map((url) => new URL(url).hash),
    ['#export', '#shortcuts', '#reader', '#about'],
  );
  assert.equal(h.find(h.template, 'Keyboard Shortcuts').accelerator, undefined);
  assert.ok(h.template.some((menu) => menu.label === 'View'));
});
