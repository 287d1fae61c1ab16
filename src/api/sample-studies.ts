// Owns the bundled sample: two synthetic chest CT studies (src/sample) generated on first use into the app's
// data folder, in a worker thread, then imported like any folder. Offered while the dataset is empty.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startWorker } from '../shared/start-worker.ts';
import type { JobContext } from './job-registry.ts';

export const SAMPLE_STUDIES = 2;
const SAMPLE_SEED = 'overread-bundled-sample';
const SAMPLE_SIZE = 256;

function complete(dir: string): boolean {
  if (!existsSync(dir)) return false;
  const studies = readdirSync(dir).filter((name) => existsSync(join(dir, name, 'truth.json')));
  return studies.length >= SAMPLE_STUDIES;
}

/** The sample's folder under `dataDir`, written first when missing (aside, then renamed: never half there). */
export async function ensureSampleStudies(dataDir: string, context: JobContext): Promise<string> {
  const dir = join(dataDir, 'sample-studies');
  if (complete(dir)) return dir;
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  context.progress(0, SAMPLE_STUDIES, 'generating the sample studies');
  const worker = startWorker('./sample-worker.ts', import.meta.url, {
    workerData: { outdir: staging, studies: SAMPLE_STUDIES, seed: SAMPLE_SEED, size: SAMPLE_SIZE },
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const abort = () => reject(new DOMException('sample generation cancelled', 'AbortError'));
      context.signal.addEventListener('abort', abort, { once: true });
      worker.on('message', (message: { type: string; done?: number; total?: number }) => {
        if (message.type === 'study')
          context.progress(
            message.done!,
            message.total!,
            `generated ${message.done} of ${message.total} sample studies`,
          );
        if (message.type === 'finished') resolve();
      });
      worker.on('error', (error) =>
        reject(
          new Error(
            `generating the sample studies failed: ${error.message} — check free space in ${dataDir}`,
          ),
        ),
      );
      worker.on('exit', (code) => reject(new Error(`the sample generator stopped (exit code ${code})`)));
    });
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  } finally {
    await worker.terminate();
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  return dir;
}
