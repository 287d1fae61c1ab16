// Owns the fuzzer's own, deliberately naive view of a Part 10 file's elements: where each top-level element's
// tag, VR, length and value lie, so mutators can aim at lengths, VRs, pixel dimensions and fragments instead of
// only flipping random bits. Independent of the product's parser on purpose: the fuzzer must not share its bugs.

export interface Layout {
  /** Offset of the first dataset element (after the meta group), or 0 for a raw dataset. */
  datasetStart: number;
  explicit: boolean;
  little: boolean;
  /** Transfer syntax from the meta header ('' when absent). */
  syntax: string;
  meta: Element[];
  elements: Element[];
}

export interface Element {
  group: number;
  element: number;
  /** Offset of the tag. */
  offset: number;
  vr: string;
  /** Offset and size (2 or 4) of the length field. */
  lengthOffset: number;
  lengthSize: 2 | 4;
  length: number;
  valueOffset: number;
  /** Offset just past the element (for undefined lengths, past its delimiter when one was found). */
  end: number;
}

const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const UNDEFINED = 0xffffffff;

export const tagOf = (e: Pick<Element, 'group' | 'element'>) => e.group * 0x10000 + e.element;

function isVr(bytes: Uint8Array, at: number): boolean {
  const a = bytes[at];
  const b = bytes[at + 1];
  return a >= 0x41 && a <= 0x5a && b >= 0x41 && b <= 0x5a;
}

/** Offset just past the sequence delimitation item matching an undefined length starting at `from`. */
function findDelimiter(bytes: Uint8Array, from: number, little: boolean): number {
  // Items nest; count item/sequence starts and ends. Naive on purpose (a fuzzer, not a parser).
  let depth = 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = from; at + 8 <= bytes.length; at += 2) {
    if (view.getUint16(at, little) !== 0xfffe) continue;
    const element = view.getUint16(at + 2, little);
    if (element === 0xe0dd) {
      if (depth === 0) return at + 8;
      depth--;
    } else if (element === 0xe000 && view.getUint32(at + 4, little) === UNDEFINED) depth++;
  }
  return bytes.length;
}

function walk(
  bytes: Uint8Array,
  start: number,
  explicit: boolean,
  little: boolean,
  stopAfterGroup?: number,
): { elements: Element[]; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const elements: Element[] = [];
  let at = start;
  while (at + 8 <= bytes.length) {
    const group = view.getUint16(at, little);
    if (stopAfterGroup !== undefined && group !== stopAfterGroup) break;
    const element = view.getUint16(at + 2, little);
    let vr = '';
    let lengthOffset: number;
    let lengthSize: 2 | 4;
    let valueOffset: number;
    if (explicit && group !== 0xfffe && isVr(bytes, at + 4)) {
      vr = String.fromCharCode(bytes[at + 4], bytes[at + 5]);
      if (LONG_VRS.has(vr)) {
        if (at + 12 > bytes.length) break;
        lengthOffset = at + 8;
        lengthSize = 4;
        valueOffset = at + 12;
      } else {
        lengthOffset = at + 6;
        lengthSize = 2;
        valueOffset = at + 8;
      }
    } else {
      lengthOffset = at + 4;
      lengthSize = 4;
      valueOffset = at + 8;
    }
    const length =
      lengthSize === 2 ? view.getUint16(lengthOffset, little) : view.getUint32(lengthOffset, little);
    const end =
      length === UNDEFINED
        ? findDelimiter(bytes, valueOffset, little)
        : Math.min(bytes.length, valueOffset + length);
    elements.push({ group, element, offset: at, vr, lengthOffset, lengthSize, length, valueOffset, end });
    if (end <= at) break;
    at = end;
  }
  return { elements, end: at };
}

const ascii = (bytes: Uint8Array, from: number, to: number) =>
  String.fromCharCode(...bytes.subarray(from, Math.min(to, from + 256)));

/** The element layout of a Part 10 file, or undefined for bytes without a readable meta header. */
export function layoutOf(bytes: Uint8Array): Layout | undefined {
  if (bytes.length < 144 || ascii(bytes, 128, 132) !== 'DICM') return undefined;
  const meta = walk(bytes, 132, true, true, 0x0002);
  const ts = meta.elements.find((e) => e.element === 0x0010);
  const syntax = ts ? ascii(bytes, ts.valueOffset, ts.end).replace(/[\0 ]+$/, '') : '';
  const little = syntax !== '1.2.840.10008.1.2.2';
  const explicit = syntax !== '1.2.840.10008.1.2';
  // A deflated body cannot be walked in place; the mutators inflate it first.
  const elements =
    syntax === '1.2.840.10008.1.2.1.99' ? [] : walk(bytes, meta.end, explicit, little).elements;
  return { datasetStart: meta.end, explicit, little, syntax, meta: meta.elements, elements };
}

/** Encodes one element in the layout's byte order and VR form. */
export function encodeElement(
  layout: Pick<Layout, 'explicit' | 'little'>,
  group: number,
  element: number,
  vr: string,
  value: Uint8Array,
  length = value.length,
): Uint8Array {
  const long = !layout.explicit || LONG_VRS.has(vr);
  const headerSize = layout.explicit ? (long ? 12 : 8) : 8;
  const out = new Uint8Array(headerSize + value.length);
  const view = new DataView(out.buffer);
  view.setUint16(0, group, layout.little);
  view.setUint16(2, element, layout.little);
  if (layout.explicit) {
    out[4] = vr.charCodeAt(0);
    out[5] = vr.charCodeAt(1);
    if (long) view.setUint32(8, length >>> 0, layout.little);
    else view.setUint16(6, length & 0xffff, layout.little);
  } else view.setUint32(4, length >>> 0, layout.little);
  out.set(value, headerSize);
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** A text value padded to even length, as DICOM wants. */
export function textValue(text: string, pad = ' '): Uint8Array {
  const padded = text.length % 2 ? text + pad : text;
  return Uint8Array.from(padded, (c) => c.charCodeAt(0) & 0xff);
}

export function uint16Value(value: number, little: boolean): Uint8Array {
  const out = new Uint8Array(2);
  new DataView(out.buffer).setUint16(0, value & 0xffff, little);
  return out;
}

/**
 * Sets (replacing or inserting in tag order) one top-level element of the dataset and returns new bytes.
 * Lengths of other elements are untouched, which is right for a dataset of defined-length top-level elements.
 */
export function upsertElement(
  bytes: Uint8Array,
  layout: Layout,
  group: number,
  element: number,
  vr: string,
  value: Uint8Array,
): Uint8Array {
  const tag = group * 0x10000 + element;
  const encoded = encodeElement(layout, group, element, vr, value);
  const existing = layout.elements.find((e) => tagOf(e) === tag);
  if (existing) return concat(bytes.subarray(0, existing.offset), encoded, bytes.subarray(existing.end));
  const after = layout.elements.find((e) => tagOf(e) > tag);
  const at = after ? after.offset : bytes.length;
  return concat(bytes.subarray(0, at), encoded, bytes.subarray(at));
}

/** Items (offset, length, value offset) of an encapsulated Pixel Data element. */
export function fragmentsOf(bytes: Uint8Array, pixel: Element, little: boolean): Element[] {
  if (pixel.length !== UNDEFINED) return [];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const items: Element[] = [];
  let at = pixel.valueOffset;
  while (at + 8 <= bytes.length && view.getUint16(at, little) === 0xfffe) {
    const element = view.getUint16(at + 2, little);
    const length = view.getUint32(at + 4, little);
    const end = Math.min(bytes.length, at + 8 + length);
    items.push({
      group: 0xfffe,
      element,
      offset: at,
      vr: '',
      lengthOffset: at + 4,
      lengthSize: 4,
      length,
      valueOffset: at + 8,
      end,
    });
    if (element !== 0xe000) break;
    at = end;
  }
  return items;
}
