// Owns assembling a series' decoded frames into the Volume the model reads: frames in the index's slice order
// (k = 0 … n-1, as seriesGeometry describes them), each decoded to modality values (HU for CT) and placed at
// its slice. Decoding runs through the caller's decoder (a worker pool), several frames at a time.
// The volume is int16 while every frame is (a CT decoded by DecodePool.decodeWire nearly always is: half the
// memory of float32, and it crosses to the model process as is); the first frame that is not turns it into
// float32, values unchanged.
import type { Volume, VolumeGeometry } from '../dicom/volume.ts';
import { seriesGeometry, type FrameRef, type IndexedSeries } from '../dicom/index/index.ts';
import type { SeriesScopeInput } from './series-scope.ts';

export interface FrameSource {
  path: string;
  frameIndex: number;
}

export type DecodeFrame<F extends FrameSource> = (frame: F) => Promise<ArrayLike<number>>;

export interface LoadVolumeOptions {
  signal?: AbortSignal;
  onProgress?: (decoded: number, total: number) => void;
  /** Frames decoded at once (default 8: enough to keep a worker pool busy). */
  concurrency?: number;
}

/** Decodes `frames` (in k order) into a volume with `geometry`. */
export async function assembleVolume<F extends FrameSource>(
  frames: readonly F[],
  geometry: VolumeGeometry,
  decode: DecodeFrame<F>,
  options: LoadVolumeOptions = {},
): Promise<Volume<Int16Array | Float32Array>> {
  const [cols, rows, slices] = geometry.size;
  if (frames.length !== slices) {
    throw new Error(`the series has ${frames.length} frames but its geometry ${slices} slices — re-index it`);
  }
  const plane = cols * rows;
  let voxels: Int16Array | Float32Array = new Int16Array(plane * slices);
  let next = 0;
  let decoded = 0;
  let failed = false;
  const worker = async () => {
    while (next < frames.length && !failed) {
      options.signal?.throwIfAborted();
      const k = next++;
      const frame = frames[k];
      let values: ArrayLike<number>;
      try {
        values = await decode(frame);
      } catch (error) {
        failed = true; // the other workers stop at their next frame
        throw error;
      }
      if (values.length !== plane) {
        failed = true;
        throw new Error(
          `${frame.path}: frame ${frame.frameIndex} has ${values.length} pixels, the series ${cols} × ${rows} — ` +
            'the series mixes image sizes; re-index it',
        );
      }
      if (voxels instanceof Int16Array && !(values instanceof Int16Array)) voxels = new Float32Array(voxels);
      voxels.set(values as ArrayLike<number>, k * plane);
      options.onProgress?.(++decoded, frames.length);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 8, frames.length) }, worker));
  return { geometry, voxels };
}

/** The volume of an indexed series: its geometry from the index, its frames through `decode`. */
export function loadSeriesVolume(
  series: IndexedSeries,
  decode: DecodeFrame<FrameRef>,
  options: LoadVolumeOptions = {},
): Promise<Volume<Int16Array | Float32Array>> {
  return assembleVolume(series.frames, seriesGeometry(series), decode, options);
}

/** What the scope check needs to know about an indexed series, from its first image's header. */
export function seriesScopeFacts(series: IndexedSeries): Omit<SeriesScopeInput, 'geometry'> {
  const first = series.instances.find((instance) => instance.hasPixelData) ?? series.instances[0];
  return {
    modality: series.modality || first?.modality,
    bodyPart: first?.bodyPart || undefined,
    sliceThicknessMm: first?.sliceThickness ?? null,
    samplesPerPixel: first?.samplesPerPixel,
    photometric: first?.photometric,
  };
}
