// Owns decoding one frame of a DICOM object to modality values: finds the frame's bytes (native or encapsulated),
// hands compressed frames to the codec for their transfer syntax, and applies sample layout, colour conversion
// and rescale. Every failure is a DicomError naming the file.
import dicomParser from 'dicom-parser';
import { DicomError } from '../dicom-error.ts';
import { parseDicom, TS, type ParsedDicom } from '../parse/parse-dicom.ts';
import { readPixelModule, type PixelModule } from './pixel-module.ts';
import { storedValues, type RawSamples } from './stored-values.ts';
import { wordsToInt16 } from './simd-samples.ts';
import { expand422, paletteToRgb, planarToInterleaved, ybrFullToRgb } from './colour.ts';
import { COMPRESSED_SYNTAX, decodeCompressed, unsupportedReason } from './decode-codecs.ts';
import { parserErrorText } from '../parser-error-text.ts';

export interface DecodedFrame {
  rows: number;
  columns: number;
  samplesPerPixel: 1 | 3;
  /** Modality values (rescale applied) for grey images; RGB interleaved for colour. */
  data: Float32Array;
  /** MONOCHROME1 means the viewer inverts for display; the values themselves are never inverted. */
  photometric: 'MONOCHROME1' | 'MONOCHROME2' | 'RGB';
  windowCenter?: number;
  windowWidth?: number;
}

/**
 * A frame as the viewer is sent it: the same modality values, as int16 where every one is a whole number in
 * int16's range (nearly every CT and MR slice), else float32. Decoding straight to int16 skips both the float32
 * pass and the float32 → int16 pass the API would otherwise make on its main thread per request.
 */
export type WireFrame = Omit<DecodedFrame, 'data'> & { data: Float32Array | Int16Array };

const NATIVE = new Set<string>([
  TS.implicitLittle,
  TS.explicitLittle,
  TS.deflatedExplicitLittle,
  TS.explicitBig,
]);

export async function decodeFrame(
  path: string,
  input: Uint8Array | ParsedDicom,
  frameIndex = 0,
): Promise<DecodedFrame> {
  // Without `int16` every path returns float32 data.
  return (await decodeGuarded(path, input, frameIndex, false)) as DecodedFrame;
}

/** decodeFrame, with grey 16-bit frames whose values all fit int16 given as int16 (see WireFrame). */
export function decodeWireFrame(
  path: string,
  input: Uint8Array | ParsedDicom,
  frameIndex = 0,
): Promise<WireFrame> {
  return decodeGuarded(path, input, frameIndex, true);
}

async function decodeGuarded(
  path: string,
  input: Uint8Array | ParsedDicom,
  frameIndex: number,
  int16: boolean,
): Promise<WireFrame> {
  try {
    return await decodeParsedFrame(path, input, frameIndex, int16);
  } catch (error) {
    if (error instanceof DicomError) throw error;
    // dicom-parser's accessors throw bare strings for an element whose length runs past the file (the fuzzer
    // found Rescale Intercept claiming 8 MB in a 10 KB file); that is one broken file, not a decoder failure.
    throw new DicomError(path, `the header is corrupt (${parserErrorText(error)})`);
  }
}

async function decodeParsedFrame(
  path: string,
  input: Uint8Array | ParsedDicom,
  frameIndex: number,
  int16: boolean,
): Promise<WireFrame> {
  const parsed = input instanceof Uint8Array ? parseDicom(path, input) : input;
  const { dataSet, transferSyntaxUid: syntax } = parsed;
  const module = readPixelModule(path, dataSet);
  if (!Number.isInteger(frameIndex) || frameIndex < 0 || frameIndex >= module.numberOfFrames)
    throw new DicomError(path, `frame ${frameIndex} does not exist (the file has ${module.numberOfFrames})`);
  const element = dataSet.elements.x7fe00010;
  if (!element) throw new DicomError(path, 'no Pixel Data (7FE0,0010) — the file holds no image');

  const pixels = module.rows * module.columns;
  const samples = pixels * module.samplesPerPixel;
  const packed422 = module.photometric === 'YBR_FULL_422';
  // Grey images get their rescale while the samples are read (one pass); colour and palette indices never do.
  const rescale =
    module.samplesPerPixel === 1 && module.photometric !== 'PALETTE COLOR'
      ? { slope: module.slope, intercept: module.intercept }
      : undefined;
  // The int16 form for the viewer: grey 16-bit samples whose rescaled values all fit (undefined otherwise).
  const asInt16 = (raw: RawSamples, count: number) =>
    int16 && rescale && raw.bits === 16 && !raw.bigEndian
      ? wordsToInt16(raw.bytes, count, module.bitsStored, module.signed, rescale.slope, rescale.intercept)
      : undefined;
  let values: Float32Array | Int16Array;
  let planar = module.planarConfiguration === 1;
  let alreadyRgb = false;
  if (NATIVE.has(syntax)) {
    if (element.encapsulatedPixelData)
      throw new DicomError(path, 'native transfer syntax but encapsulated Pixel Data');
    // YBR_FULL_422 native data holds 2 samples per pixel (Y Y Cb Cr per pair), PS3.3 C.7.6.3.1.2.
    const frameSamples = packed422 ? pixels * 2 : samples;
    const raw = nativeFrame(path, parsed, element, module, frameIndex, frameSamples);
    values = asInt16(raw, frameSamples) ?? storedValues(raw, frameSamples, module, rescale);
    if (packed422 && values instanceof Float32Array) {
      values = expand422(values, module.rows, module.columns);
      planar = false;
    }
  } else if (COMPRESSED_SYNTAX[syntax] || syntax === '1.2.840.10008.1.2.4.51') {
    const encoded = encapsulatedFrame(path, dataSet, element, module, frameIndex);
    let output;
    try {
      output = await decodeCompressed(syntax, encoded, module);
    } catch (error) {
      // WASM codecs throw a bare number (CharLS: a C++ exception pointer, meaningless to a person) or a string.
      const reason =
        error instanceof Error
          ? error.message
          : typeof error === 'number'
            ? 'the codec rejected the compressed data as corrupt'
            : `the codec failed (${String(error)})`;
      throw new DicomError(path, `frame ${frameIndex}: ${reason}`);
    }
    const width = output.bits / 8;
    if (output.bytes.length !== samples * width)
      throw new DicomError(
        path,
        `frame ${frameIndex} decodes to ${output.bytes.length} bytes, the header's ${module.rows} × ${module.columns} × ${module.samplesPerPixel} needs ${samples * width} — the file is inconsistent`,
      );
    const raw = { bytes: output.bytes, bits: output.bits, bigEndian: false };
    values = asInt16(raw, samples) ?? storedValues(raw, samples, module, rescale);
    planar = output.planar;
    alreadyRgb = output.rgb;
  } else {
    throw new DicomError(path, unsupportedReason(syntax));
  }

  const frame = <Data extends Float32Array | Int16Array>(
    data: Data,
    photometric: DecodedFrame['photometric'],
  ) => ({
    rows: module.rows,
    columns: module.columns,
    samplesPerPixel: photometric === 'RGB' ? (3 as const) : (1 as const),
    data,
    photometric,
    ...(module.windowCenter !== undefined
      ? { windowCenter: module.windowCenter, windowWidth: module.windowWidth }
      : {}),
  });
  const grey = module.photometric === 'MONOCHROME1' ? 'MONOCHROME1' : 'MONOCHROME2';
  if (values instanceof Int16Array) return frame(values, grey);
  let photometric: DecodedFrame['photometric'];
  if (module.samplesPerPixel === 3) {
    if (planar) values = planarToInterleaved(values, pixels);
    const isYbr = module.photometric === 'YBR_FULL' || packed422;
    if (isYbr && !alreadyRgb) ybrFullToRgb(values, 2 ** module.bitsStored - 1);
    photometric = 'RGB';
  } else if (module.photometric === 'PALETTE COLOR') {
    values = paletteToRgb(path, dataSet, values);
    photometric = 'RGB';
  } else {
    photometric = grey;
  }
  return frame(values, photometric);
}

function nativeFrame(
  path: string,
  parsed: ParsedDicom,
  element: dicomParser.Element,
  module: PixelModule,
  frameIndex: number,
  frameSamples: number,
): RawSamples {
  const bits = module.bitsAllocated;
  const bigEndian = parsed.transferSyntaxUid === TS.explicitBig;
  const available = Math.min(element.length, parsed.bytes.length - element.dataOffset);
  const needed =
    bits === 1
      ? Math.ceil((module.numberOfFrames * frameSamples) / 8)
      : module.numberOfFrames * frameSamples * (bits / 8);
  if (available < needed)
    throw new DicomError(
      path,
      `truncated pixel data: the header claims ${module.numberOfFrames} frame(s) of ${module.rows} × ${module.columns} × ${module.samplesPerPixel} × ${bits} bits (${needed} bytes), the file holds ${Math.max(0, available)} — re-export or re-copy the file`,
    );
  if (bits === 1)
    return {
      bytes: parsed.bytes.subarray(element.dataOffset),
      bits,
      bitOffset: frameIndex * frameSamples,
      bigEndian,
    };
  const frameBytes = frameSamples * (bits / 8);
  const start = element.dataOffset + frameIndex * frameBytes;
  const bytes = parsed.bytes.subarray(start, start + frameBytes);
  // Big endian OW holds 16-bit words: 8- and 32-bit samples in it come back little endian once each word is swapped
  // (dcmtk writes 32-bit samples low word first).
  if (bigEndian && bits !== 16 && element.vr === 'OW')
    return { bytes: swapPairs(bytes), bits, bigEndian: false };
  return { bytes, bits, bigEndian };
}

function swapPairs(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    out[i] = bytes[i + 1];
    out[i + 1] = bytes[i];
  }
  return out;
}

function encapsulatedFrame(
  path: string,
  dataSet: dicomParser.DataSet,
  element: dicomParser.Element,
  module: PixelModule,
  frameIndex: number,
): Uint8Array {
  const fragments = element.fragments;
  if (!element.encapsulatedPixelData || !fragments || fragments.length === 0)
    throw new DicomError(path, 'compressed transfer syntax but the Pixel Data holds no fragments');
  try {
    if (module.numberOfFrames === 1)
      return dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, 0, fragments.length);
    const offsets = element.basicOffsetTable ?? [];
    if (offsets.length > 0) {
      if (offsets.length !== module.numberOfFrames)
        throw new Error(
          `basic offset table lists ${offsets.length} frames, the header ${module.numberOfFrames}`,
        );
      return dicomParser.readEncapsulatedImageFrame(dataSet, element, frameIndex);
    }
    if (fragments.length === module.numberOfFrames)
      return dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, frameIndex, 1);
    throw new Error(
      `${fragments.length} fragments for ${module.numberOfFrames} frames and no basic offset table — cannot tell frames apart`,
    );
  } catch (error) {
    if (error instanceof DicomError) throw error;
    throw new DicomError(path, `broken encapsulated pixel data: ${parserErrorText(error)}`);
  }
}
