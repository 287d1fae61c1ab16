// The ruler: a straight line drawn on one slice and its length in millimetres, from the series' pixel spacing
// (rows and columns may be spaced differently). Measurements belong to the open series and its slice; they are
// a reading aid and are not stored in the dataset (the finding's own diameter is, measured on its mask).
import type { Rgb } from './layer-pixels.ts';
import type { Point } from './mask-brush.ts';

/** Ruler lines and their labels: yellow, apart from every finding state's colour. */
export const MEASURE_COLOUR: Rgb = [255, 230, 40];

export interface Measurement {
  slice: number;
  a: Point;
  b: Point;
}

/** Length of a → b in mm; pixelSpacingMm is DICOM's (row spacing = vertical, column spacing = horizontal). */
export function lengthMm(a: Point, b: Point, pixelSpacingMm: readonly [number, number]): number {
  const [rowSpacing, columnSpacing] = pixelSpacingMm;
  return Math.hypot((b.x - a.x) * columnSpacing, (b.y - a.y) * rowSpacing);
}

export function formatLength(mm: number): string {
  return `${mm.toFixed(1)} mm`;
}

/** A drag shorter than this (image pixels) is a click, not a measurement. */
export const MIN_MEASURE_PX = 1;
