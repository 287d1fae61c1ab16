// Owns colour layout: planar → interleaved, YBR_FULL / YBR_FULL_422 → RGB (PS3.3 C.7.6.3.1.2), and PALETTE
// COLOR → RGB through the dataset's red/green/blue lookup tables (8- or 16-bit entries, values kept as stored).
import type dicomParser from 'dicom-parser';
import { DicomError } from '../dicom-error.ts';

export function planarToInterleaved(planar: Float32Array, pixels: number): Float32Array {
  const out = new Float32Array(pixels * 3);
  for (let i = 0; i < pixels; i++) {
    out[3 * i] = planar[i];
    out[3 * i + 1] = planar[pixels + i];
    out[3 * i + 2] = planar[2 * pixels + i];
  }
  return out;
}

/** YBR_FULL (interleaved, 8-bit range) → RGB in place, rounded and clamped as 8-bit viewers do. */
export function ybrFullToRgb(values: Float32Array, maxValue: number): void {
  const half = (maxValue + 1) / 2;
  const clamp = (v: number) => Math.min(maxValue, Math.max(0, Math.round(v)));
  for (let i = 0; i < values.length; i += 3) {
    const y = values[i];
    const cb = values[i + 1] - half;
    const cr = values[i + 2] - half;
    values[i] = clamp(y + 1.402 * cr);
    values[i + 1] = clamp(y - 0.344136 * cb - 0.714136 * cr);
    values[i + 2] = clamp(y + 1.772 * cb);
  }
}

/** YBR_FULL_422 native layout (Y1 Y2 Cb Cr per pixel pair) → interleaved YBR_FULL. */
export function expand422(packed: Float32Array, rows: number, columns: number): Float32Array {
  const out = new Float32Array(rows * columns * 3);
  let at = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c += 2) {
      const y1 = packed[at];
      const y2 = packed[at + 1];
      const cb = packed[at + 2];
      const cr = packed[at + 3];
      at += 4;
      const p = 3 * (r * columns + c);
      out.set([y1, cb, cr], p);
      if (c + 1 < columns) out.set([y2, cb, cr], p + 3);
    }
  }
  return out;
}

interface Lut {
  first: number;
  entries: Uint16Array;
}

function readLut(path: string, dataSet: dicomParser.DataSet, channel: number, name: string): Lut {
  const descriptorTag = `x0028110${channel + 1}`;
  const dataTag = `x0028120${channel + 1}`;
  const element = dataSet.elements[dataTag];
  if (!dataSet.elements[descriptorTag] || !element)
    throw new DicomError(
      path,
      `PALETTE COLOR without a ${name} palette (0028,110${channel + 1}/120${channel + 1})`,
    );
  const declared = dataSet.uint16(descriptorTag, 0) ?? 0;
  const count = declared === 0 ? 65536 : declared;
  const first = dataSet.uint16(descriptorTag, 1) ?? 0;
  const bits = dataSet.uint16(descriptorTag, 2) ?? 16;
  const entries = new Uint16Array(count);
  if (bits === 8 && element.length >= count && element.length < 2 * count) {
    // 8-bit entries packed one per byte (some writers), not padded to 16 bits.
    for (let i = 0; i < count; i++) entries[i] = dataSet.byteArray[element.dataOffset + i];
  } else {
    if (element.length < 2 * count)
      throw new DicomError(
        path,
        `${name} palette holds ${element.length / 2} entries, its descriptor claims ${count}`,
      );
    for (let i = 0; i < count; i++) entries[i] = dataSet.uint16(dataTag, i) ?? 0;
  }
  // Entries are kept as stored (0–65535 for 16-bit tables), as pydicom's apply_color_lut does; display scales.
  return { first, entries };
}

export function paletteToRgb(
  path: string,
  dataSet: dicomParser.DataSet,
  indices: Float32Array,
): Float32Array {
  const luts = ['red', 'green', 'blue'].map((name, channel) => readLut(path, dataSet, channel, name));
  const out = new Float32Array(indices.length * 3);
  for (let i = 0; i < indices.length; i++) {
    for (let channel = 0; channel < 3; channel++) {
      const { first, entries } = luts[channel];
      const k = Math.min(entries.length - 1, Math.max(0, indices[i] - first));
      out[3 * i + channel] = entries[k];
    }
  }
  return out;
}
