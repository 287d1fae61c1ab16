// Owns reading one series' source files into the Volume the exporters write: the header index orders the
// frames and gives the geometry (src/dicom/index), the decoder turns each frame into modality values
// (src/dicom/decode). Frames of one file are decoded from a single parse. A series already indexed (the
// dataset store keeps its index from import) is loaded in that very order, so stored masks line up with it.
import { readFile } from 'node:fs/promises';
import { decodeFrame } from '../dicom/decode/decode-frame.ts';
import {
  indexDicom,
  seriesGeometry,
  type IndexedSeries,
  type InstanceLocation,
} from '../dicom/index/index.ts';
import { parseDicom, type ParsedDicom } from '../dicom/parse/parse-dicom.ts';
import type { VolumeGeometry } from '../dicom/volume.ts';
import type { LoadedSeries } from './export-types.ts';

/** Reads the bytes of one instance (a plain file, or an entry of a zip). */
export type ReadInstance = (location: InstanceLocation) => Promise<Uint8Array>;

const readPlainFile: ReadInstance = async (location) => {
  if (location.zipEntry !== undefined) {
    throw new Error(
      `${location.path}: export reads plain files; unzip it first (entry ${location.zipEntry})`,
    );
  }
  return new Uint8Array(await readFile(location.path));
};

/** Decodes the series made of `files`; `seriesInstanceUid` picks it when the files hold more than one. */
export async function loadSeriesVolume(files: string[], seriesInstanceUid?: string): Promise<LoadedSeries> {
  const index = await indexDicom(files);
  const all = index.studies.flatMap((study) => study.series);
  const series = seriesInstanceUid ? all.find((s) => s.seriesInstanceUid === seriesInstanceUid) : all[0];
  if (!series) {
    const why = index.errors[0] ? ` (${index.errors[0].path}: ${index.errors[0].reason})` : '';
    throw new Error(`series ${seriesInstanceUid ?? ''} not found among ${files.length} source files${why}`);
  }
  return loadIndexedSeries(series);
}

export interface LoadIndexedOptions {
  /** The geometry recorded at import; when given, the frames must match it. */
  geometry?: VolumeGeometry;
  read?: ReadInstance;
  onProgress?: (decoded: number, total: number) => void;
}

/** Decodes an already-indexed series in its index's frame order (k = 0 … n-1). */
export async function loadIndexedSeries(
  series: IndexedSeries,
  options: LoadIndexedOptions = {},
): Promise<LoadedSeries> {
  const geometry = options.geometry ?? seriesGeometry(series);
  const read = options.read ?? readPlainFile;
  checkFrames(series, geometry);
  const perSlice = geometry.size[0] * geometry.size[1];
  const voxels = new Float32Array(perSlice * geometry.size[2]);
  const classOf = new Map(series.instances.map((i) => [i.sopInstanceUid, i.sopClassUid]));
  const multiFrame = new Set(
    series.instances.filter((i) => i.numberOfFrames > 1).map((i) => i.sopInstanceUid),
  );
  const all = series.frames.map((_, k) => k);
  await decodeFrames(series, all, perSlice, read, (k, data) => {
    voxels.set(data, k * perSlice);
    options.onProgress?.(k + 1, series.frames.length);
  });
  return {
    volume: { geometry, voxels },
    sourceImages: series.frames.map((frame) => ({
      sopClassUid: classOf.get(frame.sopInstanceUid) ?? '',
      sopInstanceUid: frame.sopInstanceUid,
      ...(multiFrame.has(frame.sopInstanceUid) ? { frameNumber: frame.frameIndex + 1 } : {}),
    })),
  };
}

/**
 * Decodes only slices `ks` of an already-indexed series (what measuring a finding needs), as modality values
 * keyed by k; the same checks as loadIndexedSeries.
 */
export async function loadIndexedSlices(
  series: IndexedSeries,
  ks: readonly number[],
  options: { geometry: VolumeGeometry; read?: ReadInstance },
): Promise<Map<number, Float32Array>> {
  const { geometry } = options;
  checkFrames(series, geometry);
  const out = new Map<number, Float32Array>();
  const wanted = [...new Set(ks)].filter((k) => k >= 0 && k < series.frames.length).sort((a, b) => a - b);
  await decodeFrames(
    series,
    wanted,
    geometry.size[0] * geometry.size[1],
    options.read ?? readPlainFile,
    (k, data) => out.set(k, data),
  );
  return out;
}

/** The index's frames must be the geometry's slices, or stored masks would land on the wrong ones. */
function checkFrames(series: IndexedSeries, geometry: VolumeGeometry): void {
  if (series.frames.length !== geometry.size[2]) {
    throw new Error(
      `series ${series.seriesInstanceUid}: ${series.frames.length} frames but ${geometry.size[2]} slices in its geometry — re-import it`,
    );
  }
}

/** Decodes frames `ks` (ascending) of the series, each parse reused for the following frames of its file. */
async function decodeFrames(
  series: IndexedSeries,
  ks: readonly number[],
  perSlice: number,
  read: ReadInstance,
  take: (k: number, data: Float32Array) => void,
): Promise<void> {
  let cached: { key: string; parsed: ParsedDicom } | undefined;
  for (const k of ks) {
    const frame = series.frames[k]!;
    const name = frame.zipEntry === undefined ? frame.path : `${frame.path}!${frame.zipEntry}`;
    if (cached?.key !== name) {
      cached = { key: name, parsed: parseDicom(name, await read(frame)) };
    }
    const decoded = await decodeFrame(name, cached.parsed, frame.frameIndex);
    if (decoded.samplesPerPixel !== 1) throw new Error(`${name}: a colour image cannot be a CT label volume`);
    if (decoded.data.length !== perSlice) {
      throw new Error(
        `${name}: frame ${frame.frameIndex} has ${decoded.data.length} pixels, the series has ${perSlice} per slice — re-import it`,
      );
    }
    take(k, decoded.data);
  }
}
