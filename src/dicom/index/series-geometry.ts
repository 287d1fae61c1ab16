// Owns turning an ordered series into the VolumeGeometry inference and export use: origin at the first frame
// in stacking order, k along the direction the frames were sorted, k spacing the median gap between frames.
import { DicomError } from '../dicom-error.ts';
import type { Vec3, VolumeGeometry } from '../volume.ts';
import type { IndexedSeries } from './index-types.ts';
import { median } from './order-series.ts';

/** Throws a DicomError (naming the series) when the series cannot form a volume. */
export function seriesGeometry(series: IndexedSeries): VolumeGeometry {
  const fail = (reason: string) => new DicomError(`series ${series.seriesInstanceUid}`, reason);
  const first = series.instances.find((instance) => instance.hasPixelData);
  if (!first || series.frames.length === 0) throw fail('has no images');
  if (
    series.instances.some((i) => i.hasPixelData && (i.rows !== first.rows || i.columns !== first.columns))
  ) {
    throw fail('mixes image sizes, so it is not one volume');
  }
  const orientation = first.imageOrientation;
  const spacing = first.pixelSpacing;
  if (!orientation || !spacing)
    throw fail('has no Image Orientation or Pixel Spacing, so it cannot be placed in 3-D');
  const frames = series.frames;
  const origin = frames[0].imagePosition;
  if (!series.normal || !origin)
    throw fail('has no Image Position for every frame, so slices cannot be placed');
  const positions = frames.map((frame) => frame.positionMm!);
  const gaps = positions.slice(1).map((p, i) => p - positions[i]);
  const positive = gaps.filter((gap) => gap >= 1e-3);
  const kSpacing = positive.length > 0 ? median(positive) : (first.sliceThickness ?? 1);
  return {
    size: [first.columns, first.rows, frames.length],
    // Pixel Spacing is [between rows, between columns]; i runs along a row, so it steps by the column spacing.
    spacing: [spacing[1], spacing[0], kSpacing],
    origin: [...origin] as Vec3,
    direction: [[...orientation[0]] as Vec3, [...orientation[1]] as Vec3, [...series.normal] as Vec3],
  };
}
