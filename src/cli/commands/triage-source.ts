// Owns what `overread triage` reads: the header index of the given paths, and a frame decoder over it that
// runs in the decode worker pool (off this thread, several frames at once).
import {
  indexDicom,
  type DicomIndex,
  type FrameRef,
  type IndexedSeries,
  type IndexedStudy,
} from '../../dicom/index/index.ts';
import { DecodePool } from '../../dicom/decode/decode-pool.ts';

export interface TriageSeries {
  /** The series' study as indexed (what `--db` imports). */
  study: IndexedStudy;
  studyInstanceUid: string;
  patientId: string;
  series: IndexedSeries;
}

export interface TriageSource {
  series: TriageSeries[];
  /** One line per unreadable file (path and reason), for stderr. */
  problems: string[];
  decode(frame: FrameRef): Promise<Float32Array | Int16Array>;
  close(): Promise<void>;
}

export async function openTriageSource(
  paths: string[],
  onProgress?: (done: number, total: number) => void,
): Promise<TriageSource> {
  const index: DicomIndex = await indexDicom(paths, { onProgress });
  const series = index.studies.flatMap((study) =>
    study.series.map((s) => ({
      study,
      studyInstanceUid: study.studyInstanceUid,
      patientId: study.patientId,
      series: s,
    })),
  );
  const problems = index.errors.map((e) => `${e.path}: ${e.reason}`);
  const pool = new DecodePool();
  return {
    series,
    problems,
    async decode(frame) {
      if (frame.zipEntry !== undefined) {
        throw new Error(`${frame.path}: triage reads plain files; unzip it first (entry ${frame.zipEntry})`);
      }
      const decoded = await pool.decodeWire(frame.path, frame.frameIndex);
      if (decoded.samplesPerPixel !== 1) {
        throw new Error(`${frame.path}: a colour image; the model reads greyscale`);
      }
      return decoded.data;
    },
    close: () => pool.close(),
  };
}
