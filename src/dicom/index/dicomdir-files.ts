// Owns reading a DICOMDIR's directory records into the files they reference. Referenced File IDs are resolved
// relative to the DICOMDIR's folder, component by component; an ID that is absolute or climbs out of the
// media ("..") is refused, so a crafted DICOMDIR cannot make us read files elsewhere on the machine.
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { parseDicom } from '../parse/parse-dicom.ts';
import type { FileError } from './index-types.ts';

const MAX_DICOMDIR_BYTES = 256 * 1024 ** 2;

export interface DicomdirFiles {
  files: string[];
  errors: FileError[];
}

/** Finds `name` in `folder`, exactly or case-insensitively (media written as upper case, mounted as lower). */
function findEntry(folder: string, name: string, listings: Map<string, string[]>): string | undefined {
  let names = listings.get(folder);
  if (!names) {
    try {
      names = readdirSync(folder);
    } catch {
      names = [];
    }
    listings.set(folder, names);
  }
  if (names.includes(name)) return name;
  const lower = name.toLowerCase();
  return names.find((candidate) => candidate.toLowerCase() === lower);
}

export function dicomdirFiles(path: string): DicomdirFiles {
  const result: DicomdirFiles = { files: [], errors: [] };
  const size = statSync(path).size;
  if (size > MAX_DICOMDIR_BYTES) {
    result.errors.push({ path, reason: 'DICOMDIR larger than 256 MB — index its folder instead' });
    return result;
  }
  const { dataSet } = parseDicom(path, readFileSync(path));
  const records = dataSet.elements.x00041220?.items ?? [];
  const root = dirname(path);
  const realRoot = realpathSync(root);
  // A symbolic link on the media may still point elsewhere: what a record names must really lie inside.
  const inside = (file: string) => {
    try {
      return realpathSync(file).startsWith(realRoot + sep);
    } catch {
      return false;
    }
  };
  const listings = new Map<string, string[]>();
  for (const record of records) {
    const id = record.dataSet?.string('x00041500')?.trim();
    if (!id) continue;
    const parts = id.split('\\').map((part) => part.trim());
    const bad = parts.find(
      (part) => part === '' || part === '.' || part === '..' || /[/:]/.test(part) || part.startsWith('\\'),
    );
    if (bad !== undefined || id.startsWith('/')) {
      result.errors.push({
        path,
        reason: `Referenced File ID "${id}" points outside the media — refused (only plain names inside the DICOMDIR's folder are followed)`,
      });
      continue;
    }
    let folder = root;
    let found = true;
    for (const part of parts) {
      const name = findEntry(folder, part, listings);
      if (!name) {
        found = false;
        break;
      }
      folder = join(folder, name);
    }
    if (!found) {
      result.errors.push({ path, reason: `Referenced File ID "${id}" does not exist on the media` });
    } else if (!inside(folder)) {
      result.errors.push({
        path,
        reason: `Referenced File ID "${id}" is a link leading outside the media — refused`,
      });
    } else result.files.push(folder);
  }
  return result;
}
