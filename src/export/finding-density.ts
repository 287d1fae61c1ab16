// Owns the findings table's density and axes columns: for each finding exported with a label, its mask split
// into slices, those slices decoded from the source (only the slices it covers), and the same profile the
// viewer's findings panel shows (src/shared/finding-profile.ts): axial long × short axis, mean and SD of the
// HU inside it, the share of voxels at soft-tissue density. A series whose source cannot be read keeps its rows
// with these columns empty, and the reason goes to the caller (the export's progress), never a patient detail.
import { findingProfile } from '../shared/finding-profile.ts';
import type { ExportSeries } from './export-types.ts';

/** Measures the series' labelled findings into their rows; returns why it could not, or null. */
export async function measureFindings(series: ExportSeries): Promise<string | null> {
  const measure = series.measure;
  if (!measure) return null;
  const [columns, rows] = measure.geometry.size;
  const plane = columns * rows;
  const masks = new Map<number, Map<number, Uint8Array>>(); // finding index → slice k → 0/1 mask
  const needed = new Set<number>();
  for (const [i, finding] of series.findings.entries()) {
    if (!finding.loadMask) continue;
    const mask = await finding.loadMask();
    const slices = new Map<number, Uint8Array>();
    const mark = (index: number) => {
      const k = Math.floor(index / plane);
      let slice = slices.get(k);
      if (!slice) slices.set(k, (slice = new Uint8Array(plane)));
      slice[index - k * plane] = 1;
    };
    if ('indices' in mask) for (const index of mask.indices) mark(index);
    else for (let index = 0; index < mask.length; index++) if (mask[index]) mark(index);
    if (slices.size === 0) continue;
    masks.set(i, slices);
    for (const k of slices.keys()) needed.add(k);
  }
  if (masks.size === 0) return null;
  let values: Map<number, Float32Array>;
  try {
    values = await measure.loadSlices([...needed]);
  } catch (error) {
    return `density and axes not measured: ${error instanceof Error ? error.message : String(error)}`;
  }
  // Pixel Spacing is [between rows, between columns]; the geometry's spacing is [along i, along j, along k].
  const geometry = {
    rows,
    columns,
    pixelSpacingMm: [measure.geometry.spacing[1], measure.geometry.spacing[0]] as [number, number],
  };
  const ct = measure.modality === 'CT';
  for (const [i, slices] of masks) {
    const profile = findingProfile(
      slices,
      (k) => {
        const data = values.get(k);
        return data && { data, slope: 1, intercept: 0 };
      },
      geometry,
    );
    if (!profile) continue;
    const finding = series.findings[i]!;
    finding.row = {
      ...finding.row,
      longAxisMm: profile.axes.longMm,
      shortAxisMm: profile.axes.shortMm,
      ...(ct ? { meanHu: profile.mean, sdHu: profile.sd, solidFraction: profile.solidFraction } : {}),
    };
  }
  return null;
}
