// Owns reading and validating the Image Pixel module of a dataset: sizes, sample layout, rescale and window.
// Every size a header claims is checked here, before anything is allocated from it.
import type dicomParser from 'dicom-parser';
import { DicomError } from '../dicom-error.ts';

export type Photometric =
  'MONOCHROME1' | 'MONOCHROME2' | 'RGB' | 'YBR_FULL' | 'YBR_FULL_422' | 'PALETTE COLOR';
const SUPPORTED = new Set<string>([
  'MONOCHROME1',
  'MONOCHROME2',
  'RGB',
  'YBR_FULL',
  'YBR_FULL_422',
  'PALETTE COLOR',
]);
// Lossy colour codecs hand back RGB already; these names only say how the stream was encoded.
const CODEC_COLOUR = new Set(['YBR_ICT', 'YBR_RCT', 'YBR_PARTIAL_420']);

/** Largest frame we decode: 2^27 samples (512 MiB as float32). Larger claims are refused, not allocated. */
export const MAX_FRAME_SAMPLES = 2 ** 27;

export interface PixelModule {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  signed: boolean;
  planarConfiguration: 0 | 1;
  photometric: Photometric | 'YBR_ICT' | 'YBR_RCT' | 'YBR_PARTIAL_420';
  numberOfFrames: number;
  slope: number;
  intercept: number;
  windowCenter?: number;
  windowWidth?: number;
}

function firstNumber(dataSet: dicomParser.DataSet, tag: string): number | undefined {
  const text = dataSet.string(tag);
  if (!text) return undefined;
  const value = Number(text.split('\\')[0].trim());
  return Number.isFinite(value) ? value : undefined;
}

export function readPixelModule(path: string, dataSet: dicomParser.DataSet): PixelModule {
  const fail = (reason: string): never => {
    throw new DicomError(path, reason);
  };
  const rows = dataSet.uint16('x00280010') ?? fail('no Rows (0028,0010) — not an image');
  const columns = dataSet.uint16('x00280011') ?? fail('no Columns (0028,0011) — not an image');
  const samplesPerPixel = dataSet.uint16('x00280002') ?? 1;
  const bitsAllocated = dataSet.uint16('x00280100') ?? fail('no Bits Allocated (0028,0100)');
  const bitsStored = dataSet.uint16('x00280101') ?? bitsAllocated;
  const highBit = dataSet.uint16('x00280102') ?? bitsStored - 1;
  const photometricText = (
    dataSet.string('x00280004') ?? (samplesPerPixel === 3 ? 'RGB' : 'MONOCHROME2')
  ).trim();
  const framesText = dataSet.string('x00280008');
  const numberOfFrames = framesText ? Math.trunc(Number(framesText)) : 1;

  if (rows === 0 || columns === 0) fail(`empty image (${rows} × ${columns})`);
  if (![1, 8, 16, 32].includes(bitsAllocated))
    fail(`Bits Allocated ${bitsAllocated} is not supported (1, 8, 16, 32)`);
  if (bitsStored < 1 || bitsStored > bitsAllocated || highBit !== bitsStored - 1)
    fail(`Bits Stored ${bitsStored} / High Bit ${highBit} do not fit Bits Allocated ${bitsAllocated}`);
  if (samplesPerPixel !== 1 && samplesPerPixel !== 3)
    fail(`Samples per Pixel ${samplesPerPixel} is not supported`);
  if (!Number.isInteger(numberOfFrames) || numberOfFrames < 1 || numberOfFrames > 2 ** 24)
    fail(`Number of Frames "${framesText}" is not a usable count`);
  if (!SUPPORTED.has(photometricText) && !CODEC_COLOUR.has(photometricText))
    fail(`Photometric Interpretation ${photometricText} is not supported`);
  // A colour interpretation with one sample (or grey with three) would decode to a frame of the wrong length.
  const colour = photometricText !== 'PALETTE COLOR' && !photometricText.startsWith('MONOCHROME');
  if (colour !== (samplesPerPixel === 3))
    fail(`Photometric Interpretation ${photometricText} does not fit Samples per Pixel ${samplesPerPixel}`);
  if (rows * columns * samplesPerPixel > MAX_FRAME_SAMPLES)
    fail(`frame of ${rows} × ${columns} × ${samplesPerPixel} samples is larger than Overread decodes`);

  const center = firstNumber(dataSet, 'x00281050');
  const width = firstNumber(dataSet, 'x00281051');
  return {
    rows,
    columns,
    samplesPerPixel,
    bitsAllocated,
    bitsStored,
    highBit,
    signed: dataSet.uint16('x00280103') === 1,
    planarConfiguration: dataSet.uint16('x00280006') === 1 ? 1 : 0,
    photometric: photometricText as PixelModule['photometric'],
    numberOfFrames,
    slope: firstNumber(dataSet, 'x00281053') ?? 1,
    intercept: firstNumber(dataSet, 'x00281052') ?? 0,
    ...(center !== undefined && width !== undefined && width > 0
      ? { windowCenter: center, windowWidth: width }
      : {}),
  };
}
