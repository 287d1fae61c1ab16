// Owns the pseudonym key: the only link from a de-identified export back to real patients, studies and
// readers. Written only when asked, never inside the export folder, readable by the owner only.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Pseudonyms, UidRemapper } from '../dicom/deidentify/uid-remapper.ts';

export function assertOutside(keyFile: string, outDir: string): void {
  const key = path.resolve(keyFile);
  const out = path.resolve(outDir);
  const relative = path.relative(out, key);
  if (!relative.startsWith('..') && !path.isAbsolute(relative)) {
    throw new Error(
      `key file ${key} lies inside the export folder ${out} — put it somewhere the export never goes`,
    );
  }
}

export async function writePseudonymKey(
  keyFile: string,
  outDir: string,
  uids: UidRemapper,
  pseudonyms: Pseudonyms,
): Promise<void> {
  assertOutside(keyFile, outDir);
  const key = {
    warning: 'This file re-identifies the export next to it. Keep it apart from the export, and private.',
    export: path.resolve(outDir),
    createdAt: new Date().toISOString(),
    pseudonyms: pseudonyms.entries(),
    uids: uids.pairs(),
  };
  await writeFile(keyFile, `${JSON.stringify(key, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
}
