// Owns the fast path for the commonest frame there is — 16-bit little-endian grey samples with slope 1 and a
// whole-number intercept (nearly every CT and MR slice): a tiny WebAssembly SIMD kernel that masks or
// sign-extends Bits Stored, adds the intercept and converts to float32, 8 samples per step. The scalar JS loop
// in stored-values.ts spends ~1 ns per sample (0.3–0.5 ms per 512² slice, most of a worker's time); this is ~5×
// faster including the copies in and out. Integer sums below 2^24 are exact in float32, so the values are
// identical to the scalar path's. The module is assembled here from its opcodes (below) rather than shipped as
// an opaque binary, so it can be read and reviewed; where WebAssembly SIMD is unavailable it returns undefined
// and the caller uses the scalar loop.

/** Frames larger than this use the scalar path rather than growing the kernel's memory (6 bytes a sample). */
const MAX_SAMPLES = 2 ** 23;

function leb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

const section = (id: number, content: number[]) => [id, ...leb(content.length), ...content];
const vector = (items: number[][]) => [...leb(items.length), ...items.flat()];
const name = (text: string) => [...leb(text.length), ...[...text].map((c) => c.charCodeAt(0))];
/** A SIMD instruction: the 0xFD prefix and its opcode as LEB128. */
const simd = (op: number, ...immediates: number[]) => [0xfd, ...leb(op), ...immediates];

const I32 = 0x7f;
const V128 = 0x7b;
// Instructions used below (WebAssembly core spec 5.4, SIMD opcodes from the fixed-width SIMD proposal).
const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: (depth: number) => [0x0c, depth],
  brIf: (depth: number) => [0x0d, depth],
  get: (local: number) => [0x20, local],
  set: (local: number) => [0x21, local],
  i32: (value: number) => [0x41, ...leb(value)], // small non-negative constants only
  i32Add: [0x6a],
  i32Shl: [0x74],
  i32GeU: [0x4f],
  v128Load: simd(0x00, 0, 0), // memarg: alignment hint 2^0, offset 0
  v128Store: (offset: number) => simd(0x0b, 0, ...leb(offset)),
  i32x4Splat: simd(0x11),
  i16x8Shl: simd(0x8b),
  i16x8ShrS: simd(0x8c),
  i16x8ShrU: simd(0x8d),
  extendLowS: simd(0xa7),
  extendHighS: simd(0xa8),
  extendLowU: simd(0xa9),
  extendHighU: simd(0xaa),
  i32x4Add: simd(0xae),
  f32x4ConvertS: simd(0xfa),
};

/**
 * (src, dst, count, shift, intercept): for i in 0..count step 8, the 8 int16 at src + 2i are shifted left then
 * right by `shift` (= 16 − Bits Stored; arithmetic for signed, logical for unsigned), widened to int32, the
 * intercept added, and stored as float32 at dst + 4i. Locals: 5 = i, 6 = the 8 samples, 7 = intercept × 4.
 */
function kernel(signed: boolean): number[] {
  const [shr, low, high] = signed
    ? [op.i16x8ShrS, op.extendLowS, op.extendHighS]
    : [op.i16x8ShrU, op.extendLowU, op.extendHighU];
  const dstAddress = [...op.get(1), ...op.get(5), ...op.i32(2), ...op.i32Shl, ...op.i32Add];
  const half = (extend: number[], offset: number) => [
    ...dstAddress,
    ...op.get(6),
    ...extend,
    ...op.get(7),
    ...op.i32x4Add,
    ...op.f32x4ConvertS,
    ...op.v128Store(offset),
  ];
  const body = [
    ...op.get(4),
    ...op.i32x4Splat,
    ...op.set(7),
    ...op.block,
    ...op.loop,
    ...[...op.get(5), ...op.get(2), ...op.i32GeU, ...op.brIf(1)],
    ...[...op.get(0), ...op.get(5), ...op.i32(1), ...op.i32Shl, ...op.i32Add, ...op.v128Load],
    ...[...op.get(3), ...op.i16x8Shl, ...op.get(3), ...shr, ...op.set(6)],
    ...half(low, 0),
    ...half(high, 16),
    ...[...op.get(5), ...op.i32(8), ...op.i32Add, ...op.set(5), ...op.br(0)],
    ...op.end,
    ...op.end,
    ...op.end,
  ];
  const locals = vector([
    [1, I32],
    [2, V128],
  ]);
  const code = [...locals, ...body];
  return [...leb(code.length), ...code];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector([[0x60, 5, I32, I32, I32, I32, I32, 0]])), // one type: (i32 × 5) → ()
    ...section(3, vector([[0], [0]])), // two functions of that type
    ...section(5, vector([[0x00, 1]])), // one memory, at least 1 page, grown from JS
    ...section(
      7,
      vector([
        [...name('signed'), 0x00, 0],
        [...name('unsigned'), 0x00, 1],
        [...name('memory'), 0x02, 0],
      ]),
    ),
    ...section(10, vector([kernel(true), kernel(false)])),
  ]);
}

interface Kernel {
  signed: (src: number, dst: number, count: number, shift: number, intercept: number) => void;
  unsigned: (src: number, dst: number, count: number, shift: number, intercept: number) => void;
  memory: WebAssembly.Memory;
}

let instance: Kernel | null | undefined;

function load(): Kernel | null {
  if (instance !== undefined) return instance;
  try {
    const bytes = moduleBytes();
    instance = WebAssembly.validate(bytes)
      ? (new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as Kernel)
      : null;
  } catch {
    instance = null; // no WebAssembly SIMD here: the scalar loop does the work
  }
  return instance;
}

/**
 * 16-bit little-endian samples to float32 modality values when slope is 1 and the intercept a whole number of
 * modest size (exact in float32); undefined when this path does not apply and the caller must convert.
 */
export function wordsToFloat32(
  bytes: Uint8Array,
  count: number,
  bitsStored: number,
  signed: boolean,
  slope: number,
  intercept: number,
): Float32Array | undefined {
  if (slope !== 1 || !Number.isInteger(intercept) || Math.abs(intercept) > 2 ** 23) return undefined;
  if (count > MAX_SAMPLES || bytes.length < count * 2 || bitsStored < 1 || bitsStored > 16) return undefined;
  const kernel = load();
  if (!kernel) return undefined;
  const padded = Math.ceil(count / 8) * 8; // the kernel works 8 samples at a time; the tail is never copied out
  const dst = padded * 2;
  const needed = dst + padded * 4;
  const { memory } = kernel;
  if (memory.buffer.byteLength < needed) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / 65536));
  new Uint8Array(memory.buffer, 0, count * 2).set(bytes.subarray(0, count * 2));
  (signed ? kernel.signed : kernel.unsigned)(0, dst, count, 16 - bitsStored, intercept);
  return new Float32Array(memory.buffer, dst, count).slice();
}
