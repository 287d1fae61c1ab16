// Owns which files the API may read: only those below a folder (or file) the user imported. Paths are compared
// after resolving symlinks, so a link inside a root that leads elsewhere is outside, and `..` never escapes.
import { realpathSync } from 'node:fs';
import { dirname, basename, join, resolve, sep } from 'node:path';

/** The real path of `path`, or of its nearest existing ancestor with the rest appended (for missing files). */
export function realPath(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync.native(absolute);
  } catch {
    const parent = dirname(absolute);
    return parent === absolute ? absolute : join(realPath(parent), basename(absolute));
  }
}

export class FileRoots {
  private readonly roots = new Set<string>();

  constructor(initial: Iterable<string> = []) {
    for (const root of initial) this.roots.add(realPath(root));
  }

  /** Adds roots; returns their resolved forms (what is stored). */
  add(paths: Iterable<string>): string[] {
    const added: string[] = [];
    for (const path of paths) {
      const root = realPath(path);
      this.roots.add(root);
      added.push(root);
    }
    return added;
  }

  list(): string[] {
    return [...this.roots];
  }

  contains(path: string): boolean {
    if (path.includes('\0')) return false;
    const file = realPath(path);
    for (const root of this.roots) {
      if (file === root || file.startsWith(root.endsWith(sep) ? root : root + sep)) return true;
    }
    return false;
  }
}
