// The `?` sheet: every shortcut, grouped by where it applies, rendered from shortcuts.ts.
import { byId, element } from './dom.ts';
import { MOUSE_GESTURES, shortcutGroups } from './shortcuts.ts';

export function setUpShortcutSheet(): { open(): void } {
  const dialog = byId<HTMLDialogElement>('shortcut-sheet');
  const groups = byId('shortcut-groups');
  for (const group of shortcutGroups()) {
    const rows = group.shortcuts.map((shortcut) =>
      element('tr', {}, [
        element(
          'td',
          {},
          shortcut.keys.flatMap((key, i) => [
            ...(i ? [document.createTextNode(' / ')] : []),
            element('kbd', { text: key }),
          ]),
        ),
        element('td', { text: shortcut.description }),
      ]),
    );
    groups.append(
      element('section', {}, [
        element('h3', { text: group.title }),
        element('table', {}, [element('tbody', {}, rows)]),
      ]),
    );
  }
  const mouseRows = MOUSE_GESTURES.map((m) =>
    element('tr', {}, [
      element('td', {}, [element('kbd', { text: m.gesture })]),
      element('td', { text: m.description }),
    ]),
  );
  groups.append(
    element('section', {}, [
      element('h3', { text: 'Mouse' }),
      element('table', {}, [element('tbody', {}, mouseRows)]),
    ]),
  );
  byId('shortcut-close').addEventListener('click', () => dialog.close());
  // Closing gives focus back to the opener; hand the keys back to the page's shortcuts instead.
  dialog.addEventListener('close', () => {
    if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
  });
  const open = () => {
    if (!dialog.open) dialog.showModal();
  };
  byId('shortcuts-button').addEventListener('click', open);
  return { open };
}
