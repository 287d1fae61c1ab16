// Hand-built geometries and probability maps with known answers, for the inference tests.
import { patientToVoxel, type Vec3, type VolumeGeometry } from '../../src/dicom/volume.ts';

export function geometry(
  size: Vec3,
  spacing: Vec3,
  options: { origin?: Vec3; descending?: boolean; oblique?: boolean } = {},
): VolumeGeometry {
  // "descending": slices stacked towards the feet (k along -z), as many scanners order them.
  const kAxis: Vec3 = options.descending ? [0, 0, -1] : [0, 0, 1];
  if (options.oblique) {
    const c = Math.cos(0.3);
    const s = Math.sin(0.3);
    return {
      size,
      spacing,
      origin: options.origin ?? [-100, -120, 50],
      direction: [[c, s, 0], [-s, c, 0], kAxis],
    };
  }
  return {
    size,
    spacing,
    origin: options.origin ?? [-100, -120, 50],
    direction: [[1, 0, 0], [0, 1, 0], kAxis],
  };
}

/**
 * Probability map (× 255) of spheres with a soft edge: p = peak · sigmoid((radius − distance) / softness), so
 * the 0.5 · peak iso-surface is exactly the sphere. softness 0 gives a binary sphere (peak inside, 0 outside).
 */
export function sphereMap(
  g: VolumeGeometry,
  spheres: { centerMm: Vec3; radiusMm: number; peak?: number }[],
  softnessMm = 0.7,
): Uint8Array {
  const [cols, rows, slices] = g.size;
  const values = new Uint8Array(cols * rows * slices);
  for (const sphere of spheres) {
    const peak = sphere.peak ?? 255;
    const c = patientToVoxel(g, sphere.centerMm);
    const reach = g.spacing.map((s) => Math.ceil((sphere.radiusMm + 8 * softnessMm) / s) + 1);
    for (let k = Math.max(0, Math.floor(c[2] - reach[2])); k <= Math.min(slices - 1, c[2] + reach[2]); k++)
      for (let j = Math.max(0, Math.floor(c[1] - reach[1])); j <= Math.min(rows - 1, c[1] + reach[1]); j++)
        for (
          let i = Math.max(0, Math.floor(c[0] - reach[0]));
          i <= Math.min(cols - 1, c[0] + reach[0]);
          i++
        ) {
          const d = Math.hypot(
            (i - c[0]) * g.spacing[0],
            (j - c[1]) * g.spacing[1],
            (k - c[2]) * g.spacing[2],
          );
          const p =
            softnessMm > 0
              ? 1 / (1 + Math.exp(-(sphere.radiusMm - d) / softnessMm))
              : d <= sphere.radiusMm
                ? 1
                : 0;
          const value = Math.round(peak * p);
          const n = i + j * cols + k * cols * rows;
          values[n] = Math.max(values[n], value);
        }
  }
  return values;
}
