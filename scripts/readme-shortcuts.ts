// Writes the shortcut table generated from renderer/shortcuts.ts between the README's shortcut markers, so the
// README lists exactly what the app does (tests/renderer/shortcuts.test.ts fails when they drift).
import { readFileSync, writeFileSync } from 'node:fs';
import { shortcutsMarkdown } from '../renderer/shortcuts.ts';

const file = new URL('../README.md', import.meta.url);
const readme = readFileSync(file, 'utf8');
const updated = readme.replace(
  /(<!-- shortcuts:start -->\n)[\s\S]*?(<!-- shortcuts:end -->)/,
  `$1${shortcutsMarkdown()}\n$2`,
);
writeFileSync(file, updated);
