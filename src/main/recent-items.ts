// Owns the "Open Recent" list: the last folders and files the user imported, newest first, kept in a small
// JSON file in the app's user-data folder. Electron's own recent-documents role only exists on macOS and
// Windows, so the list is ours and works the same everywhere. Paths only — never patient data.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const RECENT_LIMIT = 10;

/** The list after opening `paths`: they move to the front, duplicates removed, at most `limit` kept. */
export function withRecent(
  list: readonly string[],
  paths: readonly string[],
  limit = RECENT_LIMIT,
): string[] {
  const fresh = [...new Set(paths)];
  return [...fresh, ...list.filter((path) => !fresh.includes(path))].slice(0, limit);
}

/** Reads the list; a missing or damaged file is an empty list (it is a convenience, not data). */
export function readRecent(file: string): string[] {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return Array.isArray(parsed)
      ? parsed.filter((p): p is string => typeof p === 'string').slice(0, RECENT_LIMIT)
      : [];
  } catch {
    return [];
  }
}

export function writeRecent(file: string, list: readonly string[]): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(list, null, 2));
}

/** Entries whose file or folder is still there (a USB stick may be gone). */
export function existingRecent(list: readonly string[]): string[] {
  return list.filter((path) => existsSync(path));
}
