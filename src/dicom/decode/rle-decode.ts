// Owns RLE Lossless (PS3.5 Annex G). Written by hand because it is ~60 lines of PackBits and no maintained Node
// package decodes DICOM RLE (Cornerstone's lives inside its browser image loader). Output is little-endian
// samples in planar order (all of sample 0, then sample 1 …), which is how RLE segments are laid out.

/** Decodes one RLE frame into `pixels × samples × bytesPerSample` bytes. Throws a plain Error on bad data. */
export function decodeRle(
  frame: Uint8Array,
  pixels: number,
  samples: number,
  bytesPerSample: number,
): Uint8Array {
  if (frame.length < 64) throw new Error('RLE frame shorter than its 64-byte header');
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const segmentCount = view.getUint32(0, true);
  if (segmentCount !== samples * bytesPerSample || segmentCount > 15)
    throw new Error(`RLE header lists ${segmentCount} segments, the image needs ${samples * bytesPerSample}`);
  const offsets: number[] = [];
  for (let s = 0; s < segmentCount; s++) offsets.push(view.getUint32(4 + 4 * s, true));
  offsets.push(frame.length);
  // PackBits turns 2 bytes into at most 128: a segment too short to fill its plane is refused before the frame
  // is allocated (Rows × Columns in the header are otherwise trusted up to the decoder's frame limit).
  for (let s = 0; s < segmentCount; s++) {
    if ((offsets[s + 1] - offsets[s]) * 64 < pixels)
      throw new Error(
        `RLE segment ${s + 1} holds ${Math.max(0, offsets[s + 1] - offsets[s])} bytes, too few for ${pixels} pixels — the header's size does not match the data`,
      );
  }
  const out = new Uint8Array(pixels * samples * bytesPerSample);
  for (let s = 0; s < segmentCount; s++) {
    const start = offsets[s];
    const end = offsets[s + 1];
    if (start < 64 || end < start || end > frame.length)
      throw new Error(`RLE segment ${s + 1} has a bad offset`);
    const plane = new Uint8Array(pixels);
    unpackBits(frame.subarray(start, end), plane);
    // Segments go most significant byte first within each sample (G.2).
    const sample = Math.floor(s / bytesPerSample);
    const byteInSample = bytesPerSample - 1 - (s % bytesPerSample);
    const base = sample * pixels * bytesPerSample;
    for (let i = 0; i < pixels; i++) out[base + i * bytesPerSample + byteInSample] = plane[i];
  }
  return out;
}

/** PackBits (G.3.1). A segment that ends short leaves zeros and is reported; one that overflows is cut. */
function unpackBits(input: Uint8Array, output: Uint8Array): void {
  let i = 0;
  let o = 0;
  while (i < input.length && o < output.length) {
    const n = (input[i++] << 24) >> 24; // as signed byte
    if (n >= 0) {
      const count = n + 1;
      if (i + count > input.length) throw new Error('RLE literal run runs past the end of its segment');
      output.set(input.subarray(i, i + Math.min(count, output.length - o)), o);
      i += count;
      o += count;
    } else if (n !== -128) {
      if (i >= input.length) throw new Error('RLE replicate run has no byte to repeat');
      const count = 1 - n;
      output.fill(input[i++], o, Math.min(output.length, o + count));
      o += count;
    }
  }
  if (o < output.length)
    throw new Error(`RLE segment decodes to ${o} bytes, the frame needs ${output.length}`);
}
