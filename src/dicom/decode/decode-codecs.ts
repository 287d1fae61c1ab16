// Owns the compressed transfer syntaxes: which decoder handles which syntax, loading each WASM codec once and
// only when first needed, and returning the decoded samples as little-endian bytes of a known width.
import { Decoder as JpegLosslessDecoder } from '@cornerstonejs/jpeg-lossless-decoder-js';
import { assertCodestreamSize } from './codestream-size.ts';
import { decodeRle } from './rle-decode.ts';
import type { PixelModule } from './pixel-module.ts';

export const COMPRESSED_SYNTAX: Record<string, string> = {
  '1.2.840.10008.1.2.5': 'RLE Lossless',
  '1.2.840.10008.1.2.4.50': 'JPEG Baseline (Process 1)',
  '1.2.840.10008.1.2.4.51': 'JPEG Extended (Process 2 & 4)',
  '1.2.840.10008.1.2.4.57': 'JPEG Lossless (Process 14)',
  '1.2.840.10008.1.2.4.70': 'JPEG Lossless SV1 (Process 14, selection value 1)',
  '1.2.840.10008.1.2.4.80': 'JPEG-LS Lossless',
  '1.2.840.10008.1.2.4.81': 'JPEG-LS Near-Lossless',
  '1.2.840.10008.1.2.4.90': 'JPEG 2000 Lossless',
  '1.2.840.10008.1.2.4.91': 'JPEG 2000',
  '1.2.840.10008.1.2.4.201': 'HTJ2K Lossless',
  '1.2.840.10008.1.2.4.202': 'HTJ2K Lossless RPCL',
  '1.2.840.10008.1.2.4.203': 'HTJ2K',
};

export interface CodecOutput {
  bytes: Uint8Array;
  /** Bits per sample in `bytes` (8 or 16). */
  bits: number;
  /** Samples are colour-by-plane (RLE) rather than interleaved. */
  planar: boolean;
  /** The codec already converted YCbCr to RGB (lossy JPEG, JPEG 2000 with a colour transform). */
  rgb: boolean;
}

type Kind = 'JPEGDecoder' | 'JpegLSDecoder' | 'J2KDecoder' | 'HTJ2KDecoder';
const loaders: Record<Kind, () => Promise<CornerstoneCodecModule>> = {
  JPEGDecoder: async () => (await import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs')).default(),
  JpegLSDecoder: async () => (await import('@cornerstonejs/codec-charls/decodewasmjs')).default(),
  J2KDecoder: async () => (await import('@cornerstonejs/codec-openjpeg/decodewasmjs')).default(),
  HTJ2KDecoder: async () => (await import('@cornerstonejs/codec-openjph/wasmjs')).default(),
};
const loaded = new Map<Kind, Promise<CornerstoneCodecModule>>();

function codec(kind: Kind): Promise<CornerstoneCodecModule> {
  let module = loaded.get(kind);
  if (!module) {
    module = loaders[kind]();
    loaded.set(kind, module);
  }
  return module;
}

async function wasmDecode(kind: Kind, encoded: Uint8Array): Promise<{ bytes: Uint8Array; bits: number }> {
  const module = await codec(kind);
  const decoder = new module[kind]();
  try {
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    decoder.decode();
    const info = decoder.getFrameInfo();
    // The decoded buffer is a view into WASM memory: copy it out before the decoder is freed.
    return { bytes: decoder.getDecodedBuffer().slice(), bits: info.bitsPerSample > 8 ? 16 : 8 };
  } finally {
    decoder.delete?.();
  }
}

/** Decodes one compressed frame. Throws plain Errors (the caller adds the file path). */
export async function decodeCompressed(
  syntax: string,
  encoded: Uint8Array,
  module: PixelModule,
): Promise<CodecOutput> {
  const pixels = module.rows * module.columns;
  const colour = module.samplesPerPixel === 3;
  if (syntax !== '1.2.840.10008.1.2.5' && !endsWithEndMarker(encoded))
    throw new Error('the compressed stream has no end marker (FFD9) — the fragment is truncated or corrupt');
  if (syntax !== '1.2.840.10008.1.2.5') assertCodestreamSize(syntax, encoded, module.rows, module.columns);
  switch (syntax) {
    case '1.2.840.10008.1.2.5': {
      const bytesPerSample = module.bitsAllocated / 8;
      if (!Number.isInteger(bytesPerSample)) throw new Error('RLE with Bits Allocated 1 is not supported');
      const bytes = decodeRle(encoded, pixels, module.samplesPerPixel, bytesPerSample);
      return { bytes, bits: module.bitsAllocated, planar: colour, rgb: false };
    }
    case '1.2.840.10008.1.2.4.51':
      // Process 2 (8-bit) streams decode with libjpeg-turbo; 12-bit process 4 has no Node decoder (see unsupportedReason).
      if (module.bitsStored > 8) throw new Error(unsupportedReason(syntax));
      return { ...(await wasmDecode('JPEGDecoder', encoded)), planar: false, rgb: colour };
    case '1.2.840.10008.1.2.4.50':
      return { ...(await wasmDecode('JPEGDecoder', encoded)), planar: false, rgb: colour };
    case '1.2.840.10008.1.2.4.57':
    case '1.2.840.10008.1.2.4.70': {
      const copy = new Uint8Array(encoded); // its own ArrayBuffer: fragments are views into the file (Buffer.slice shares)
      const decoded = new JpegLosslessDecoder().decode(copy.buffer, 0, copy.length);
      const bits = decoded instanceof Uint8Array ? 8 : 16;
      return {
        bytes: new Uint8Array(decoded.buffer, decoded.byteOffset, decoded.byteLength),
        bits,
        planar: false,
        rgb: false,
      };
    }
    case '1.2.840.10008.1.2.4.80':
    case '1.2.840.10008.1.2.4.81':
      return { ...(await wasmDecode('JpegLSDecoder', encoded)), planar: false, rgb: false };
    case '1.2.840.10008.1.2.4.90':
    case '1.2.840.10008.1.2.4.91':
      return {
        ...(await wasmDecode('J2KDecoder', encoded)),
        planar: false,
        rgb: colour && module.photometric.startsWith('YBR_'),
      };
    case '1.2.840.10008.1.2.4.201':
    case '1.2.840.10008.1.2.4.202':
    case '1.2.840.10008.1.2.4.203':
      return {
        ...(await wasmDecode('HTJ2KDecoder', encoded)),
        planar: false,
        rgb: colour && module.photometric.startsWith('YBR_'),
      };
    default:
      throw new Error(unsupportedReason(syntax));
  }
}

/**
 * JPEG, JPEG-LS and JPEG 2000 streams all end with FF D9 (EOI / EOC). Some decoders (JPEG lossless) turn a cut
 * stream into plausible-looking garbage, so a missing end marker is refused up front. A few bytes of padding after
 * it are allowed, as some writers leave them.
 */
function endsWithEndMarker(encoded: Uint8Array): boolean {
  for (let i = encoded.length - 2; i >= Math.max(0, encoded.length - 16); i--)
    if (encoded[i] === 0xff && encoded[i + 1] === 0xd9) return true;
  return false;
}

export function unsupportedReason(syntax: string): string {
  if (syntax === '1.2.840.10008.1.2.4.51')
    return `transfer syntax ${syntax} (JPEG Extended 12-bit) cannot be decoded by Overread yet — convert it with \`dcmdjpeg in.dcm out.dcm\` first`;
  const name = COMPRESSED_SYNTAX[syntax];
  return `transfer syntax ${syntax}${name ? ` (${name})` : ''} is not supported — convert the file to an uncompressed syntax (e.g. \`gdcmconv --raw\`) and try again`;
}
