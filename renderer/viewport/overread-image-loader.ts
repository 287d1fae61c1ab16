// The cornerstone image loader for `overread:<seriesUid>/<k>` image ids: fetches the decoded slice from the
// API (modality values, already rescaled in Node — one pixel truth) and wraps it as a cornerstone image.
import * as cornerstone from 'cornerstone-core';
import type { SeriesInfo } from '../../src/shared/api-types.ts';
import { api } from '../api-client.ts';
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
  const info = seriesByUid.get(seriesUid);
  if (!info) throw new Error(`series ${seriesUid} was not opened before loading its slices`);
  const slice = await api.slice(seriesUid, k);
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
