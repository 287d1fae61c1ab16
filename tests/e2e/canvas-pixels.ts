// Reads a PNG screenshot of the viewport and finds the pixels of an overlay colour, so the tests check
// that flags are really drawn on the canvas (not just listed in the DOM).
import { PNG } from 'pngjs';

export interface ColourHits {
  count: number;
  /** Centre of the matching pixels in screenshot pixels, or null when none. */
  centroid: { x: number; y: number } | null;
}

/** Pixels within `tolerance` (per channel) of `rgb`. */
export function findColour(png: Buffer, rgb: [number, number, number], tolerance = 12): ColourHits {
  const image = PNG.sync.read(png);
  let count = 0;
  let sumX = 0;
  let sumY = 0;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const i = (y * image.width + x) * 4;
      if (
        Math.abs(image.data[i]! - rgb[0]) <= tolerance &&
        Math.abs(image.data[i + 1]! - rgb[1]) <= tolerance &&
        Math.abs(image.data[i + 2]! - rgb[2]) <= tolerance
      ) {
        count++;
        sumX += x;
        sumY += y;
      }
    }
  }
  return { count, centroid: count ? { x: sumX / count, y: sumY / count } : null };
}
