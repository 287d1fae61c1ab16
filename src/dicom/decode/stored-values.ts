// Owns turning raw sample bytes (any width, either byte order) into numbers: Bits Stored masking, two's-complement
// sign extension for Pixel Representation 1, and the modality rescale (slope/intercept) for grey images.
import type { PixelModule } from './pixel-module.ts';

export interface RawSamples {
  bytes: Uint8Array;
  /** Bits per sample in `bytes`: 1, 8, 16 or 32. */
  bits: number;
  /** For bits = 1: the bit index the frame starts at (frames of 1-bit data are not byte aligned). */
  bitOffset?: number;
  bigEndian: boolean;
}

/** Reads `count` samples into a Float32Array, masked to Bits Stored and sign-extended when signed. */
export function storedValues(raw: RawSamples, count: number, module: PixelModule): Float32Array {
  const out = new Float32Array(count);
  const { bytes, bits, bigEndian } = raw;
  if (bits === 1) {
    const start = raw.bitOffset ?? 0;
    for (let i = 0; i < count; i++) {
      const bit = start + i;
      out[i] = (bytes[bit >> 3] >> (bit & 7)) & 1; // PS3.5 8.1.1: bit 0 of each byte first
    }
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
    return out;
  }
  const mask = stored >= 16 ? 0xffff : (1 << stored) - 1;
  const signBit = 1 << (stored - 1);
  const read =
    bits === 8
      ? (i: number) => bytes[i]
      : little
        ? (i: number) => bytes[2 * i] | (bytes[2 * i + 1] << 8)
        : (i: number) => view.getUint16(2 * i, false);
  if (!module.signed) {
    for (let i = 0; i < count; i++) out[i] = read(i) & mask;
  } else {
    for (let i = 0; i < count; i++) {
      const value = read(i) & mask;
      out[i] = value & signBit ? value - (mask + 1) : value;
    }
  }
  return out;
}

function signExtend32(value: number, stored: number, signed: boolean): number {
  if (!signed) return value;
  const range = 2 ** stored;
  return value >= range / 2 ? value - range : value;
}

/** Applies the modality rescale in place (grey images only: colour samples are not rescaled). */
export function applyRescale(values: Float32Array, module: PixelModule): void {
  if (module.samplesPerPixel !== 1 || (module.slope === 1 && module.intercept === 0)) return;
  const { slope, intercept } = module;
  for (let i = 0; i < values.length; i++) values[i] = values[i] * slope + intercept;
}
