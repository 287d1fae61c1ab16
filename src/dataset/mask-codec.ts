// Owns the on-disk form of one mask slice: the 0/1 bytes of a rows × columns slice as alternating run lengths
// (zeros first), each an unsigned LEB128 varint. A nodule's slice is a few dozen runs, so a 512 × 512 slice
// (256 KiB raw) usually stores in well under 100 bytes, and one slice decodes without touching any other.
// Why not deflate: run lengths of a binary mask are already near its entropy, and decoding them straight to
// voxel indices (for Dice and export) needs no intermediate buffer.

/** Encodes a 0/1 slice (any non-zero byte counts as 1). */
export function encodeMaskSlice(mask: Uint8Array): Uint8Array {
  const out: number[] = [];
  const push = (run: number) => {
    while (run >= 0x80) {
      out.push((run & 0x7f) | 0x80);
      run = Math.floor(run / 128);
    }
    out.push(run);
  };
  let value = 0;
  let run = 0;
  for (let n = 0; n < mask.length; n++) {
    const bit = mask[n] === 0 ? 0 : 1;
    if (bit === value) run++;
    else {
      push(run);
      value = bit;
      run = 1;
    }
  }
  push(run);
  return Uint8Array.from(out);
}

/** Calls visit(start, length) for each run of ones; checks the runs cover exactly `length` voxels. */
function forEachOneRun(encoded: Uint8Array, length: number, visit: (start: number, count: number) => void) {
  let position = 0;
  let value = 0;
  let offset = 0;
  while (offset < encoded.length) {
    let run = 0;
    let scale = 1;
    for (;;) {
      if (offset >= encoded.length) throw new Error('mask slice data ends inside a run length');
      const byte = encoded[offset++];
      run += (byte & 0x7f) * scale;
      scale *= 128;
      if (byte < 0x80) break;
    }
    if (value === 1 && run > 0) visit(position, run);
    position += run;
    value ^= 1;
  }
  if (position !== length) {
    throw new Error(`mask slice data covers ${position} voxels but the slice has ${length}`);
  }
}

export function decodeMaskSlice(encoded: Uint8Array, length: number): Uint8Array {
  const mask = new Uint8Array(length);
  forEachOneRun(encoded, length, (start, count) => mask.fill(1, start, start + count));
  return mask;
}

/** Appends the slice's set voxels as linear indices (offset + index within the slice) to `into`. */
export function maskSliceIndices(encoded: Uint8Array, length: number, offset: number, into: number[]): void {
  forEachOneRun(encoded, length, (start, count) => {
    for (let n = 0; n < count; n++) into.push(offset + start + n);
  });
}

/** Number of set voxels in an encoded slice. */
export function maskSliceCount(encoded: Uint8Array, length: number): number {
  let total = 0;
  forEachOneRun(encoded, length, (_start, count) => (total += count));
  return total;
}

/** Encodes a slice given its set voxels as ascending indices within the slice (no slice-sized buffer). */
export function encodeSortedIndices(
  indices: ArrayLike<number>,
  from: number,
  to: number,
  base: number,
  length: number,
): Uint8Array {
  const out: number[] = [];
  const push = (run: number) => {
    while (run >= 0x80) {
      out.push((run & 0x7f) | 0x80);
      run = Math.floor(run / 128);
    }
    out.push(run);
  };
  let position = 0;
  let n = from;
  while (n < to) {
    const start = indices[n] - base;
    let end = start + 1;
    n++;
    while (n < to && indices[n] - base === end) {
      end++;
      n++;
    }
    push(start - position);
    push(end - start);
    position = end;
  }
  // Same bytes as encodeMaskSlice: no trailing zero-length run of zeros.
  if (position < length || out.length === 0) push(length - position);
  return Uint8Array.from(out);
}
