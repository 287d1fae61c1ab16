// Owns starting a worker thread from either sources or a build. From sources the worker's entry is a .ts file,
// and in Node 20 `execArgv: ['--import', tsx]` registers tsx too late for a worker's own entry ("Unknown file
// extension .ts"), so the worker starts as a one-line script that loads its entry through tsx's API.
import { Worker, type WorkerOptions } from 'node:worker_threads';

/** `entry` names the worker's module by its .ts name beside `base` (the caller's import.meta.url). */
export function startWorker(entry: string, base: string, options: WorkerOptions = {}): Worker {
  const fromSources = base.endsWith('.ts');
  const url = new URL(fromSources ? entry : entry.replace(/\.ts$/, '.js'), base);
  if (!fromSources) return new Worker(url, options);
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const href = JSON.stringify(url.href);
  return new Worker(`import(${tsx}).then((tsx) => tsx.tsImport(${href}, ${href}))`, {
    ...options,
    eval: true,
  });
}
