// Owns turning the user's paths into the list of files to read: folders walked recursively (symlink loops
// survived by remembering each folder's device+inode), zip files and DICOMDIRs recognised by name, each file
// listed once however many ways it is reached. Unreadable folders become errors; the walk goes on.
// A symbolic link inside a folder is followed only when it leads somewhere inside the path the user gave: a
// CD or USB stick with a link to `/` or to the reader's home folder must not turn an import into a walk of
// the whole disk, or read files the user never chose (they are named in the errors instead).
import { readdirSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { basename, isAbsolute, join, relative, sep } from 'node:path';
import type { FileError } from './index-types.ts';
import { dicomdirFiles } from './dicomdir-files.ts';

export interface CollectedFiles {
  files: string[];
  zips: string[];
  errors: FileError[];
}

const codeOf = (error: unknown) => (error as NodeJS.ErrnoException).code ?? (error as Error).message;

function reasonOf(error: unknown, what: string): string {
  const code = codeOf(error);
  if (code === 'ENOENT') return `${what} does not exist`;
  if (code === 'EACCES' || code === 'EPERM')
    return `${what} cannot be read (permission denied) — check its permissions`;
  if (code === 'ELOOP') return 'symbolic link loop';
  return `${what} cannot be read (${code})`;
}

export function collectFiles(paths: string[]): CollectedFiles {
  const out: CollectedFiles = { files: [], zips: [], errors: [] };
  const seenFolders = new Set<string>();
  const seenFiles = new Set<string>();
  const addFile = (path: string, realPath: string) => {
    if (seenFiles.has(realPath)) return;
    seenFiles.add(realPath);
    const name = basename(path);
    if (name.toUpperCase() === 'DICOMDIR') {
      try {
        const media = dicomdirFiles(path);
        out.errors.push(...media.errors);
        for (const file of media.files) {
          let real: string;
          try {
            real = realpathSync(file);
          } catch (error) {
            out.errors.push({ path: file, reason: reasonOf(error, 'file') });
            continue;
          }
          addFile(file, real);
        }
      } catch (error) {
        out.errors.push({
          path,
          reason: `DICOMDIR unreadable: ${(error as { reason?: string }).reason ?? (error as Error).message}`,
        });
      }
    } else if (name.toLowerCase().endsWith('.zip')) out.zips.push(path);
    else out.files.push(path);
  };
  /** Real path of the path the user gave that the walk is currently under. */
  let root = '';
  const insideRoot = (real: string) => {
    const rel = relative(root, real);
    // Not `startsWith('..')`: a folder may be named `..hidden`.
    return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
  };
  const walk = (folder: string) => {
    let stat;
    try {
      stat = statSync(folder);
    } catch (error) {
      out.errors.push({ path: folder, reason: reasonOf(error, 'folder') });
      return;
    }
    const key = `${stat.dev}:${stat.ino}`;
    if (seenFolders.has(key)) return; // a symlink back up the tree, or the same folder given twice
    seenFolders.add(key);
    let entries: Dirent[];
    let real: string;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
      real = realpathSync(folder);
    } catch (error) {
      out.errors.push({ path: folder, reason: reasonOf(error, 'folder') });
      return;
    }
    // Sorted so the output does not depend on the file system's listing order.
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    // DICOMDIR first: the files it references are then listed once, through it.
    const dicomdir = entries.findIndex((entry) => entry.name.toUpperCase() === 'DICOMDIR' && entry.isFile());
    if (dicomdir > 0) entries.unshift(...entries.splice(dicomdir, 1));
    for (const entry of entries) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) addFile(path, join(real, entry.name));
      else if (entry.isSymbolicLink()) visitLink(path);
    }
  };
  const visitLink = (path: string) => {
    let real: string;
    try {
      real = realpathSync(path);
    } catch (error) {
      out.errors.push({ path, reason: reasonOf(error, 'path') });
      return;
    }
    if (!insideRoot(real)) {
      out.errors.push({
        path,
        reason:
          `symbolic link to ${real}, outside the folder being imported — not followed; ` +
          'import that location itself to include it',
      });
      return;
    }
    visit(path);
  };
  const visit = (path: string) => {
    let stat;
    try {
      stat = statSync(path);
    } catch (error) {
      out.errors.push({ path, reason: reasonOf(error, 'path') });
      return;
    }
    if (stat.isDirectory()) walk(path);
    else if (stat.isFile()) {
      try {
        addFile(path, realpathSync(path));
      } catch (error) {
        out.errors.push({ path, reason: reasonOf(error, 'file') });
      }
    }
  };
  for (const path of paths) {
    try {
      root = realpathSync(path);
    } catch {
      root = path; // visit reports why it cannot be read
    }
    visit(path);
  }
  return out;
}
