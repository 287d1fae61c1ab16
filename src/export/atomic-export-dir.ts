// Owns making an export appear all at once. Everything is written into a sibling folder
// `<out>.partial-<random>`; the manifest is written last, then the folder is renamed to `<out>` (a single
// rename on one file system). So `<out>` either does not exist or is complete: an interrupted export leaves
// only a `.partial-` folder (removed on error when we still can), never a folder that looks finished.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

export async function writeExportAtomically<T>(
  outDir: string,
  write: (workDir: string) => Promise<T>,
): Promise<T> {
  const target = path.resolve(outDir);
  if (await exists(target)) {
    const entries = await readdir(target).catch(() => ['(not a folder)']);
    if (entries.length > 0) {
      throw new Error(`export folder ${target} already exists and is not empty — choose a new --out folder`);
    }
    await rm(target, { recursive: true });
  }
  await mkdir(path.dirname(target), { recursive: true });
  const workDir = `${target}.partial-${randomBytes(6).toString('hex')}`;
  await mkdir(workDir);
  try {
    const result = await write(workDir);
    await rename(workDir, target);
    return result;
  } catch (error) {
    await rm(workDir, { recursive: true, force: true });
    throw error;
  }
}
