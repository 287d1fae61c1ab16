// Pixels of a series thumbnail: one slice's modality values windowed to grey and shrunk (nearest neighbour)
// to fit a small square, keeping the aspect ratio. Pure, so what the strip shows is tested; drawn with a plain
// 2D canvas because a thumbnail needs no cornerstone element of its own.
import type { WindowLevel } from './window-presets.ts';

export interface ThumbnailPixels {
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
}

export function thumbnailPixels(
  values: ArrayLike<number>,
  rows: number,
  columns: number,
  window: WindowLevel,
  size: number,
  invert = false,
): ThumbnailPixels {
  const scale = Math.min(1, size / Math.max(rows, columns));
  const width = Math.max(1, Math.round(columns * scale));
  const height = Math.max(1, Math.round(rows * scale));
  const rgba = new Uint8ClampedArray(width * height * 4);
  const low = window.center - window.width / 2;
  const gain = 255 / Math.max(1e-6, window.width);
  for (let y = 0; y < height; y++) {
    const row = Math.min(rows - 1, Math.floor((y + 0.5) / scale));
    for (let x = 0; x < width; x++) {
      const column = Math.min(columns - 1, Math.floor((x + 0.5) / scale));
      let grey = Math.min(255, Math.max(0, Math.round((values[row * columns + column]! - low) * gain)));
      if (invert) grey = 255 - grey;
      const i = (y * width + x) * 4;
      rgba[i] = grey;
      rgba[i + 1] = grey;
      rgba[i + 2] = grey;
      rgba[i + 3] = 255;
    }
  }
  return { width, height, rgba };
}
