// Owns how a series' voxel indices map to DICOM patient coordinates (LPS, mm) and back, for any geometry of
// the VolumeGeometry shape (src/dicom/volume.ts): pure arithmetic shared by Node (inference, export, the
// follow-up's matching) and the renderer (lining a prior scan up beside the current one).
import type { Vec3 } from './api-types.ts';

/** What the mapping needs of a geometry: origin, spacing along i, j, k, and each index axis' unit direction. */
export interface IndexGeometry {
  spacing: Vec3;
  origin: Vec3;
  direction: [Vec3, Vec3, Vec3];
}

export function voxelToPatient(geometry: IndexGeometry, ijk: Vec3): Vec3 {
  const { origin, spacing, direction } = geometry;
  const out: Vec3 = [origin[0], origin[1], origin[2]];
  for (let axis = 0; axis < 3; axis++) {
    const step = ijk[axis] * spacing[axis];
    for (let c = 0; c < 3; c++) out[c] += direction[axis][c] * step;
  }
  return out;
}

/** Inverse of voxelToPatient for orthonormal directions (continuous index, not rounded). */
export function patientToVoxel(geometry: IndexGeometry, lps: Vec3): Vec3 {
  const { origin, spacing, direction } = geometry;
  const d: Vec3 = [lps[0] - origin[0], lps[1] - origin[1], lps[2] - origin[2]];
  return direction.map((axis, a) => (axis[0] * d[0] + axis[1] * d[1] + axis[2] * d[2]) / spacing[a]) as Vec3;
}
