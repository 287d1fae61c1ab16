// Owns the fuzzer's structure-aware mutations of DICOM files: element lengths set huge or odd, wrong VRs,
// undefined-length sequences nested deep, Image Pixel values far beyond the bytes present, broken encapsulated
// fragments and codestream sizes, transfer syntax swaps, and deflate bombs.
import { deflateRawSync } from 'node:zlib';
import {
  concat,
  encodeElement,
  fragmentsOf,
  layoutOf,
  tagOf,
  textValue,
  uint16Value,
  upsertElement,
  type Layout,
} from './dicom-elements.ts';
import { DEFLATED, HUGE32, pixelOf, SYNTAXES, VRS, type Mutator } from './mutator-kit.ts';

export const elementLength: Mutator = (input, layout) => {
  if (!layout) return undefined;
  const { rng } = input;
  const elements = rng.chance(0.15) ? layout.meta : layout.elements;
  if (elements.length === 0) return undefined;
  const e = rng.pick(elements);
  const out = input.bytes.slice();
  const view = new DataView(out.buffer);
  const little = elements === layout.meta ? true : layout.little;
  const remaining = out.length - e.valueOffset;
  if (e.lengthSize === 2) {
    const value = rng.pick([0xffff, 0xfffe, e.length + 1, Math.max(0, e.length - 1), 0, rng.below(0x10000)]);
    view.setUint16(e.lengthOffset, value & 0xffff, little);
  } else {
    const value = rng.pick([
      ...HUGE32,
      e.length + 1,
      Math.max(0, e.length - 1),
      remaining + 1,
      remaining + 2,
      0,
    ]);
    view.setUint32(e.lengthOffset, value >>> 0, little);
  }
  return out;
};

export const wrongVr: Mutator = (input, layout) => {
  if (!layout?.explicit) return undefined;
  const elements = layout.elements.filter((e) => e.vr);
  if (elements.length === 0) return undefined;
  const e = input.rng.pick(elements);
  const out = input.bytes.slice();
  const vr = input.rng.chance(0.85) ? input.rng.pick(VRS) : String.fromCharCode(input.rng.below(256), 0x20);
  out[e.offset + 4] = vr.charCodeAt(0);
  out[e.offset + 5] = vr.charCodeAt(1);
  return out;
};

/** Sequences nested `depth` deep, each in an item: closed properly, left open, or with defined lengths that lie. */
export const deepSequence: Mutator = (input, layout) => {
  if (!layout || layout.syntax === DEFLATED) return undefined;
  const { rng } = input;
  const depth = rng.pick([64, 500, 5000, 50_000, 200_000]);
  const style = rng.pick(['closed', 'open', 'lying'] as const);
  const undefinedLength = style === 'lying' ? rng.pick([0x7fffffff, 16, 0xfffffff0]) : 0xffffffff;
  const opening = concat(
    encodeElement(layout, 0x0040, 0x0275, 'SQ', new Uint8Array(0), undefinedLength),
    itemHeader(layout.little, 0xe000, undefinedLength),
  );
  const closing = concat(itemHeader(layout.little, 0xe00d, 0), itemHeader(layout.little, 0xe0dd, 0));
  const body = new Uint8Array(opening.length * depth + (style === 'closed' ? closing.length * depth : 0));
  for (let i = 0; i < depth; i++) body.set(opening, i * opening.length);
  if (style === 'closed')
    for (let i = 0; i < depth; i++) body.set(closing, opening.length * depth + i * closing.length);
  const after = layout.elements.find((e) => tagOf(e) > 0x00400275);
  const at = after ? after.offset : input.bytes.length;
  return concat(input.bytes.subarray(0, at), body, input.bytes.subarray(at));
};

function itemHeader(little: boolean, element: number, length: number): Uint8Array {
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint16(0, 0xfffe, little);
  view.setUint16(2, element, little);
  view.setUint32(4, length >>> 0, little);
  return out;
}

/** Image Pixel module values far beyond the bytes present, or inconsistent with each other. */
export const pixelDimensions: Mutator = (input, layout) => {
  if (!layout || layout.syntax === DEFLATED || layout.elements.length === 0) return undefined;
  const { rng } = input;
  let bytes = input.bytes;
  let current = layout;
  const set = (element: number, vr: string, value: Uint8Array) => {
    bytes = upsertElement(bytes, current, 0x0028, element, vr, value);
    current = layoutOf(bytes) ?? current;
  };
  const us = (element: number, value: number) => set(element, 'US', uint16Value(value, layout.little));
  const frames = (text: string) => set(0x0008, 'IS', textValue(text));
  const shape = rng.pick([
    'overflow',
    'rows',
    'frames',
    'bits',
    'samples',
    'stored',
    'photometric',
    'planar',
    'zero',
    'large',
  ] as const);
  switch (shape) {
    case 'overflow':
      // Rows × Columns × Frames whose product overflows 32 (and 53) bits of naive arithmetic.
      us(0x0010, 65535);
      us(0x0011, 65535);
      frames(rng.pick(['2147483648', '2147483647', '4294967296', '99999999999', '1e300']));
      break;
    case 'rows':
      us(rng.pick([0x0010, 0x0011]), rng.pick([65535, 32768, 4096, 513, 1]));
      break;
    case 'frames':
      frames(rng.pick(['0', '-1', '2', '3', '1000', '16777216', '16777217', 'NaN', '1.5', ' ', 'Infinity']));
      break;
    case 'bits':
      us(0x0100, rng.pick([0, 1, 7, 12, 24, 32, 64, 65535]));
      break;
    case 'samples':
      us(0x0002, rng.pick([0, 2, 3, 4, 65535]));
      break;
    case 'stored':
      us(0x0101, rng.pick([0, 1, 17, 33, 65535]));
      us(0x0102, rng.pick([0, 15, 16, 31, 65535]));
      break;
    case 'photometric':
      set(
        0x0004,
        'CS',
        textValue(rng.pick(['RGB', 'PALETTE COLOR', 'YBR_FULL_422', 'YBR_FULL', 'MONOCHROME1', 'HSV', ''])),
      );
      break;
    case 'planar':
      us(0x0006, rng.pick([1, 2, 65535]));
      us(0x0002, 3);
      break;
    case 'zero':
      us(rng.pick([0x0010, 0x0011]), 0);
      break;
    case 'large': {
      // Within the decoder's frame limit, far beyond any small file: compressed data must not be trusted to fill it.
      const side = rng.pick([4096, 8192, 11585]);
      us(0x0010, side);
      us(0x0011, side);
      break;
    }
  }
  return bytes;
};

/** Broken encapsulated fragments: lying item lengths, damaged codestreams, bogus offset tables. */
export const brokenFragments: Mutator = (input, layout) => {
  const pixel = pixelOf(layout);
  if (!layout || !pixel) return undefined;
  const items = fragmentsOf(input.bytes, pixel, layout.little);
  if (items.length < 2) return undefined;
  const { rng } = input;
  const out = input.bytes.slice();
  const view = new DataView(out.buffer);
  const fragment = rng.pick(items.slice(1).filter((i) => i.element === 0xe000)) ?? items[1];
  const shape = rng.pick([
    'length',
    'flip',
    'cut',
    'offsets',
    'garbage',
    'split',
    'noDelimiter',
    'codestreamSize',
  ] as const);
  switch (shape) {
    case 'codestreamSize': {
      // The codestream's own image size (JPEG SOFn / JPEG-LS SOF55 height and width, JPEG 2000 SIZ) set huge.
      const data = out.subarray(fragment.valueOffset, fragment.end);
      const dataView = new DataView(data.buffer, data.byteOffset, data.byteLength);
      for (let at = 0; at + 12 < data.length; at++) {
        if (data[at] !== 0xff) continue;
        const marker = data[at + 1];
        if ((marker >= 0xc0 && marker <= 0xc3) || marker === 0xf7) {
          dataView.setUint16(at + 5, rng.pick([65535, 32768, 16384]), false); // lines
          dataView.setUint16(at + 7, rng.pick([65535, 32768, 16384]), false); // samples per line
          return out;
        }
        if (marker === 0x51 && at + 14 < data.length) {
          dataView.setUint32(at + 6, rng.pick([0xffffffff, 0x10000, 0x7fffffff]), false); // Xsiz
          dataView.setUint32(at + 10, rng.pick([0xffffffff, 0x10000, 0x7fffffff]), false); // Ysiz
          return out;
        }
      }
      return undefined;
    }
    case 'length':
      view.setUint32(
        fragment.lengthOffset,
        rng.pick([...HUGE32, fragment.length + 1, 1, 0, 3]),
        layout.little,
      );
      return out;
    case 'flip': {
      // Codestream markers sit at the start; flip there more often.
      const span = Math.max(1, fragment.end - fragment.valueOffset);
      for (let i = rng.between(1, 16); i > 0; i--) {
        const at = fragment.valueOffset + (rng.chance(0.5) ? rng.below(Math.min(span, 64)) : rng.below(span));
        if (at < out.length) out[at] ^= 1 << rng.below(8);
      }
      return out;
    }
    case 'cut': {
      // Drop the fragment's tail but keep the item length (the file now lies), or end the file there.
      const keep = fragment.valueOffset + rng.below(Math.max(1, fragment.end - fragment.valueOffset));
      return rng.chance(0.5) ? out.slice(0, keep) : concat(out.subarray(0, keep), out.subarray(fragment.end));
    }
    case 'offsets': {
      const table = items[0];
      const count = rng.pick([1, 2, 3, 1000]);
      const entries = new Uint8Array(count * 4);
      const entryView = new DataView(entries.buffer);
      for (let i = 0; i < count; i++)
        entryView.setUint32(i * 4, rng.pick([0, 7, 0xfffffff0, rng.below(out.length)]), layout.little);
      return concat(
        out.subarray(0, table.offset),
        itemHeader(layout.little, 0xe000, entries.length),
        entries,
        out.subarray(table.end),
      );
    }
    case 'garbage': {
      for (let at = fragment.valueOffset; at < fragment.end; at++) out[at] = rng.below(256);
      return out;
    }
    case 'split': {
      // The same codestream in many tiny fragments, or many empty fragments for one frame.
      const pieces: Uint8Array[] = [];
      const data = out.subarray(fragment.valueOffset, fragment.end);
      const size = rng.pick([0, 1, 2, 16]);
      if (size === 0) for (let i = 0; i < 2000; i++) pieces.push(itemHeader(layout.little, 0xe000, 0));
      for (let at = 0; size > 0 && at < data.length; at += size) {
        const piece = data.subarray(at, at + size);
        pieces.push(itemHeader(layout.little, 0xe000, piece.length), piece);
      }
      return concat(out.subarray(0, fragment.offset), ...pieces, out.subarray(fragment.end));
    }
    case 'noDelimiter':
      return out.slice(0, items.at(-1)!.offset);
  }
};

export const syntaxSwap: Mutator = (input, layout) => {
  const ts = layout?.meta.find((e) => e.element === 0x0010);
  if (!layout || !ts) return undefined;
  const uid = input.rng.pick(SYNTAXES.filter((s) => s !== layout.syntax));
  const value = textValue(uid, '\0');
  const encoded = encodeElement({ explicit: true, little: true }, 0x0002, 0x0010, 'UI', value);
  // The meta group length is left as it was: readers must cope with a lying one too.
  return concat(input.bytes.subarray(0, ts.offset), encoded, input.bytes.subarray(ts.end));
};

let bombCache: Map<string, Uint8Array> | undefined;
/** Deflated bodies that inflate to hundreds of MB: zeros, or one element claiming a huge OB value. */
function bomb(kind: 'zeros' | 'element', megabytes: number): Uint8Array {
  bombCache ??= new Map();
  const key = `${kind}:${megabytes}`;
  let body = bombCache.get(key);
  if (!body) {
    const plain = Buffer.alloc(megabytes * 1024 * 1024);
    if (kind === 'element')
      plain.set(
        encodeElement({ explicit: true, little: true }, 0x0009, 0x1010, 'OB', new Uint8Array(0), 0xfffffff0),
      );
    body = new Uint8Array(deflateRawSync(plain, { level: 9 }));
    bombCache.set(key, body);
  }
  return body;
}

export const deflateBomb: Mutator = (input, layout) => {
  if (!layout) return undefined;
  const { rng } = input;
  const swapped = layout.syntax === DEFLATED ? input.bytes : syntaxSwapTo(input.bytes, layout, DEFLATED);
  const after = layoutOf(swapped);
  if (!after) return undefined;
  const body = bomb(rng.pick(['zeros', 'element'] as const), rng.pick([16, 256]));
  return concat(swapped.subarray(0, after.datasetStart), body);
};

export function syntaxSwapTo(bytes: Uint8Array, layout: Layout, uid: string): Uint8Array {
  const ts = layout.meta.find((e) => e.element === 0x0010);
  if (!ts) return bytes;
  const encoded = encodeElement({ explicit: true, little: true }, 0x0002, 0x0010, 'UI', textValue(uid, '\0'));
  return concat(bytes.subarray(0, ts.offset), encoded, bytes.subarray(ts.end));
}
