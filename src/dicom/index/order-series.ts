// Owns putting a series' frames in stacking order and saying what is odd about the stack. Frames are sorted
// by Image Position projected on the slice normal (row × column), so shuffled file names, reversed stacks,
// multi-frame and enhanced objects and series spread over several folders all come out the same; without
// geometry the order falls back to Instance Number. Oddities become warnings, never errors.
import type { Vec3 } from '../volume.ts';
import type { FrameRef, IndexedSeries, InstanceHeader } from './index-types.ts';

const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];

export function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

function unit(v: Vec3): Vec3 | undefined {
  const length = Math.hypot(v[0], v[1], v[2]);
  return length > 1e-6 ? [v[0] / length, v[1] / length, v[2] / length] : undefined;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

const round = (value: number) => Number(value.toFixed(2));

function framesOf(instance: InstanceHeader): FrameRef[] {
  const frames: FrameRef[] = [];
  for (let frameIndex = 0; frameIndex < instance.numberOfFrames; frameIndex++) {
    const imagePosition =
      instance.numberOfFrames > 1 ? instance.framePositions?.[frameIndex] : instance.imagePosition;
    frames.push({
      path: instance.path,
      zipEntry: instance.zipEntry,
      frameIndex,
      positionMm: undefined,
      imagePosition,
      sopInstanceUid: instance.sopInstanceUid,
    });
  }
  return frames;
}

function sameOrientation(a: [Vec3, Vec3], b: [Vec3, Vec3]): boolean {
  // Cosines, so direction vectors a writer left not quite unit length still match their own kind.
  const cos = (u: Vec3, v: Vec3) => {
    const lengths = Math.hypot(u[0], u[1], u[2]) * Math.hypot(v[0], v[1], v[2]);
    return lengths > 1e-6 ? dot(u, v) / lengths : 0;
  };
  return cos(a[0], b[0]) > 0.9999 && cos(a[1], b[1]) > 0.9999;
}

/** Gap warnings for positions already sorted ascending; returns the median gap. */
function gapWarnings(positions: number[], warnings: string[]): number | undefined {
  if (positions.length < 2) return undefined;
  const gaps = positions.slice(1).map((p, i) => p - positions[i]);
  const duplicates = gaps.filter((gap) => gap < 1e-3).length;
  if (duplicates > 0)
    warnings.push(`${duplicates} frame(s) share a position with another frame (duplicate slices)`);
  const real = gaps.filter((gap) => gap >= 1e-3);
  if (real.length === 0) return undefined;
  const typical = median(real);
  let missing = 0;
  const holes: string[] = [];
  let uneven = false;
  real.forEach((gap, i) => {
    if (gap > typical * 1.5) {
      missing += Math.round(gap / typical) - 1;
      if (holes.length < 3) holes.push(`${round(positions[i])}→${round(positions[i] + gap)} mm`);
    } else if (Math.abs(gap - typical) > Math.max(0.01, typical * 0.05)) uneven = true;
  });
  if (missing > 0) {
    warnings.push(
      `about ${missing} slice(s) missing: gaps at ${holes.join(', ')} (spacing ${round(typical)} mm)`,
    );
  }
  if (uneven) {
    warnings.push(
      `uneven slice spacing: gaps from ${round(Math.min(...real))} to ${round(Math.max(...real))} mm (median ${round(typical)} mm)`,
    );
  }
  return typical;
}

/** Builds one series from its instances: frames in stacking order, rows/columns and warnings. */
export function orderSeries(instances: InstanceHeader[]): IndexedSeries {
  const first = instances[0];
  const warnings: string[] = [];
  const imaging = instances.filter((instance) => instance.hasPixelData);
  const sizeCounts = new Map<string, number>();
  for (const instance of imaging) {
    const size = `${instance.rows}×${instance.columns}`;
    sizeCounts.set(size, (sizeCounts.get(size) ?? 0) + 1);
  }
  if (sizeCounts.size > 1) {
    const sizes = [...sizeCounts].sort((a, b) => b[1] - a[1]).map(([size, count]) => `${size} (${count})`);
    warnings.push(`mixed image sizes in one series: ${sizes.join(', ')}`);
  }
  // The orientation most instances share is the stack's; others (a localizer, say) are only warned about.
  const oriented = imaging.filter((instance) => instance.imageOrientation);
  let orientation: [Vec3, Vec3] | undefined;
  let best = 0;
  for (const candidate of oriented) {
    const count = oriented.filter((other) =>
      sameOrientation(other.imageOrientation!, candidate.imageOrientation!),
    ).length;
    if (count > best) [orientation, best] = [candidate.imageOrientation, count];
    if (best > oriented.length / 2) break;
  }
  const offAxis = new Set(
    oriented
      .filter((i) => orientation && !sameOrientation(i.imageOrientation!, orientation))
      .map((i) => i.sopInstanceUid),
  );
  if (offAxis.size > 0) {
    warnings.push(
      `mixed orientations in one series: ${offAxis.size} instance(s) differ from the rest (a localizer?) — the stack may not be a volume`,
    );
  }
  const normal = orientation ? unit(cross(orientation[0], orientation[1])) : undefined;
  const frames = imaging.flatMap(framesOf);
  const instanceNumber = new Map(
    imaging.map((instance) => [instance.sopInstanceUid, instance.instanceNumber ?? 0]),
  );
  const byInstance = (a: FrameRef, b: FrameRef) =>
    (instanceNumber.get(a.sopInstanceUid) ?? 0) - (instanceNumber.get(b.sopInstanceUid) ?? 0) ||
    a.frameIndex - b.frameIndex ||
    (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  const located = normal !== undefined && frames.length > 0 && frames.every((frame) => frame.imagePosition);
  if (located) {
    for (const frame of frames) frame.positionMm = dot(frame.imagePosition!, normal);
    frames.sort((a, b) => a.positionMm! - b.positionMm! || byInstance(a, b));
    gapWarnings(
      frames.filter((frame) => !offAxis.has(frame.sopInstanceUid)).map((frame) => frame.positionMm!),
      warnings,
    );
  } else {
    frames.sort(byInstance);
    if (frames.length > 1)
      warnings.push('no slice geometry (Image Position/Orientation): ordered by Instance Number');
  }
  const counts = new Map<string, number>();
  for (const instance of instances)
    counts.set(instance.sopInstanceUid, (counts.get(instance.sopInstanceUid) ?? 0) + 1);
  const copies = [...counts.values()].filter((count) => count > 1).length;
  if (copies > 0) warnings.push(`${copies} instance(s) appear in more than one file (same SOP Instance UID)`);
  return {
    seriesInstanceUid: first.seriesInstanceUid,
    ...(first.seriesNumber !== undefined && { seriesNumber: first.seriesNumber }),
    modality: first.modality,
    description: first.seriesDescription,
    instances,
    frames,
    rows: imaging[0]?.rows ?? 0,
    columns: imaging[0]?.columns ?? 0,
    ...(located && { normal }),
    warnings,
  };
}
