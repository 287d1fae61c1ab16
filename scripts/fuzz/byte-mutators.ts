// Owns the fuzzer's byte-level mutations, blind to DICOM structure: bit flips, interesting values, truncation,
// splices from other seeds, deleted or duplicated chunks, and wrapping the result in a zip with hostile entry
// names, lying sizes and a bomb entry beside it.
import { zipSync } from 'fflate';
import { concat } from './dicom-elements.ts';
import { HUGE32, offsetIn, type Mutator } from './mutator-kit.ts';
import type { Random } from './random.ts';

export const bitFlips: Mutator = (input, layout) => {
  const out = input.bytes.slice();
  const count = input.rng.pick([1, 1, 2, 4, 8, 32]);
  for (let i = 0; i < count; i++) {
    const at = Math.min(out.length - 1, offsetIn(input, layout));
    out[at] ^= 1 << input.rng.below(8);
  }
  return out;
};

export const interestingValues: Mutator = (input, layout) => {
  const out = input.bytes.slice();
  const view = new DataView(out.buffer);
  const count = input.rng.between(1, 6);
  for (let i = 0; i < count; i++) {
    const at = Math.min(out.length - 4, offsetIn(input, layout));
    if (at < 0) return undefined;
    const width = input.rng.pick([1, 2, 4]);
    if (width === 1) out[at] = input.rng.pick([0, 1, 0x7f, 0x80, 0xff]);
    else if (width === 2) view.setUint16(at, input.rng.pick([0, 1, 0x7fff, 0x8000, 0xffff, 0xfffe]), true);
    else view.setUint32(at, input.rng.pick([0, 1, ...HUGE32]), true);
  }
  return out;
};

export const truncate: Mutator = (input, layout) => {
  const { rng, bytes } = input;
  const elements = layout ? [...layout.meta, ...layout.elements] : [];
  let at: number;
  if (elements.length > 0 && rng.chance(0.5)) {
    const e = rng.pick(elements);
    at = rng.pick([e.offset, e.offset + 2, e.lengthOffset, e.valueOffset, e.valueOffset + 1, e.end - 1]);
  } else at = rng.below(bytes.length);
  return bytes.slice(0, Math.max(0, Math.min(bytes.length - 1, at)));
};

export const splice: Mutator = (input) => {
  const { rng, bytes } = input;
  const donor = rng.pick(input.donors);
  if (!donor || donor.length < 16) return undefined;
  const from = rng.below(donor.length - 8);
  const size = rng.between(1, Math.min(4096, donor.length - from));
  const at = rng.below(bytes.length);
  const chunk = donor.subarray(from, from + size);
  return rng.chance(0.5)
    ? concat(bytes.subarray(0, at), chunk, bytes.subarray(at))
    : concat(bytes.subarray(0, at), chunk, bytes.subarray(Math.min(bytes.length, at + size)));
};

export const chunkOps: Mutator = (input) => {
  const { rng, bytes } = input;
  const at = rng.below(bytes.length);
  const size = rng.between(1, Math.min(1024, bytes.length - at));
  return rng.chance(0.5)
    ? concat(bytes.subarray(0, at), bytes.subarray(at + size))
    : concat(bytes.subarray(0, at + size), bytes.subarray(at, at + size), bytes.subarray(at + size));
};

/** The (already mutated) file inside a zip: hostile entry names, lying sizes, a bomb entry beside it. */
export function zipWrap(bytes: Uint8Array, rng: Random): Uint8Array {
  const name = rng.pick([
    'a.dcm',
    '../../x.dcm',
    '/etc/passwd',
    'C:\\Windows\\x.dcm',
    '..\\..\\x.dcm',
    'dir/../../../x.dcm',
    'DICOMDIR',
    '',
  ]);
  const files: Record<string, Uint8Array> = { [name || 'empty']: bytes };
  const bombed = rng.chance(0.3);
  // A stored (level 0) bomb would only be a big file; compressed, it is a small file claiming 8 MB.
  if (bombed) files['bomb.dcm'] = new Uint8Array(rng.pick([1, 8]) * 1024 * 1024);
  // A fixed date, so case K of a seed is the same bytes on every run.
  const zip = zipSync(files, {
    level: bombed ? 6 : (rng.pick([0, 6]) as 0 | 6),
    mtime: '2000-01-01T00:00:00Z',
  });
  if (rng.chance(0.3)) {
    // Lie about an entry's uncompressed size in the central directory.
    const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
    for (let at = zip.length - 22; at >= 0; at--) {
      if (view.getUint32(at, true) === 0x02014b50) {
        view.setUint32(at + 24, rng.pick([0xffffffff, 0, 1, 0x40000000]), true);
        break;
      }
    }
  }
  if (rng.chance(0.2)) return bitFlips({ bytes: zip, rng, donors: [] }, undefined) ?? zip;
  return zip;
}
