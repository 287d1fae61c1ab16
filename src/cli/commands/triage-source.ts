// Owns what `overread triage` reads: the header index of the given paths, and a frame decoder over it.
// Frames decode on this thread, one file at a time (a multi-frame file is parsed once for all its frames).
import { readFile } from 'node:fs/promises';
import { indexDicom, type DicomIndex, type FrameRef, type IndexedSeries } from '../../dicom/index/index.ts';
import { decodeFrame } from '../../dicom/decode/decode-frame.ts';
import { parseDicom, type ParsedDicom } from '../../dicom/parse/parse-dicom.ts';

export interface TriageSeries {
  studyInstanceUid: string;
  patientId: string;
  series: IndexedSeries;
}

export interface TriageSource {
  series: TriageSeries[];
  /** One line per unreadable file (path and reason), for stderr. */
  problems: string[];
  decode(frame: FrameRef): Promise<Float32Array>;
}

export async function openTriageSource(
  paths: string[],
  onProgress?: (done: number, total: number) => void,
): Promise<TriageSource> {
  const index: DicomIndex = await indexDicom(paths, { onProgress });
  const series = index.studies.flatMap((study) =>
    study.series.map((s) => ({
      studyInstanceUid: study.studyInstanceUid,
      patientId: study.patientId,
      series: s,
    })),
  );
  const problems = index.errors.map((e) => `${e.path}: ${e.reason}`);
  let cached: { key: string; parsed: ParsedDicom } | undefined;
  return {
    series,
    problems,
    async decode(frame) {
      if (frame.zipEntry !== undefined) {
        throw new Error(`${frame.path}: triage reads plain files; unzip it first (entry ${frame.zipEntry})`);
      }
      if (cached?.key !== frame.path) {
        cached = { key: frame.path, parsed: parseDicom(frame.path, await readFile(frame.path)) };
      }
      const decoded = await decodeFrame(frame.path, cached.parsed, frame.frameIndex);
      if (decoded.samplesPerPixel !== 1)
        throw new Error(`${frame.path}: a colour image; the model reads greyscale`);
      return decoded.data;
    },
  };
}
