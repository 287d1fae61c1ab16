// Owns reading an imported instance's bytes for export: a plain file, or one entry of a zip the user imported
// (the index keeps zips as they are). One reader holds the last zip it opened, so a zipped series of hundreds
// of entries reads the archive from disk once rather than once per entry.
import { readFile } from 'node:fs/promises';
import { unzipSync } from 'fflate';
import type { InstanceLocation } from '../dicom/index/index.ts';
import type { ReadInstance } from './load-series-volume.ts';

export function instanceName(location: InstanceLocation): string {
  return location.zipEntry === undefined ? location.path : `${location.path}!${location.zipEntry}`;
}

export function createInstanceReader(): ReadInstance {
  let zip: { path: string; bytes: Uint8Array } | undefined;
  return async (location) => {
    if (location.zipEntry === undefined) return new Uint8Array(await readFile(location.path));
    if (zip?.path !== location.path) {
      zip = { path: location.path, bytes: new Uint8Array(await readFile(location.path)) };
    }
    const entry = location.zipEntry;
    let found: Uint8Array | undefined;
    try {
      found = unzipSync(zip.bytes, { filter: (info) => info.name === entry })[entry];
    } catch (error) {
      throw new Error(
        `${instanceName(location)}: the zip could not be read (${(error as Error).message}) — re-import it`,
      );
    }
    if (!found) throw new Error(`${instanceName(location)}: the entry is gone from the zip — re-import it`);
    return found;
  };
}
