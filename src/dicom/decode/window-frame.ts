// Owns turning a decoded frame into 8-bit display samples: a linear window (PS3.3 C.11.2.1.2, the plain
// centre/width form), MONOCHROME1 inverted for display, colour passed through (16-bit palettes scaled down).
import type { DecodedFrame } from './decode-frame.ts';

export interface Window {
  center: number;
  width: number;
}

/** The file's own window, else the frame's min/max (grey); colour uses its full 8- or 16-bit range. */
export function defaultWindow(frame: DecodedFrame): Window {
  let min = Infinity;
  let max = -Infinity;
  for (const v of frame.data) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (frame.samplesPerPixel === 3) {
    const top = max > 255 ? 65535 : 255;
    return { center: top / 2, width: top };
  }
  if (frame.windowCenter !== undefined && frame.windowWidth !== undefined)
    return { center: frame.windowCenter, width: frame.windowWidth };
  if (!Number.isFinite(min)) return { center: 0, width: 1 };
  return { center: (min + max) / 2, width: Math.max(1, max - min) };
}

/** Display bytes: one per pixel for grey, three (RGB) for colour. */
export function windowFrame(frame: DecodedFrame, window: Window = defaultWindow(frame)): Uint8Array {
  const out = new Uint8Array(frame.data.length);
  const low = window.center - window.width / 2;
  const scale = 255 / Math.max(window.width, Number.EPSILON);
  const invert = frame.photometric === 'MONOCHROME1';
  for (let i = 0; i < out.length; i++) {
    const value = Math.min(255, Math.max(0, Math.round((frame.data[i] - low) * scale)));
    out[i] = invert ? 255 - value : value;
  }
  return out;
}
