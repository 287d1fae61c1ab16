// Owns reading one series' source files into the Volume the exporters write: the header index orders the
// frames and gives the geometry (src/dicom/index), the decoder turns each frame into modality values
// (src/dicom/decode). Frames of one file are decoded from a single parse.
import { readFile } from 'node:fs/promises';
import { decodeFrame } from '../dicom/decode/decode-frame.ts';
import { indexDicom, seriesGeometry } from '../dicom/index/index.ts';
import { parseDicom, type ParsedDicom } from '../dicom/parse/parse-dicom.ts';
import type { LoadedSeries } from './export-types.ts';

/** Decodes the series made of `files`; `seriesInstanceUid` picks it when the files hold more than one. */
export async function loadSeriesVolume(files: string[], seriesInstanceUid?: string): Promise<LoadedSeries> {
  const index = await indexDicom(files);
  const all = index.studies.flatMap((study) => study.series);
  const series = seriesInstanceUid ? all.find((s) => s.seriesInstanceUid === seriesInstanceUid) : all[0];
  if (!series) {
    const why = index.errors[0] ? ` (${index.errors[0].path}: ${index.errors[0].reason})` : '';
    throw new Error(`series ${seriesInstanceUid ?? ''} not found among ${files.length} source files${why}`);
  }
  const geometry = seriesGeometry(series);
  const perSlice = geometry.size[0] * geometry.size[1];
  const voxels = new Float32Array(perSlice * geometry.size[2]);
  const classOf = new Map(series.instances.map((i) => [i.sopInstanceUid, i.sopClassUid]));
  const multiFrame = new Set(
    series.instances.filter((i) => i.numberOfFrames > 1).map((i) => i.sopInstanceUid),
  );
  let cached: { path: string; parsed: ParsedDicom } | undefined;
  for (const [k, frame] of series.frames.entries()) {
    if (frame.zipEntry !== undefined) {
      throw new Error(`${frame.path}: export reads plain files; unzip it first (entry ${frame.zipEntry})`);
    }
    if (cached?.path !== frame.path) {
      cached = {
        path: frame.path,
        parsed: parseDicom(frame.path, new Uint8Array(await readFile(frame.path))),
      };
    }
    const decoded = await decodeFrame(frame.path, cached.parsed, frame.frameIndex);
    if (decoded.samplesPerPixel !== 1)
      throw new Error(`${frame.path}: a colour image cannot be a CT label volume`);
    voxels.set(decoded.data, k * perSlice);
  }
  return {
    volume: { geometry, voxels },
    sourceImages: series.frames.map((frame) => ({
      sopClassUid: classOf.get(frame.sopInstanceUid) ?? '',
      sopInstanceUid: frame.sopInstanceUid,
      ...(multiFrame.has(frame.sopInstanceUid) ? { frameNumber: frame.frameIndex + 1 } : {}),
    })),
  };
}
