// Turns the API's modality values into what cornerstone-core's lookup table can index (integers in a
// range of at most 65 536 values) plus the slope/intercept that map them back, so window/level stays in
// modality units (HU). Pure: no cornerstone import, tested under Node.

export interface StoredPixels {
  data: Int16Array | Uint16Array;
  slope: number;
  intercept: number;
  min: number;
  max: number;
}

function range(values: ArrayLike<number>): { min: number; max: number } {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min, max };
}

/**
 * int16 slices pass through untouched (slope 1, intercept 0: the values already are modality values).
 * float32 slices are quantised to 16 bits over their own range; NaN becomes the minimum.
 */
export function storedPixels(values: Int16Array | Float32Array): StoredPixels {
  if (values instanceof Int16Array) {
    const { min, max } = range(values);
    return {
      data: values,
      slope: 1,
      intercept: 0,
      min: values.length ? min : 0,
      max: values.length ? max : 0,
    };
  }
  let { min, max } = range(values.filter((v) => Number.isFinite(v)));
  if (!Number.isFinite(min)) min = max = 0;
  const slope = max > min ? (max - min) / 65535 : 1;
  const data = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    data[i] = Number.isFinite(v) ? Math.round((v - min) / slope) : 0;
  }
  const stored = range(data);
  return { data, slope, intercept: min, min: stored.min, max: stored.max };
}
