// The worker-thread side of DecodePool: reads a file, decodes the asked frame, and posts the frame back with its
// pixel buffer transferred. Errors go back as messages, so one bad file costs one request, never the worker.
import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { parseDicom, type ParsedDicom } from '../parse/parse-dicom.ts';
import { DicomError } from '../dicom-error.ts';
import { decodeFrame, decodeWireFrame } from './decode-frame.ts';

export interface DecodeRequest {
  id: number;
  path: string;
  frameIndex: number;
  /** Grey frames whose values all fit int16 come back as int16 (DecodePool.decodeWire). */
  int16?: boolean;
}

// The last file parsed, so the frames of a multi-frame object do not re-read it each time.
let last: { path: string; parsed: ParsedDicom } | undefined;

async function handle(request: DecodeRequest) {
  const { path, frameIndex } = request;
  if (last?.path !== path) {
    last = undefined;
    let bytes: Uint8Array;
    try {
      // Synchronous on purpose: this thread has nothing else to do meanwhile, and a sync read skips the libuv
      // threadpool round trip, which cost more than the read itself (1.5 vs 0.5 ms for a 512² slice).
      bytes = readFileSync(path);
    } catch (error) {
      throw new DicomError(
        path,
        `cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'I/O error'})`,
      );
    }
    last = { path, parsed: parseDicom(path, bytes) };
  }
  return request.int16
    ? decodeWireFrame(path, last.parsed, frameIndex)
    : decodeFrame(path, last.parsed, frameIndex);
}

// Requests are decoded one after another, in the order they came: the pool posts a second request while the
// first decodes, and a codec still loading (an await) must not let the second overtake it or run beside it.
let previous: Promise<unknown> = Promise.resolve();

parentPort?.on('message', (request: DecodeRequest) => {
  // A reply that cannot be posted is a broken worker: it dies (the pool replaces it and fails the request)
  // rather than leaving the request unanswered.
  previous = previous
    .then(() => answer(request))
    .catch((error: unknown) =>
      process.nextTick(() => {
        throw error;
      }),
    );
});

function answer(request: DecodeRequest): Promise<void> {
  return handle(request).then(
    (frame) => parentPort?.postMessage({ id: request.id, frame }, [frame.data.buffer as ArrayBuffer]),
    (error: unknown) => {
      const dicom = error instanceof DicomError;
      parentPort?.postMessage({
        id: request.id,
        error: {
          dicom,
          path: dicom ? error.path : request.path,
          reason: dicom
            ? error.reason
            : `decoder failed: ${error instanceof Error ? error.message : String(error)}`,
        },
      });
    },
  );
}
