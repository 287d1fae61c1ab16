// Owns whether a model fits a series. A series the model cannot take at all (one image for a model that
// reads neighbouring slices, colour images) is skipped with the reason; one outside what the model was
// trained on (another modality or body part, thicker slices, other pixel spacing, values that do not look like
// the trained intensity scale) still runs, with a warning a reader sees beside the result.
import type { VolumeGeometry } from '../dicom/volume.ts';
import type { ModelManifest } from './model-manifest.ts';

export interface SeriesScopeInput {
  geometry: VolumeGeometry;
  modality?: string;
  bodyPart?: string;
  /** Slice Thickness (0018,0050) when recorded; else the slice spacing stands in for it. */
  sliceThicknessMm?: number | null;
  samplesPerPixel?: number;
  photometric?: string;
}

export interface SeriesScope {
  /** Why the model cannot run on this series; undefined when it can. */
  skip?: string;
  warnings: string[];
}

const mm = (value: number) => `${Number(value.toFixed(2))} mm`;
const span = ([lo, hi]: [number, number], unit = ' mm') =>
  `${Number(lo.toFixed(2))}–${Number(hi.toFixed(2))}${unit}`;
const outside = (value: number, [lo, hi]: [number, number]) => value < lo - 1e-6 || value > hi + 1e-6;

export function seriesScope(manifest: ModelManifest, series: SeriesScopeInput): SeriesScope {
  const [cols, rows, slices] = series.geometry.size;
  if ((series.samplesPerPixel ?? 1) > 1 || /^(RGB|YBR|PALETTE)/i.test(series.photometric ?? '')) {
    return {
      skip: `colour images (${series.photometric ?? 'several samples per pixel'}): the model reads greyscale`,
      warnings: [],
    };
  }
  if (slices < 2) {
    return { skip: 'a single image: the model reads a volume of adjacent slices', warnings: [] };
  }
  if (cols < 8 || rows < 8) {
    return { skip: `images of ${cols} × ${rows} pixels are too small for the model`, warnings: [] };
  }
  const reasons: string[] = [];
  if (series.modality && series.modality.toUpperCase() !== manifest.modality.toUpperCase()) {
    reasons.push(`modality ${series.modality}, trained on ${manifest.modality}`);
  }
  if (series.bodyPart && series.bodyPart.toUpperCase() !== manifest.bodyPart.toUpperCase()) {
    reasons.push(`body part ${series.bodyPart}, trained on ${manifest.bodyPart}`);
  }
  const ranges = manifest.trainingRanges;
  const [spacingCol, spacingRow, spacingSlice] = series.geometry.spacing;
  if (
    ranges.pixelSpacingMm &&
    (outside(spacingCol, ranges.pixelSpacingMm) || outside(spacingRow, ranges.pixelSpacingMm))
  ) {
    const shown = spacingCol === spacingRow ? mm(spacingCol) : `${mm(spacingRow)} × ${mm(spacingCol)}`;
    reasons.push(`pixel spacing ${shown}, trained on ${span(ranges.pixelSpacingMm)}`);
  }
  const thickness = series.sliceThicknessMm ?? spacingSlice;
  if (ranges.sliceThicknessMm && outside(thickness, ranges.sliceThicknessMm)) {
    reasons.push(`slice thickness ${mm(thickness)}, trained on ${span(ranges.sliceThicknessMm)}`);
  }
  return { warnings: reasons.map((reason) => `outside the model's scope: ${reason}`) };
}

/**
 * A warning when the volume's values do not look like the trained intensity scale (for CT: not HU, e.g.
 * a missing rescale). Looks at the median and the 99th percentile of a sample, so air outside the body and the
 * scanner's padding value (often −2048 or −3024) do not count against a normal scan.
 */
export function intensityScopeWarning(
  manifest: ModelManifest,
  voxels: ArrayLike<number>,
): string | undefined {
  const range = manifest.trainingRanges.intensity;
  if (!range || voxels.length === 0) return undefined;
  const step = Math.max(1, Math.floor(voxels.length / 100_000));
  const sample: number[] = [];
  for (let n = 0; n < voxels.length; n += step) sample.push(voxels[n]);
  sample.sort((a, b) => a - b);
  const at = (q: number) => sample[Math.min(sample.length - 1, Math.floor(q * sample.length))];
  const low = at(0.5);
  const high = at(0.99);
  if (!outside(low, range) && !outside(high, range)) return undefined;
  return `outside the model's scope: intensities ${span([low, high], '')} (median–99th percentile), trained on ${span(range, '')}`;
}
