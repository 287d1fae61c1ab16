// The worker-thread side of DecodePool: reads a file, decodes the asked frame, and posts the frame back with its
// pixel buffer transferred. Errors go back as messages, so one bad file costs one request, never the worker.
import { readFile } from 'node:fs/promises';
import { parentPort } from 'node:worker_threads';
import { parseDicom, type ParsedDicom } from '../parse/parse-dicom.ts';
import { DicomError } from '../dicom-error.ts';
import { decodeFrame } from './decode-frame.ts';

export interface DecodeRequest {
  id: number;
  path: string;
  frameIndex: number;
}

// The last file parsed, so the frames of a multi-frame object do not re-read it each time.
let last: { path: string; parsed: ParsedDicom } | undefined;

async function handle(request: DecodeRequest) {
  const { path, frameIndex } = request;
  if (last?.path !== path) {
    last = undefined;
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (error) {
      throw new DicomError(
        path,
        `cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'I/O error'})`,
      );
    }
    last = { path, parsed: parseDicom(path, bytes) };
  }
  return decodeFrame(path, last.parsed, frameIndex);
}

parentPort?.on('message', (request: DecodeRequest) => {
  handle(request).then(
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
});
