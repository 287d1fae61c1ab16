// Owns "fill between slices": the reader paints a finding on a few slices (its first and last, and any in
// between where its shape changes) and the empty slices between painted ones are filled by shape-based
// interpolation (shape-interpolation.ts). One action: the filled slices, the decision and the audit entry in
// one transaction, undone and redone as one step.
import type { VolumeGeometry } from '../dicom/volume.ts';
import type { DecisionRecord } from './dataset-types.ts';
import { maskRowsBySlice } from './finding-records.ts';
import { encodeMaskSlice, decodeMaskSlice, maskSliceCount } from './mask-codec.ts';
import { liveFinding, recordMaskSlices, requireReader } from './review-actions.ts';
import { requireSeries } from './series-records.ts';
import { interpolateMask, signedDistance } from './shape-interpolation.ts';
import { DatasetError, type StoreContext } from './store-context.ts';

export interface FillOutcome {
  decision: DecisionRecord;
  /** Slices filled (0-based), ascending. */
  filled: number[];
}

export function fillBetweenSlices(ctx: StoreContext, findingId: number, reader: string): FillOutcome {
  return ctx.write(() => {
    requireReader(ctx, reader);
    const grid = liveFinding(ctx, findingId);
    const series = requireSeries(ctx, grid.seriesUid);
    const { image_rows: rows, image_columns: columns } = series;
    // In-plane spacing makes the distances round on anisotropic pixels; without a geometry, pixels are square.
    const geometry = series.geometry_json ? (JSON.parse(series.geometry_json) as VolumeGeometry) : null;
    const spacing: [number, number] = geometry ? [geometry.spacing[1], geometry.spacing[0]] : [1, 1];
    const runs = maskRowsBySlice(ctx, findingId, reader);
    const painted = [...runs.keys()]
      .filter((k) => maskSliceCount(runs.get(k)!, grid.plane) > 0)
      .sort((a, b) => a - b);
    const gaps = painted.slice(1).flatMap((b, i) => (b - painted[i]! > 1 ? [[painted[i]!, b] as const] : []));
    if (gaps.length === 0) {
      throw new DatasetError(
        painted.length < 2
          ? `finding ${findingId} is painted on ${painted.length} slice${painted.length === 1 ? '' : 's'}; paint its first and last slices, then fill between them`
          : `finding ${findingId} has no empty slice between its painted ones (slices ${painted[0]! + 1}–${painted[painted.length - 1]! + 1}) to fill`,
        'conflict',
      );
    }
    const filled: { k: number; runs: Uint8Array }[] = [];
    for (const [a, b] of gaps) {
      const from = signedDistance(decodeMaskSlice(runs.get(a)!, grid.plane), rows, columns, spacing);
      const to = signedDistance(decodeMaskSlice(runs.get(b)!, grid.plane), rows, columns, spacing);
      for (let k = a + 1; k < b; k++) {
        const mask = interpolateMask(from, to, (k - a) / (b - a));
        // Two outlines that do not overlap can leave the middle empty: nothing to fill there.
        if (mask.includes(1)) filled.push({ k, runs: encodeMaskSlice(mask) });
      }
    }
    if (filled.length === 0) {
      throw new DatasetError(
        `the painted slices of finding ${findingId} are too far apart in-plane for anything to lie between them; ` +
          'paint a slice in the middle first',
        'conflict',
      );
    }
    const decision = recordMaskSlices(ctx, {
      findingId,
      seriesUid: grid.seriesUid,
      reader,
      plane: grid.plane,
      slices: filled,
      description: `fill ${filled.length} slice${filled.length === 1 ? '' : 's'} of finding ${findingId}`,
      audit: 'fill-slices',
    });
    return { decision, filled: filled.map(({ k }) => k) };
  });
}
