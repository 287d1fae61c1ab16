// Owns what every route module is handed: the store, the jobs, the file roots, the decoder, the reader of
// this session and the model runner — composed once in open-api.ts — plus the lookups that turn an id from
// a URL into a stored record or a 404 naming it.
import type { FollowUpService } from '../followup/series-follow-up.ts';
import type { DatasetStore, StoredFinding, StoredSeries } from '../dataset/dataset-types.ts';
import { decodeFrame, type DecodedFrame, type WireFrame } from '../dicom/decode/decode-frame.ts';
import { createInstanceReader, instanceName } from '../export/read-instance.ts';
import type { FrameRef } from '../dicom/index/index.ts';
import type { Job } from '../shared/api-types.ts';
import type { FileRoots } from './file-roots.ts';
import type { JobRegistry } from './job-registry.ts';
import type { ModelRunner } from './model-runner.ts';
import type { PacsService } from './pacs-service.ts';
import type { SeriesHeaderCache } from './series-header-cache.ts';
import { ApiProblem, forbidden, notFound } from './problem.ts';

export interface ApiContext {
  store: DatasetStore;
  jobs: JobRegistry;
  roots: FileRoots;
  models: ModelRunner;
  /** Parsed header indexes of recently viewed series (see series-header-cache.ts). */
  headers: SeriesHeaderCache;
  /** Priors of a series and its nodules' change since one (src/followup); registrations cached per pair. */
  followUp: FollowUpService;
  /** Decodes one frame of an imported series; refuses files outside the imported roots. */
  decode(frame: FrameRef, signal?: AbortSignal): Promise<DecodedFrame>;
  /** decode() for the viewer: grey frames whose values all fit int16 come decoded as int16 (see WireFrame). */
  decodeWire(frame: FrameRef, signal?: AbortSignal): Promise<WireFrame>;
  /** The reader whose decisions this session records. */
  reader(): string;
  setReader(name: string): void;
  /** Starts importing files or folders (they must exist; they become roots). */
  startImport(paths: string[]): Job;
  /** Starts generating (first time) and importing the bundled sample studies. */
  startSample(): Job;
  sampleAvailable(): boolean;
  /** DICOMweb servers, pulls and pushes (absent where the API was composed without them). */
  pacs?: PacsService;
}

export function requireSeries(context: ApiContext, seriesUid: string): StoredSeries {
  const series = context.store.series(seriesUid);
  if (!series) throw notFound('series', seriesUid);
  return series;
}

/**
 * The finding's stored row (its series, the proposal's measurements), or a 404. Not the reader's view of it:
 * that measures the reader's whole mask, which a mask request that only needs the series must not pay for.
 */
export function requireFinding(context: ApiContext, id: number): StoredFinding {
  const finding = context.store.finding(id);
  if (!finding) throw notFound('finding', id);
  return finding;
}

/** Slice k of a series, or a 404 naming the valid range. */
export function requireSlice(context: ApiContext, series: StoredSeries, k: number): FrameRef {
  const frames = context.headers.get(series).frames;
  const frame = frames[k];
  if (!frame) {
    throw new ApiProblem(
      404,
      'Not found',
      `series ${series.seriesUid} has slices 0–${frames.length - 1}; there is no slice ${k}`,
    );
  }
  return frame;
}

/**
 * The decoder every route and the model use: only files below an imported root. Plain files decode in the
 * worker pool; an entry of an imported zip is read from the archive and decoded here (zips are rare, and the
 * pool reads by path only).
 */
export function rootedDecoder<Frame extends WireFrame>(
  roots: FileRoots,
  decode: (path: string, frameIndex: number, signal?: AbortSignal) => Promise<Frame>,
): (frame: FrameRef, signal?: AbortSignal) => Promise<Frame | DecodedFrame> {
  const readInstance = createInstanceReader();
  return async (frame, signal) => {
    if (!roots.contains(frame.path)) {
      throw forbidden(
        `${frame.path} is outside the folders imported in this dataset — import its folder again`,
      );
    }
    if (frame.zipEntry === undefined) return decode(frame.path, frame.frameIndex, signal);
    const bytes = await readInstance(frame);
    signal?.throwIfAborted();
    return decodeFrame(instanceName(frame), bytes, frame.frameIndex);
  };
}
