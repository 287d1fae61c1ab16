// The cornerstone image loader for `overread:<seriesUid>/<k>` image ids: fetches the decoded slice from the
// API (modality values, already rescaled in Node — one pixel truth) and wraps it as a cornerstone image.
// loadRange puts a run of consecutive slices into cornerstone's cache from one request (the prefetch), each
// slice's cache entry made before the request goes out, so a scroll that reaches one meanwhile waits for
// that request instead of sending its own.
import * as cornerstone from 'cornerstone-core';
import type { SeriesInfo } from '../../src/shared/api-types.ts';
import type { SlicePixels } from '../../src/shared/finding-profile.ts';
import { api, type SliceData } from '../api-client.ts';
import { storedPixels } from './stored-pixels.ts';
import { CACHE_BYTES } from './cache-size.ts';

export const SCHEME = 'overread';

const seriesByUid = new Map<string, SeriesInfo>();

export function imageIdFor(seriesUid: string, k: number): string {
  return `${SCHEME}:${encodeURIComponent(seriesUid)}/${k}`;
}

function parseImageId(imageId: string): { seriesUid: string; k: number } {
  const match = /^overread:([^/]+)\/(\d+)$/.exec(imageId);
  if (!match) throw new Error(`image id ${imageId} is not overread:<series>/<slice>`);
  return { seriesUid: decodeURIComponent(match[1]!), k: Number(match[2]) };
}

async function loadSlice(imageId: string): Promise<cornerstone.CornerstoneImage> {
  const { seriesUid, k } = parseImageId(imageId);
  return toImage(imageId, seriesInfo(seriesUid), await api.slice(seriesUid, k));
}

function seriesInfo(seriesUid: string): SeriesInfo {
  const info = seriesByUid.get(seriesUid);
  if (!info) throw new Error(`series ${seriesUid} was not opened before loading its slices`);
  return info;
}

function toImage(imageId: string, info: SeriesInfo, slice: SliceData): cornerstone.CornerstoneImage {
  const { data, slope, intercept, min, max } = storedPixels(slice.pixels);
  return {
    imageId,
    minPixelValue: min,
    maxPixelValue: max,
    slope,
    intercept,
    windowCenter: info.windowCenter,
    windowWidth: info.windowWidth,
    getPixelData: () => data,
    rows: slice.rows,
    columns: slice.columns,
    height: slice.rows,
    width: slice.columns,
    color: false,
    rowPixelSpacing: info.pixelSpacingMm[0],
    columnPixelSpacing: info.pixelSpacingMm[1],
    invert: info.photometric === 'MONOCHROME1',
    sizeInBytes: data.byteLength,
  };
}

/**
 * A thick-slab projection centred on slice k as a cornerstone image, with the series' display metadata. It
 * is not put in cornerstone's cache (the viewport keeps the last few); its pixels are modality values like a
 * slice's.
 */
export function projectionImage(
  info: SeriesInfo,
  k: number,
  slabMm: number,
  pixels: Int16Array | Float32Array,
): cornerstone.CornerstoneImage {
  const imageId = `${SCHEME}-mip:${encodeURIComponent(info.seriesUid)}/${k}/${slabMm}`;
  return toImage(imageId, info, { pixels, rows: info.rows, columns: info.columns });
}

/**
 * A reformatted plane (reformat.ts) as a cornerstone image: `rows` × `columns` modality values with their own
 * pixel spacing (rows are the stack's slice gap apart), which cornerstone honours by stretching the plane to
 * its true proportions. Not cached (the panes keep what they show).
 */
export function planeImage(
  info: SeriesInfo,
  plane: string,
  pixels: Int16Array | Float32Array,
  size: { rows: number; columns: number },
  spacingMm: [number, number],
): cornerstone.CornerstoneImage {
  const imageId = `${SCHEME}-plane:${encodeURIComponent(info.seriesUid)}/${plane}`;
  const image = toImage(imageId, info, { pixels, rows: size.rows, columns: size.columns });
  image.rowPixelSpacing = spacingMm[0];
  image.columnPixelSpacing = spacingMm[1];
  return image;
}

/**
 * Slice k from cornerstone's cache or the API. A slice whose prefetch range failed is asked for alone once (the
 * error then names this slice), and so is one whose load this call joined rather than started: that load began
 * earlier, perhaps before the connection came back, and a retry the reader asked for must not inherit its
 * failure. (cornerstone drops a failed entry before this catch runs, so the second call is a fresh request.)
 */
export function sliceImage(series: SeriesInfo, k: number): Promise<cornerstone.CornerstoneImage> {
  const imageId = imageIdFor(series.seriesUid, k);
  const joined = cornerstone.imageCache.getImageLoadObject(imageId) !== undefined;
  return cornerstone
    .loadAndCacheImage(imageId)
    .catch((error: unknown) =>
      error instanceof RangeLoadError || joined
        ? cornerstone.loadAndCacheImage(imageId)
        : Promise.reject(error),
    );
}

/**
 * Slices from … from + count - 1 of an opened series as stored pixels (values, slope, intercept), fetched with
 * one range request where they are not cached yet: what the slab, the planes and a finding's profile compute on.
 */
export async function slicePixels(series: SeriesInfo, from: number, count: number): Promise<SlicePixels[]> {
  await loadRange(series.seriesUid, from, count);
  const images = await Promise.all(Array.from({ length: count }, (_, i) => sliceImage(series, from + i)));
  return images.map((image) => ({
    data: image.getPixelData(),
    slope: image.slope,
    intercept: image.intercept,
  }));
}

/** A slice whose range request failed: it has no cache entry any more, and loading it alone may work. */
export class RangeLoadError extends Error {
  constructor(readonly reason: unknown) {
    super(`a prefetch of several slices failed: ${(reason as Error)?.message ?? String(reason)}`);
    this.name = 'RangeLoadError';
  }
}

/**
 * Loads slices from … from + count - 1 of an opened series into cornerstone's cache with one request; slices
 * already cached or loading are left alone (the range is trimmed to the first run of missing ones). Resolves
 * when they are cached; a failed request drops their cache entries, so showing one later loads it alone and
 * names the slice that fails.
 */
export async function loadRange(seriesUid: string, from: number, count: number): Promise<void> {
  const info = seriesInfo(seriesUid);
  const end = Math.min(info.slices, from + count);
  let first = from;
  while (first < end && cornerstone.imageCache.getImageLoadObject(imageIdFor(seriesUid, first))) first++;
  let last = first;
  while (last < end && !cornerstone.imageCache.getImageLoadObject(imageIdFor(seriesUid, last))) last++;
  if (first >= last) return;
  const pending = new Map<
    number,
    { resolve: (image: cornerstone.CornerstoneImage) => void; reject: (e: unknown) => void }
  >();
  for (let k = first; k < last; k++) {
    const promise = new Promise<cornerstone.CornerstoneImage>((resolve, reject) =>
      pending.set(k, { resolve, reject }),
    );
    // cornerstone removes an entry whose promise rejects; the catch only keeps the rejection "handled".
    promise.catch(() => undefined);
    cornerstone.imageCache.putImageLoadObject(imageIdFor(seriesUid, k), { promise });
  }
  try {
    const slices = await api.sliceRange(seriesUid, first, last - first);
    slices.forEach((slice, i) =>
      pending.get(first + i)?.resolve(toImage(imageIdFor(seriesUid, first + i), info, slice)),
    );
    // A shorter answer (the server clipped it): the rest load on their own when asked for.
    for (let k = first + slices.length; k < last; k++)
      pending.get(k)?.reject(new RangeLoadError('not in the range answer'));
  } catch (error) {
    for (const { reject } of pending.values()) reject(new RangeLoadError(error));
  }
}

let registered = false;

/** Registers the loader once and remembers the series' display metadata for its slices. */
export function registerSeries(info: SeriesInfo): void {
  seriesByUid.set(info.seriesUid, info);
  if (registered) return;
  registered = true;
  cornerstone.registerImageLoader(SCHEME, (imageId) => ({ promise: loadSlice(imageId) }));
  // Slices are a few hundred kB; 512 MB keeps a whole 512² CT series of several hundred slices warm.
  cornerstone.imageCache.setMaximumSizeBytes(CACHE_BYTES);
}
