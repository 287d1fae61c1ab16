// Owns turning raw sample bytes (any width, either byte order) into numbers: Bits Stored masking, two's-complement
// sign extension for Pixel Representation 1, and the modality rescale (slope/intercept) for grey images.
import type { PixelModule } from './pixel-module.ts';
import { wordsToFloat32 } from './simd-samples.ts';

export interface RawSamples {
  bytes: Uint8Array;
  /** Bits per sample in `bytes`: 1, 8, 16 or 32. */
  bits: number;
  /** For bits = 1: the bit index the frame starts at (frames of 1-bit data are not byte aligned). */
  bitOffset?: number;
  bigEndian: boolean;
}

/**
 * Reads `count` samples into a Float32Array, masked to Bits Stored and sign-extended when signed. With `rescale`
 * (grey images) the modality rescale is applied in the same pass.
 */
export function storedValues(
  raw: RawSamples,
  count: number,
  module: PixelModule,
  rescale?: { slope: number; intercept: number },
): Float32Array {
  const { bytes, bits, bigEndian } = raw;
  if (bits === 16 && !bigEndian) {
    const fast = wordsToFloat32(
      bytes,
      count,
      module.bitsStored,
      module.signed,
      rescale?.slope ?? 1,
      rescale?.intercept ?? 0,
    );
    if (fast) return fast;
  }
  const out = new Float32Array(count);
  if (bits === 1) {
    const start = raw.bitOffset ?? 0;
    for (let i = 0; i < count; i++) {
      const bit = start + i;
      out[i] = (bytes[bit >> 3] >> (bit & 7)) & 1; // PS3.5 8.1.1: bit 0 of each byte first
    }
    if (rescale) applyRescale(out, rescale);
    return out;
  }
  const stored = module.bitsStored;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = !bigEndian;
  if (bits === 32) {
    for (let i = 0; i < count; i++) {
      const word = view.getUint32(i * 4, little);
      out[i] = signExtend32(stored === 32 ? word : word % 2 ** stored, stored, module.signed);
    }
    if (rescale) applyRescale(out, rescale);
    return out;
  }
  // The general path (the common 16-bit case is wordsToFloat32's, above): typed-array views (copied only when oddly aligned), sign extension
  // as a shift pair, rescale fused into the same pass, and one monomorphic loop per sample width.
  const slope = rescale?.slope ?? 1;
  const intercept = rescale?.intercept ?? 0;
  const shift = 32 - stored;
  const mask = 2 ** stored - 1;
  if (bits === 8) convert8(bytes, out, count, module.signed, shift, mask, slope, intercept);
  else
    convert16(
      little ? uint16View(bytes) : swappedUint16(view, count),
      out,
      count,
      module.signed,
      shift,
      mask,
      slope,
      intercept,
    );
  return out;
}

function convert8(
  words: Uint8Array,
  out: Float32Array,
  count: number,
  signed: boolean,
  shift: number,
  mask: number,
  slope: number,
  intercept: number,
) {
  if (signed) for (let i = 0; i < count; i++) out[i] = ((words[i] << shift) >> shift) * slope + intercept;
  else for (let i = 0; i < count; i++) out[i] = (words[i] & mask) * slope + intercept;
}

function convert16(
  words: Uint16Array,
  out: Float32Array,
  count: number,
  signed: boolean,
  shift: number,
  mask: number,
  slope: number,
  intercept: number,
) {
  if (signed) for (let i = 0; i < count; i++) out[i] = ((words[i] << shift) >> shift) * slope + intercept;
  else for (let i = 0; i < count; i++) out[i] = (words[i] & mask) * slope + intercept;
}

function uint16View(bytes: Uint8Array): Uint16Array {
  if (bytes.byteOffset % 2 === 0)
    return new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 1);
  return new Uint16Array(bytes.slice().buffer, 0, bytes.byteLength >> 1);
}

function swappedUint16(view: DataView, count: number): Uint16Array {
  const out = new Uint16Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getUint16(2 * i, false);
  return out;
}

function signExtend32(value: number, stored: number, signed: boolean): number {
  if (!signed) return value;
  const range = 2 ** stored;
  return value >= range / 2 ? value - range : value;
}

function applyRescale(
  values: Float32Array,
  { slope, intercept }: { slope: number; intercept: number },
): void {
  if (slope === 1 && intercept === 0) return;
  for (let i = 0; i < values.length; i++) values[i] = values[i] * slope + intercept;
}
