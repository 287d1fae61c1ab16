// Owns the fast path for the commonest frame there is — 16-bit little-endian grey samples with slope 1 and a
// whole-number intercept (nearly every CT and MR slice): tiny WebAssembly SIMD kernels that mask or sign-extend
// Bits Stored, add the intercept and give float32 (decodeFrame) or, when every value fits, int16 (what the
// viewer is sent), 8 samples per step. The scalar JS loop in stored-values.ts spends ~1 ns per sample (0.3–0.5 ms
// per 512² slice, most of a worker's time); the kernel takes ~0.03 ms, ~0.1 ms with the copies in and out.
// Integer sums below 2^24 are exact in float32, so the values are identical to the scalar path's. The module is
// assembled here from its opcodes (below) rather than shipped as an opaque binary, so it can be read and
// reviewed; where WebAssembly SIMD is unavailable the functions return undefined and callers use the scalar loop.

/**
 * Frames larger than this (2048², 4 Mi samples) use the scalar path: WebAssembly memory never shrinks, so the
 * kernel's memory (6 bytes a sample at most) stays below 25 MiB per thread whatever it has decoded.
 */
const MAX_SAMPLES = 2 ** 22;

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

/** Signed LEB128, for i32.const. */
function sleb(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && !(byte & 0x40)) || (value === -1 && byte & 0x40)) return [...out, byte];
    out.push(byte | 0x80);
  }
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
  i32: (value: number) => [0x41, ...sleb(value)],
  i32Add: [0x6a],
  i32Shl: [0x74],
  i32GeU: [0x4f],
  v128Load: simd(0x00, 0, 0), // memarg: alignment hint 2^0, offset 0
  v128Store: (offset: number) => simd(0x0b, 0, ...leb(offset)),
  i32x4Splat: simd(0x11),
  narrowS: simd(0x85), // i16x8.narrow_i32x4_s (saturating; the min/max below say whether it had to)
  i16x8Shl: simd(0x8b),
  i16x8ShrS: simd(0x8c),
  i16x8ShrU: simd(0x8d),
  extendLowS: simd(0xa7),
  extendHighS: simd(0xa8),
  extendLowU: simd(0xa9),
  extendHighU: simd(0xaa),
  i32x4Add: simd(0xae),
  i32x4MinS: simd(0xb6),
  i32x4MaxS: simd(0xb8),
  f32x4ConvertS: simd(0xfa),
};

// Locals of every kernel: 0–4 the parameters, 5 = i, 6 = 8 samples, 7 = intercept × 4, 8 and 9 = the low and
// high 4 values as int32, 10 and 11 = running min and max (int16 kernels only).
const [SRC, DST, COUNT, SHIFT, INTERCEPT, I, SAMPLES, ADD, LOW, HIGH, MIN, MAX] = Array.from(
  { length: 12 },
  (_, n) => n,
);

/**
 * (src, dst, count, shift, intercept): for i in 0..count step 8, the 8 int16 at src + 2i are shifted left then
 * right by `shift` (= 16 − Bits Stored; arithmetic for signed, logical for unsigned), widened to int32 and the
 * intercept added. Float kernels store them as float32 at dst + 4i; int16 kernels store them narrowed at
 * dst + 2i and leave the smallest and largest int32 seen at addresses 0 and 16, so the caller can tell whether
 * every value fitted.
 */
function kernel(signed: boolean, output: 'float32' | 'int16'): number[] {
  const [shr, extendLow, extendHigh] = signed
    ? [op.i16x8ShrS, op.extendLowS, op.extendHighS]
    : [op.i16x8ShrU, op.extendLowU, op.extendHighU];
  const widen = (extend: number[], into: number) => [
    ...[...op.get(SAMPLES), ...extend, ...op.get(ADD), ...op.i32x4Add, ...op.set(into)],
  ];
  const dstAddress = (shift: number) => [
    ...op.get(DST),
    ...op.get(I),
    ...op.i32(shift),
    ...op.i32Shl,
    ...op.i32Add,
  ];
  const storeFloat = (from: number, offset: number) => [
    ...dstAddress(2),
    ...[...op.get(from), ...op.f32x4ConvertS, ...op.v128Store(offset)],
  ];
  const track = (from: number) => [
    ...[...op.get(MIN), ...op.get(from), ...op.i32x4MinS, ...op.set(MIN)],
    ...[...op.get(MAX), ...op.get(from), ...op.i32x4MaxS, ...op.set(MAX)],
  ];
  const store =
    output === 'float32'
      ? [...storeFloat(LOW, 0), ...storeFloat(HIGH, 16)]
      : [
          ...track(LOW),
          ...track(HIGH),
          ...[...dstAddress(1), ...op.get(LOW), ...op.get(HIGH), ...op.narrowS, ...op.v128Store(0)],
        ];
  const body = [
    ...[...op.get(INTERCEPT), ...op.i32x4Splat, ...op.set(ADD)],
    ...[...op.i32(0x7fffffff), ...op.i32x4Splat, ...op.set(MIN)],
    ...[...op.i32(-0x80000000), ...op.i32x4Splat, ...op.set(MAX)],
    ...op.block,
    ...op.loop,
    ...[...op.get(I), ...op.get(COUNT), ...op.i32GeU, ...op.brIf(1)],
    ...[...op.get(SRC), ...op.get(I), ...op.i32(1), ...op.i32Shl, ...op.i32Add, ...op.v128Load],
    ...[...op.get(SHIFT), ...op.i16x8Shl, ...op.get(SHIFT), ...shr, ...op.set(SAMPLES)],
    ...widen(extendLow, LOW),
    ...widen(extendHigh, HIGH),
    ...store,
    ...[...op.get(I), ...op.i32(8), ...op.i32Add, ...op.set(I), ...op.br(0)],
    ...op.end,
    ...op.end,
    ...[...op.i32(0), ...op.get(MIN), ...op.v128Store(0)],
    ...[...op.i32(0), ...op.get(MAX), ...op.v128Store(16)],
    ...op.end,
  ];
  const locals = vector([
    [1, I32],
    [6, V128],
  ]);
  const code = [...locals, ...body];
  return [...leb(code.length), ...code];
}

const EXPORTS = ['float32Signed', 'float32Unsigned', 'int16Signed', 'int16Unsigned'] as const;

function moduleBytes(): Uint8Array<ArrayBuffer> {
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector([[0x60, 5, I32, I32, I32, I32, I32, 0]])), // one type: (i32 × 5) → ()
    ...section(3, vector(EXPORTS.map(() => [0]))), // four functions of that type
    ...section(5, vector([[0x00, 1]])), // one memory, at least 1 page, grown from JS
    ...section(
      7,
      vector([
        ...EXPORTS.map((exported, index) => [...name(exported), 0x00, index]),
        [...name('memory'), 0x02, 0],
      ]),
    ),
    ...section(
      10,
      vector([
        kernel(true, 'float32'),
        kernel(false, 'float32'),
        kernel(true, 'int16'),
        kernel(false, 'int16'),
      ]),
    ),
  ]);
}

type KernelFunction = (src: number, dst: number, count: number, shift: number, intercept: number) => void;
type Kernels = Record<(typeof EXPORTS)[number], KernelFunction> & { memory: WebAssembly.Memory };

let instance: Kernels | null | undefined;

function load(): Kernels | null {
  if (instance !== undefined) return instance;
  try {
    const bytes = moduleBytes();
    instance = WebAssembly.validate(bytes)
      ? (new WebAssembly.Instance(new WebAssembly.Module(bytes)).exports as unknown as Kernels)
      : null;
  } catch {
    instance = null; // no WebAssembly SIMD here: the scalar loop does the work
  }
  return instance;
}

/** Where the samples go in the kernels' memory: after 32 bytes for the min/max, padded to whole 8-sample steps. */
const SRC_AT = 32;

/**
 * Copies `count` 16-bit samples into the kernels' memory (grown to fit `outputBytes` more after them) and pads
 * the last step with copies of the first sample, so the padding neither changes the min/max nor reads garbage.
 * Returns where the output goes, or undefined when the kernels are unavailable or the frame too large.
 */
function stage(
  bytes: Uint8Array,
  count: number,
  outputBytesPerSample: number,
): { kernels: Kernels; dst: number } | undefined {
  if (count < 1 || count > MAX_SAMPLES || bytes.length < count * 2) return undefined;
  const kernels = load();
  if (!kernels) return undefined;
  const padded = Math.ceil(count / 8) * 8;
  const dst = SRC_AT + padded * 2;
  const needed = dst + padded * outputBytesPerSample;
  const { memory } = kernels;
  if (memory.buffer.byteLength < needed) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / 65536));
  const heap = new Uint8Array(memory.buffer);
  heap.set(bytes.subarray(0, count * 2), SRC_AT);
  for (let n = count; n < padded; n++) heap.copyWithin(SRC_AT + n * 2, SRC_AT, SRC_AT + 2);
  return { kernels, dst };
}

function exactInFloat32(slope: number, intercept: number): boolean {
  return slope === 1 && Number.isInteger(intercept) && Math.abs(intercept) <= 2 ** 23;
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
  if (!exactInFloat32(slope, intercept) || bitsStored < 1 || bitsStored > 16) return undefined;
  const staged = stage(bytes, count, 4);
  if (!staged) return undefined;
  const { kernels, dst } = staged;
  (signed ? kernels.float32Signed : kernels.float32Unsigned)(SRC_AT, dst, count, 16 - bitsStored, intercept);
  return new Float32Array(kernels.memory.buffer, dst, count).slice();
}

/**
 * The same values as int16 — what the viewer is sent — when every one is a whole number in int16's range;
 * undefined otherwise (a slope other than 1, a fractional intercept, or a value outside −32768…32767), and the
 * caller falls back to float32.
 */
export function wordsToInt16(
  bytes: Uint8Array,
  count: number,
  bitsStored: number,
  signed: boolean,
  slope: number,
  intercept: number,
): Int16Array | undefined {
  if (!exactInFloat32(slope, intercept) || bitsStored < 1 || bitsStored > 16) return undefined;
  const staged = stage(bytes, count, 2);
  if (!staged) return undefined;
  const { kernels, dst } = staged;
  (signed ? kernels.int16Signed : kernels.int16Unsigned)(SRC_AT, dst, count, 16 - bitsStored, intercept);
  // The kernel leaves 4 lanes of minima at 0 and 4 of maxima at 16; folded here.
  const lanes = new Int32Array(kernels.memory.buffer, 0, 8);
  const low = Math.min(lanes[0], lanes[1], lanes[2], lanes[3]);
  const high = Math.max(lanes[4], lanes[5], lanes[6], lanes[7]);
  if (low < -32768 || high > 32767) return undefined;
  return new Int16Array(kernels.memory.buffer, dst, count).slice();
}
