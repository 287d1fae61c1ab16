import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  actionForKey,
  MOUSE_GESTURES,
  SHORTCUTS,
  shortcutGroups,
  shortcutsMarkdown,
} from '../../renderer/shortcuts.ts';

test('review keys map to their actions in the viewer', () => {
  assert.equal(actionForKey({ key: 'y' }, 'viewer'), 'confirm');
  assert.equal(actionForKey({ key: 'Enter' }, 'viewer'), 'confirm');
  assert.equal(actionForKey({ key: 'n' }, 'viewer'), 'reject');
  assert.equal(actionForKey({ key: 'j' }, 'viewer'), 'next-finding');
  assert.equal(actionForKey({ key: 'Tab' }, 'viewer'), 'next-finding');
  assert.equal(actionForKey({ key: 'Tab', shiftKey: true }, 'viewer'), 'previous-finding');
  assert.equal(actionForKey({ key: 'k' }, 'viewer'), 'previous-finding');
  assert.equal(actionForKey({ key: 'b' }, 'viewer'), 'brush');
  assert.equal(actionForKey({ key: 'e' }, 'viewer'), 'eraser');
  assert.equal(actionForKey({ key: '[' }, 'viewer'), 'radius-down');
  assert.equal(actionForKey({ key: ']' }, 'viewer'), 'radius-up');
  assert.equal(actionForKey({ key: 'a' }, 'viewer'), 'add-finding');
  assert.equal(actionForKey({ key: 'd' }, 'viewer'), 'done');
  assert.equal(actionForKey({ key: 'p' }, 'viewer'), 'toggle-probability');
  assert.equal(actionForKey({ key: 'PageDown' }, 'viewer'), 'slice-page-down');
  assert.equal(actionForKey({ key: 'ArrowUp' }, 'viewer'), 'slice-previous');
});

test('undo and redo need Ctrl (or Cmd); Shift turns undo into redo', () => {
  assert.equal(actionForKey({ key: 'z', ctrlKey: true }, 'viewer'), 'undo');
  assert.equal(actionForKey({ key: 'z', metaKey: true }, 'viewer'), 'undo');
  assert.equal(actionForKey({ key: 'Z', ctrlKey: true, shiftKey: true }, 'viewer'), 'redo');
  assert.equal(actionForKey({ key: 'y', ctrlKey: true }, 'viewer'), 'redo');
  // a plain Z does nothing; Ctrl+Y is not a confirm
  assert.equal(actionForKey({ key: 'z' }, 'viewer'), null);
  assert.notEqual(actionForKey({ key: 'y', ctrlKey: true }, 'viewer'), 'confirm');
});

test('digits are window presets in the viewer but reject reasons after N', () => {
  assert.equal(actionForKey({ key: '1' }, 'viewer'), 'preset-1');
  assert.equal(actionForKey({ key: '5' }, 'viewer'), 'preset-5');
  assert.equal(actionForKey({ key: '1' }, 'reason'), 'reason-vessel');
  assert.equal(actionForKey({ key: '2' }, 'reason'), 'reason-scar');
  assert.equal(actionForKey({ key: '3' }, 'reason'), 'reason-artefact');
  assert.equal(actionForKey({ key: '4' }, 'reason'), 'reason-benign');
  assert.equal(actionForKey({ key: '5' }, 'reason'), 'reason-other');
  assert.equal(actionForKey({ key: 'Escape' }, 'reason'), 'cancel-reason');
  // while a reason is awaited, other keys do nothing (no accidental confirm)
  assert.equal(actionForKey({ key: 'y' }, 'reason'), null);
});

test('the worklist has its own arrows and Enter; ? works everywhere, with or without Shift', () => {
  assert.equal(actionForKey({ key: 'ArrowDown' }, 'worklist'), 'worklist-down');
  assert.equal(actionForKey({ key: 'Enter' }, 'worklist'), 'worklist-open');
  assert.equal(actionForKey({ key: '?', shiftKey: true }, 'worklist'), 'show-shortcuts');
  assert.equal(actionForKey({ key: '?', shiftKey: true }, 'viewer'), 'show-shortcuts');
  assert.equal(actionForKey({ key: 'y' }, 'worklist'), null);
});

test('no key means two things in one context', () => {
  const seen = new Map<string, string>();
  for (const shortcut of SHORTCUTS) {
    const contexts = shortcut.context === 'global' ? ['worklist', 'viewer'] : [shortcut.context];
    for (const context of contexts) {
      for (const key of shortcut.keys) {
        const id = `${context}:${key.toLowerCase()}`;
        assert.equal(seen.get(id) ?? shortcut.action, shortcut.action, `${key} is bound twice in ${context}`);
        seen.set(id, shortcut.action);
      }
    }
  }
});

test('the sheet and the README table list every shortcut', () => {
  const grouped = shortcutGroups().flatMap((g) => g.shortcuts);
  assert.equal(grouped.length, SHORTCUTS.length);
  const markdown = shortcutsMarkdown();
  assert.equal(markdown.split('\n').length, SHORTCUTS.length + MOUSE_GESTURES.length + 2);
  assert.match(markdown, /\| `Ctrl\+Shift\+Z` \/ `Ctrl\+Y` \| Viewer and review \| Redo \|/);
  // The README carries the same table (regenerate with `node --import tsx scripts/readme-shortcuts.ts`).
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  assert.ok(
    readme.includes(`<!-- shortcuts:start -->\n${markdown}\n<!-- shortcuts:end -->`),
    'README table is stale',
  );
});
