// Runs in a worker thread: writes the bundled sample studies (src/sample) without blocking the API's thread,
// which keeps answering while the CPU-heavy generator runs. Reports each finished study to the parent.
import { parentPort, workerData } from 'node:worker_threads';
import { writeSampleStudies } from '../sample/write-sample-studies.ts';

const { outdir, studies, seed, size } = workerData as {
  outdir: string;
  studies: number;
  seed: string;
  size: number;
};

writeSampleStudies(outdir, {
  studies,
  seed,
  size,
  onStart: (index, total) => parentPort?.postMessage({ type: 'start', index, total }),
  onStudy: (done, total) => parentPort?.postMessage({ type: 'study', done, total }),
});
parentPort?.postMessage({ type: 'finished' });
