// Owns the manifest every export ends with: what was exported (format, schema and dataset version, counts,
// models, readers, time) and the sha256 of every file, so a recipient can verify the folder and a folder
// without a manifest is recognisably incomplete.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const MANIFEST_NAME = 'manifest.json';
export const EXPORT_SCHEMA_VERSION = 1;

export interface ManifestModel {
  id: string;
  version: string;
  sha256: string;
}

export interface ManifestInfo {
  format: string;
  datasetVersion?: string;
  deidentified: boolean;
  counts: Record<string, number>;
  models: ManifestModel[];
  /** Reader names, or their pseudonyms in a de-identified export. */
  readers: string[];
  /** Cases left out, with why; their findings are not in the table either. */
  skippedCases?: { caseId: string; reason: string }[];
  /** Filters the export was made with (status, reader, proposals included…). */
  selection?: Record<string, unknown>;
}

export interface ManifestFile {
  path: string;
  bytes: number;
  sha256: string;
}

export interface Manifest extends ManifestInfo {
  schema: 'overread-export';
  schemaVersion: number;
  createdAt: string;
  generator: string;
  files: ManifestFile[];
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function listFiles(root: string, dir = root): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? listFiles(root, full) : Promise.resolve([full]);
    }),
  );
  return nested.flat();
}

/** Hashes every file under `dir` and writes `dir/manifest.json`; call it last. */
export async function writeManifest(dir: string, info: ManifestInfo, now = new Date()): Promise<Manifest> {
  const files: ManifestFile[] = [];
  for (const file of (await listFiles(dir)).sort()) {
    const relative = path.relative(dir, file).split(path.sep).join('/');
    if (relative === MANIFEST_NAME) continue;
    files.push({ path: relative, bytes: (await stat(file)).size, sha256: await sha256Of(file) });
  }
  const manifest: Manifest = {
    schema: 'overread-export',
    schemaVersion: EXPORT_SCHEMA_VERSION,
    createdAt: now.toISOString(),
    generator: 'Overread 0.1.0',
    ...info,
    files,
  };
  await writeFile(path.join(dir, MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
