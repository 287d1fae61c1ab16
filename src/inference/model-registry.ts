// Owns which models are installed: the bundled ones (the repository's models/ folder, or the packaged app's
// copy) and a user folder (an option, or the OVERREAD_MODELS_DIR environment variable). Each model is a folder
// holding model.json and its .onnx. A manifest that does not validate, or an .onnx whose sha256 differs from
// the manifest's, is refused with the reason and can never be run.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseModelManifest, type ModelManifest } from './model-manifest.ts';
import { sha256File } from './sha256-file.ts';

export type ModelSource = 'bundled' | 'user';

/** A model whose manifest validated and whose .onnx matched its sha256 when the registry was opened. */
export interface InstalledModel {
  id: string;
  manifest: ModelManifest;
  onnxPath: string;
  dir: string;
  source: ModelSource;
}

export interface RefusedModel {
  /** The manifest's id when it could be read, else the folder name. */
  id: string;
  dir: string;
  source: ModelSource;
  reason: string;
}

export interface ModelRegistryOptions {
  /** Folder of bundled models; default: the repository's models/ folder. */
  bundledDir?: string;
  /** Folder of user-installed models; default: $OVERREAD_MODELS_DIR when set. */
  userDir?: string;
}

export const defaultBundledModelsDir = fileURLToPath(new URL('../../models/', import.meta.url));

export class ModelRegistry {
  constructor(
    readonly models: readonly InstalledModel[],
    readonly refused: readonly RefusedModel[],
  ) {}

  /** The model with this id; throws the refusal reason, or the list of installed ids, when it cannot be run. */
  get(id: string): InstalledModel {
    const model = this.models.find((m) => m.id === id);
    if (model) return model;
    const refusal = this.refused.find((r) => r.id === id);
    if (refusal) throw new Error(refusal.reason);
    const known = this.models.map((m) => m.id).join(', ') || 'none';
    throw new Error(`no model "${id}" is installed (installed: ${known})`);
  }

  /** The model used when none is named: the only one, else the first by id; undefined when none is usable. */
  defaultModel(): InstalledModel | undefined {
    return [...this.models].sort((a, b) => a.id.localeCompare(b.id))[0];
  }
}

export async function openModelRegistry(options: ModelRegistryOptions = {}): Promise<ModelRegistry> {
  const models: InstalledModel[] = [];
  const refused: RefusedModel[] = [];
  const folders: [string | undefined, ModelSource][] = [
    [options.bundledDir ?? defaultBundledModelsDir, 'bundled'],
    [options.userDir ?? process.env.OVERREAD_MODELS_DIR, 'user'],
  ];
  for (const [folder, source] of folders) {
    if (!folder) continue;
    for (const dir of await modelFolders(folder)) {
      const result = await loadModel(dir, source);
      if ('reason' in result) {
        refused.push(result);
      } else if (models.some((m) => m.id === result.id)) {
        const first = models.find((m) => m.id === result.id) as InstalledModel;
        refused.push({
          id: result.id,
          dir,
          source,
          reason: `model ${result.id}: also installed in ${first.dir}, which is used — give this copy another id`,
        });
      } else {
        models.push(result);
      }
    }
  }
  return new ModelRegistry(models, refused);
}

/** Sub-folders holding a model.json (others, such as a training recipe folder, are not models). */
async function modelFolders(folder: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(folder, { withFileTypes: true });
  } catch {
    return []; // No such folder: no models there.
  }
  const dirs: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isDirectory()) continue;
    const dir = resolve(folder, entry.name);
    if (await exists(join(dir, 'model.json'))) dirs.push(dir);
  }
  return dirs;
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function loadModel(dir: string, source: ModelSource): Promise<InstalledModel | RefusedModel> {
  const folderName = dir.split(/[\\/]/).pop() as string;
  const manifestPath = join(dir, 'model.json');
  let manifest: ModelManifest;
  try {
    const text = await readFile(manifestPath, 'utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new Error(`${manifestPath}: not JSON (${(error as Error).message}) — fix or reinstall the model`);
    }
    manifest = parseModelManifest(json, manifestPath);
  } catch (error) {
    return {
      id: folderName,
      dir,
      source,
      reason: `model ${folderName}: refused — ${(error as Error).message}`,
    };
  }
  const onnxPath = join(dir, manifest.file);
  const refuse = (reason: string): RefusedModel => ({ id: manifest.id, dir, source, reason });
  let actual: string;
  try {
    actual = await sha256File(onnxPath);
  } catch {
    return refuse(`model ${manifest.id}: ${onnxPath} is missing or unreadable — reinstall the model`);
  }
  if (actual !== manifest.sha256) {
    return refuse(
      `model ${manifest.id}: sha256 mismatch — the file was changed or corrupted; reinstall it (${onnxPath})`,
    );
  }
  return { id: manifest.id, manifest, onnxPath, dir, source };
}
