// RGBA pixels of the overlay layers drawn above the image: a finding's mask as a translucent fill with a
// solid outline in its review state's colour, and the model's probability as a heat map. Pure functions
// over typed arrays so the colours the tests look for in screenshots are defined in one place.
import { onMaskEdge } from '../src/shared/mask-edge.ts';
import type { FindingState } from './finding-state.ts';

export type Rgb = [number, number, number];

export const STATE_COLOURS: Record<FindingState, Rgb> = {
  pending: [255, 170, 0], // amber: awaiting a decision
  confirmed: [40, 220, 90], // green
  rejected: [150, 150, 150], // grey, outline dashed
};

/** Colour of another reader's outlines while comparing second reads (dashed, no fill). */
export const COMPARE_COLOUR: Rgb = [235, 80, 235];

/** Colour of the mask being painted for a new (added) finding before it is saved. */
export const DRAFT_COLOUR: Rgb = [80, 170, 255];

export interface MaskStyle {
  colour: Rgb;
  /** 0…255 alpha of the inside. */
  fillAlpha: number;
  /** 0…255 alpha of the outline. */
  outlineAlpha: number;
  dashed: boolean;
}

/** Another reader's outline while comparing second reads: dashed, no fill (slice and planes alike). */
export const COMPARE_STYLE: MaskStyle = {
  colour: COMPARE_COLOUR,
  fillAlpha: 0,
  outlineAlpha: 255,
  dashed: true,
};

export function maskStyle(state: FindingState, selected: boolean): MaskStyle {
  return {
    colour: STATE_COLOURS[state],
    fillAlpha: selected ? 110 : state === 'rejected' ? 40 : 70,
    outlineAlpha: selected ? 255 : 210,
    dashed: state === 'rejected',
  };
}

/**
 * RGBA for a rows × columns mask: set pixels that touch an unset 4-neighbour (or the edge) are the outline,
 * the rest the fill. Dashed outlines skip pixels in a diagonal pattern (on 3, off 3).
 */
export function maskToRgba(
  mask: Uint8Array,
  rows: number,
  columns: number,
  style: MaskStyle,
): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(rows * columns * 4);
  const [r, g, b] = style.colour;
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      const index = row * columns + column;
      if (!mask[index]) continue;
      const edge = onMaskEdge(mask, rows, columns, row, column);
      let alpha = style.fillAlpha;
      if (edge) alpha = style.dashed && (row + column) % 6 >= 3 ? style.fillAlpha : style.outlineAlpha;
      rgba[index * 4] = r;
      rgba[index * 4 + 1] = g;
      rgba[index * 4 + 2] = b;
      rgba[index * 4 + 3] = alpha;
    }
  }
  return rgba;
}

/**
 * Heat map of probability × 255: transparent below `floor` (so the anatomy stays readable), then
 * blue → red with rising opacity.
 */
export function probabilityToRgba(probability: Uint8Array, floor = 13): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(probability.length * 4);
  for (let i = 0; i < probability.length; i++) {
    const p = probability[i]!;
    if (p < floor) continue;
    const t = p / 255;
    rgba[i * 4] = Math.round(255 * Math.min(1, 2 * t));
    rgba[i * 4 + 1] = Math.round(255 * Math.max(0, 1 - Math.abs(2 * t - 1)));
    rgba[i * 4 + 2] = Math.round(255 * Math.max(0, 1 - 2 * t));
    rgba[i * 4 + 3] = Math.round(60 + 140 * t);
  }
  return rgba;
}

/** Colour of the outline of what a different threshold would flag (the slider's live preview). */
export const WHAT_IF_COLOUR: Rgb = [0, 220, 255];

/** Pixels whose probability (× 255) reaches `threshold`: where the model would flag at that threshold. */
export function probabilityAtThreshold(probability: Uint8Array, threshold: number): Uint8Array {
  const cut = Math.max(1, Math.ceil(threshold * 255 - 1e-9));
  const mask = new Uint8Array(probability.length);
  for (let i = 0; i < probability.length; i++) mask[i] = probability[i]! >= cut ? 1 : 0;
  return mask;
}

/** Separate 8-connected regions of a mask on one slice (the preview's "regions on this slice"). */
export function countRegions(mask: Uint8Array, rows: number, columns: number): number {
  const seen = new Uint8Array(mask.length);
  const stack: number[] = [];
  let regions = 0;
  for (let start = 0; start < mask.length; start++) {
    if (!mask[start] || seen[start]) continue;
    regions++;
    seen[start] = 1;
    stack.push(start);
    while (stack.length) {
      const index = stack.pop()!;
      const row = Math.floor(index / columns);
      const column = index - row * columns;
      for (let dr = -1; dr <= 1; dr++) {
        for (let dc = -1; dc <= 1; dc++) {
          const r = row + dr;
          const c = column + dc;
          if (r < 0 || c < 0 || r >= rows || c >= columns) continue;
          const next = r * columns + c;
          if (mask[next] && !seen[next]) {
            seen[next] = 1;
            stack.push(next);
          }
        }
      }
    }
  }
  return regions;
}
