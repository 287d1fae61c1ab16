// Owns what the fuzzer's mutators share: their signature, the inputs they get, and the constants and helpers
// both the byte-level and the structure-aware mutators use.
import { tagOf, type Layout } from './dicom-elements.ts';
import type { Random } from './random.ts';

export interface MutationInput {
  bytes: Uint8Array;
  rng: Random;
  /** Other seed files, for splicing. */
  donors: readonly Uint8Array[];
}

export interface Mutated {
  bytes: Uint8Array;
  /** Names of the mutations applied, in order. */
  steps: string[];
  /** The result is a zip file (index only). */
  zip: boolean;
}

export type Mutator = (input: MutationInput, layout: Layout | undefined) => Uint8Array | undefined;
export const DEFLATED = '1.2.840.10008.1.2.1.99';
export const PIXEL_DATA = 0x7fe00010;
export const SYNTAXES = [
  '1.2.840.10008.1.2',
  '1.2.840.10008.1.2.1',
  '1.2.840.10008.1.2.1.99',
  '1.2.840.10008.1.2.2',
  '1.2.840.10008.1.2.4.50',
  '1.2.840.10008.1.2.4.51',
  '1.2.840.10008.1.2.4.57',
  '1.2.840.10008.1.2.4.70',
  '1.2.840.10008.1.2.4.80',
  '1.2.840.10008.1.2.4.81',
  '1.2.840.10008.1.2.4.90',
  '1.2.840.10008.1.2.4.91',
  '1.2.840.10008.1.2.4.201',
  '1.2.840.10008.1.2.5',
  '1.2.840.10008.1.2.4.100',
  '9.9.9',
];
export const VRS =
  'AE AS AT CS DA DS DT FL FD IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(
    ' ',
  );
export const HUGE32 = [0xffffffff, 0xfffffffe, 0x7fffffff, 0x80000000, 0x7ffffffe, 0x10000000, 0xfffffff0];

export const pixelOf = (layout: Layout | undefined) => layout?.elements.find((e) => tagOf(e) === PIXEL_DATA);

/** An offset biased towards the header (70 %), where parsers make their decisions. */
export function offsetIn(input: MutationInput, layout: Layout | undefined): number {
  const pixel = pixelOf(layout);
  const headerEnd = pixel ? pixel.valueOffset + 16 : Math.min(input.bytes.length, 2048);
  return input.rng.chance(0.7) ? input.rng.below(headerEnd) : input.rng.below(input.bytes.length);
}
