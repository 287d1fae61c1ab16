// Owns the wire form of a decoded slice: little-endian int16 when every modality value is a whole number in
// int16's range (nearly every CT), else float32, so scrolling moves half the bytes without losing a value.
export interface SliceBody {
  type: 'int16' | 'float32';
  bytes: Uint8Array;
}

export function slicePixels(values: Float32Array | Int16Array): SliceBody {
  // Decoded as int16 in the worker already (DecodePool.decodeWire): nothing to check or convert here.
  if (values instanceof Int16Array)
    return { type: 'int16', bytes: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) };
  let integral = true;
  for (let n = 0; n < values.length; n++) {
    const v = values[n];
    if (v !== Math.trunc(v) || v < -32768 || v > 32767) {
      integral = false;
      break;
    }
  }
  // x86 and ARM are little-endian, so the typed arrays' own bytes are the wire format.
  if (!integral) {
    return { type: 'float32', bytes: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) };
  }
  const out = Int16Array.from(values);
  return { type: 'int16', bytes: new Uint8Array(out.buffer) };
}
