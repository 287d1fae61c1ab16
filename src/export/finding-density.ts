// Owns the findings table's density and axes columns: for each finding exported with a label, its mask split
// into slices, the values under it (from the volume an image export decoded anyway, or for the table-only
// formats from only the slices it covers, decoded from the source), and the same profile the viewer's findings
// panel shows (src/shared/finding-profile.ts): axial long × short axis, mean and SD of the HU inside it, the
// share of voxels at soft-tissue density. A series whose source cannot be read keeps its rows with these
// columns empty, and the reason goes to the caller (the export's progress), never a patient detail.
import type { Volume } from '../dicom/volume.ts';
import { maskSlices, type SegmentMask } from '../dicom/write-seg/build-seg.ts';
import { findingProfile } from '../shared/finding-profile.ts';
import type { ExportSeries } from './export-types.ts';

/** What an image export already holds for a case: its decoded volume and each finding's mask (or none). */
export interface DecodedCase {
  volume: Volume<ArrayLike<number>>;
  masks: (SegmentMask | undefined)[];
}

/**
 * Measures the series' labelled findings into their rows; returns why it could not, or null. With `decoded`
 * (the NIfTI and SEG formats loaded both already) nothing is read again; else the masks come from the store
 * and only the slices they cover are decoded.
 */
export async function measureFindings(series: ExportSeries, decoded?: DecodedCase): Promise<string | null> {
  const measure = series.measure;
  if (!measure) return null;
  const [columns, rows, depth] = measure.geometry.size;
  const plane = columns * rows;
  const masks = new Map<number, Map<number, Uint8Array>>(); // finding index → slice k → 0/1 mask
  const needed = new Set<number>();
  for (const [i, finding] of series.findings.entries()) {
    const mask = decoded ? decoded.masks[i] : finding.loadMask && (await finding.loadMask());
    if (!mask) continue;
    const slices = new Map<number, Uint8Array>();
    for (const [k, positions] of maskSlices(mask, plane, depth)) {
      const slice = new Uint8Array(plane);
      for (const position of positions) slice[position] = 1;
      slices.set(k, slice);
      needed.add(k);
    }
    if (slices.size > 0) masks.set(i, slices);
  }
  if (masks.size === 0) return null;
  let values: Map<number, ArrayLike<number>>;
  try {
    values = decoded
      ? volumeSlices(decoded.volume, [...needed], plane)
      : await measure.loadSlices([...needed]);
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

/** Slices ks of a decoded volume: views where its voxels are a typed array, else copies. */
function volumeSlices(
  volume: Volume<ArrayLike<number>>,
  ks: number[],
  plane: number,
): Map<number, ArrayLike<number>> {
  const { voxels } = volume;
  return new Map(
    ks.map((k) => [
      k,
      ArrayBuffer.isView(voxels)
        ? (voxels as Float32Array).subarray(k * plane, (k + 1) * plane)
        : Array.prototype.slice.call(voxels, k * plane, (k + 1) * plane),
    ]),
  );
}
