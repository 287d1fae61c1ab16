// Owns painting a finding's mask on a reformatted plane: the plane through image row `index` (coronal, for an
// axial stack) or through image column `index` (sagittal), over consecutive slices. The reader's brush or eraser stroke on
// the plane arrives as that plane's lines (one per slice, the line as the reader left it); each slice's line
// replaces the same line of the reader's mask there (their final slice, else the proposal's), and the slices
// whose line changed are stored as one action, undone as one step. Slices outside the finding's range can be
// painted: that extends it, as the brush does on the stack.
import type { DecisionRecord } from './dataset-types.ts';
import { maskSliceRuns } from './finding-records.ts';
import { decodeMaskSlice, encodeMaskSlice } from './mask-codec.ts';
import { liveFinding, recordMaskSlices, requireReader } from './review-actions.ts';
import { requireSeries } from './series-records.ts';
import { DatasetError, type StoreContext } from './store-context.ts';

export interface PlaneEdit {
  /** 'row': the coronal plane through image row `index`; 'column': the sagittal plane through column `index`. */
  axis: 'row' | 'column';
  index: number;
  /** The first slice (0-based) the lines cover; they cover consecutive slices from there. */
  firstSlice: number;
  /** 0/1 bytes, one line per slice: (slices) × columns for 'row', (slices) × rows for 'column'. */
  lines: Uint8Array;
}

export interface PlaneOutcome {
  /** The reader's decision after the edit; null when no line changed (nothing was stored). */
  decision: DecisionRecord | null;
  /** Slices whose mask changed (0-based), ascending. */
  changed: number[];
}

export function paintPlane(
  ctx: StoreContext,
  findingId: number,
  reader: string,
  edit: PlaneEdit,
): PlaneOutcome {
  return ctx.write(() => {
    requireReader(ctx, reader);
    const grid = liveFinding(ctx, findingId);
    const series = requireSeries(ctx, grid.seriesUid);
    const { image_rows: rows, image_columns: columns } = series;
    const width = edit.axis === 'row' ? columns : rows;
    const across = edit.axis === 'row' ? rows : columns;
    const what = edit.axis === 'row' ? 'image row' : 'image column';
    if (!Number.isInteger(edit.index) || edit.index < 0 || edit.index >= across) {
      throw new DatasetError(
        `${what} ${edit.index} is outside series ${grid.seriesUid} (0–${across - 1})`,
        'invalid',
      );
    }
    const count = edit.lines.length / width;
    if (!Number.isInteger(count) || count < 1) {
      throw new DatasetError(
        `the plane's lines have ${edit.lines.length} bytes; each slice's line of series ${grid.seriesUid} is ${width} bytes`,
        'invalid',
      );
    }
    const last = edit.firstSlice + count - 1;
    if (!Number.isInteger(edit.firstSlice) || edit.firstSlice < 0 || last >= grid.slices) {
      throw new DatasetError(
        `slices ${edit.firstSlice + 1}–${last + 1} are outside series ${grid.seriesUid} (1–${grid.slices})`,
        'invalid',
      );
    }
    const slices: { k: number; runs: Uint8Array }[] = [];
    for (let s = 0; s < count; s++) {
      const k = edit.firstSlice + s;
      const runs = maskSliceRuns(ctx, findingId, k, 'final', reader);
      const mask = runs ? decodeMaskSlice(runs, grid.plane) : new Uint8Array(grid.plane);
      let changed = false;
      for (let i = 0; i < width; i++) {
        const value = edit.lines[s * width + i]!;
        if (value > 1)
          throw new DatasetError(`a plane mask byte is ${value}; mask bytes are 0 or 1`, 'invalid');
        const at = edit.axis === 'row' ? edit.index * columns + i : i * columns + edit.index;
        if (mask[at] !== value) {
          mask[at] = value;
          changed = true;
        }
      }
      if (changed) slices.push({ k, runs: encodeMaskSlice(mask) });
    }
    if (slices.length === 0) return { decision: null, changed: [] };
    const decision = recordMaskSlices(ctx, {
      findingId,
      seriesUid: grid.seriesUid,
      reader,
      plane: grid.plane,
      slices,
      description: `paint ${slices.length} slice${slices.length === 1 ? '' : 's'} of finding ${findingId} along ${what} ${edit.index + 1}`,
      audit: 'paint-plane',
      where: { slices: slices.map(({ k }) => k), axis: edit.axis, index: edit.index },
    });
    return { decision, changed: slices.map(({ k }) => k) };
  });
}
