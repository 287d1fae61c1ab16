// The brush's intensity range ("paint only where the image is between low and high", G): with it on, a brush
// stroke sets only the pixels whose modality value (HU for CT) lies in the range, so one stroke across a
// nodule paints the nodule and leaves the aerated lung around it — what Slicer's "editable intensity range"
// and ITK-SNAP's intensity-limited paint do for annotators. The eraser ignores it (a leak is erased whole).
// Pure: the viewer passes the shown image's stored pixels; tested under Node.

export interface PaintRange {
  on: boolean;
  /** Inclusive bounds, in modality units. */
  low: number;
  high: number;
}

/**
 * Soft tissue and denser (solid nodules, vessels, bone, calcification) and sub-solid opacity down to −700 HU,
 * but not aerated lung (about −850 HU and below): a nodule, solid or ground-glass, without the lung around it.
 */
export const DEFAULT_PAINT_RANGE: PaintRange = { on: false, low: -700, high: 3000 };

/** The stored pixels of a shown image: value = stored × slope + intercept. */
export interface StoredImage {
  pixels: ArrayLike<number>;
  slope: number;
  intercept: number;
}

/** The bounds in order: the reader may type them either way round in the toolbar. */
function ordered(range: Pick<PaintRange, 'low' | 'high'>): [number, number] {
  return [Math.min(range.low, range.high), Math.max(range.low, range.high)];
}

/** 1 where the image's value lies within the range (bounds inclusive, either order), else 0. */
export function paintableMask(image: StoredImage, range: Pick<PaintRange, 'low' | 'high'>): Uint8Array {
  const { pixels, slope, intercept } = image;
  const [low, high] = ordered(range);
  const out = new Uint8Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) {
    const value = pixels[i]! * slope + intercept;
    if (value >= low && value <= high) out[i] = 1;
  }
  return out;
}

/** A bound typed in the toolbar: a finite number, else the one it replaces (an empty box changes nothing). */
export function parseBound(text: string, previous: number): number {
  const value = Number(text.trim().replace('−', '-'));
  return text.trim() !== '' && Number.isFinite(value) ? Math.round(value) : previous;
}

/** "−700 … 3000 HU" for the banner (HU only for CT: other modalities have their own units). */
export function rangeText(range: Pick<PaintRange, 'low' | 'high'>, modality: string): string {
  const [low, high] = ordered(range).map((v) => `${v}`.replace('-', '−'));
  return `${low} … ${high}${modality === 'CT' ? ' HU' : ''}`;
}
