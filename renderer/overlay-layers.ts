// Which layers the overlay draws on one slice, bottom to top: the probability heat map, the threshold
// preview, each visible finding's mask in its review state's colour (the selected one brighter, and shown
// off its range while it is being painted; under a thick slab, the union of its masks within the slab, as the
// MIP shows the nodule), another reader's outlines while comparing second reads, and the draft of a finding
// being added. Each layer's key names
// exactly what its pixels depend on, so the overlay rebuilds only what changed.
import type { FindingInfo } from '../src/shared/api-types.ts';
import { findingsOnSlice, findingState } from './finding-state.ts';
import {
  COMPARE_STYLE,
  DRAFT_COLOUR,
  maskStyle,
  maskToRgba,
  probabilityAtThreshold,
  probabilityToRgba,
  WHAT_IF_COLOUR,
} from './layer-pixels.ts';
import type { OverlayLayer } from './overlay-canvas.ts';
import type { ComparedMasks } from './other-reader-masks.ts';

export interface OverlayInput {
  k: number;
  rows: number;
  columns: number;
  probability: Uint8Array | undefined;
  showProbability: boolean;
  /** The slider's threshold when it previews another one than the model's, else null. */
  previewThreshold: number | null;
  showFlags: boolean;
  /** Findings the slider lets through. */
  visible: readonly FindingInfo[];
  selected: FindingInfo | null;
  /** True while the brush or eraser is on. */
  painting: boolean;
  draft: { slice: number; mask: Uint8Array } | null;
  /** Bumped whenever masks were fetched again (undo, redo, correction). */
  generation: number;
  /** The slices of the thick slab on screen (first, last), or null for a single slice. */
  slab?: [number, number] | null;
  mask(findingId: number, k: number): Uint8Array | undefined;
  /** Another reader's outlines to compare with (single slices only), or null. */
  comparison?: ComparedMasks | null;
}

export function overlayLayers(input: OverlayInput): OverlayLayer[] {
  const { k, rows, columns, probability } = input;
  const layers: OverlayLayer[] = [];
  if (input.showProbability && probability) {
    layers.push({ key: `prob:${k}`, rows, columns, rgba: () => probabilityToRgba(probability) });
  }
  if (input.previewThreshold !== null && probability) {
    const threshold = input.previewThreshold;
    layers.push({
      key: `what-if:${k}:${threshold}`,
      rows,
      columns,
      rgba: () =>
        maskToRgba(probabilityAtThreshold(probability, threshold), rows, columns, {
          colour: WHAT_IF_COLOUR,
          fillAlpha: 35,
          outlineAlpha: 255,
          dashed: true,
        }),
    });
  }
  const findingLayer = (finding: FindingInfo, selected: boolean) => {
    const mask = input.mask(finding.id, k);
    if (!mask) return;
    const state = findingState(finding);
    layers.push({
      key: `mask:${finding.id}:${k}:${state}:${selected}:${input.generation}`,
      rows,
      columns,
      rgba: () => maskToRgba(mask, rows, columns, maskStyle(state, selected)),
    });
  };
  // Under a slab: each finding's masks on the slab's slices it spans, drawn as one once all are fetched.
  const slabLayer = (finding: FindingInfo, selected: boolean, [first, last]: [number, number]) => {
    const from = Math.max(first, finding.sliceRange[0]);
    const to = Math.min(last, finding.sliceRange[1]);
    const masks: Uint8Array[] = [];
    for (let j = from; j <= to; j++) {
      const mask = input.mask(finding.id, j);
      if (!mask) return;
      masks.push(mask);
    }
    const state = findingState(finding);
    layers.push({
      key: `mask:${finding.id}:${from}-${to}:${state}:${selected}:${input.generation}`,
      rows,
      columns,
      rgba: () => maskToRgba(unionOf(masks), rows, columns, maskStyle(state, selected)),
    });
  };
  if (input.showFlags && input.slab) {
    for (const finding of findingsInSlices(input.visible, input.slab))
      slabLayer(finding, finding.id === input.selected?.id, input.slab);
  } else if (input.showFlags) {
    for (const finding of findingsOnSlice(input.visible, k))
      findingLayer(finding, finding.id === input.selected?.id);
  }
  // The selected finding's mask while painting may lie outside its range; draw it too.
  if (input.selected && input.painting && !findingsOnSlice([input.selected], k).length) {
    findingLayer(input.selected, true);
  }
  // Another reader's outline of each visible finding on this slice: dashed, unfilled, above the reader's own.
  const comparison = input.comparison;
  if (comparison && input.showFlags && !input.slab) {
    for (const finding of findingsOnSlice(input.visible, k)) {
      const mask = comparison.mask(finding.id, k);
      if (!mask) continue;
      layers.push({
        key: `compare:${comparison.reader}:${finding.id}:${k}:${input.generation}`,
        rows,
        columns,
        rgba: () => maskToRgba(mask, rows, columns, COMPARE_STYLE),
      });
    }
  }
  if (input.draft && input.draft.slice === k) {
    const draft = input.draft.mask;
    layers.push({
      key: 'draft', // changes with every stroke: the caller invalidates it before each draw
      rows,
      columns,
      rgba: () =>
        maskToRgba(draft, rows, columns, {
          colour: DRAFT_COLOUR,
          fillAlpha: 110,
          outlineAlpha: 255,
          dashed: false,
        }),
    });
  }
  return layers;
}

/** Findings with a slice in first…last. */
function findingsInSlices(findings: readonly FindingInfo[], [first, last]: [number, number]): FindingInfo[] {
  return findings.filter((f) => f.sliceRange[0] <= last && f.sliceRange[1] >= first);
}

function unionOf(masks: readonly Uint8Array[]): Uint8Array {
  if (masks.length === 1) return masks[0]!;
  const union = new Uint8Array(masks[0]!.length);
  for (const mask of masks) for (let i = 0; i < mask.length; i++) union[i] |= mask[i]!;
  return union;
}
