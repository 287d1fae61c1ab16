// Owns the geometry of a reconstructed series: how voxel indices map to DICOM patient coordinates (LPS, mm).
// Inference, export and the viewer all speak this one type, so a mask and its image can never disagree.

export type Vec3 = [number, number, number];

export interface VolumeGeometry {
  /** Voxel counts along i (columns), j (rows), k (slices). */
  size: Vec3;
  /** Millimetres between voxel centres along i, j, k (k: the distance between slice positions). */
  spacing: Vec3;
  /** Patient position (LPS, mm) of the centre of voxel (0, 0, 0): Image Position (Patient) of the first slice. */
  origin: Vec3;
  /**
   * Unit direction of each index axis in LPS: [i, j, k]. i is the row direction (Image Orientation's first
   * triplet), j the column direction (its second), k the direction in which slices are stacked.
   */
  direction: [Vec3, Vec3, Vec3];
}

/** Voxels in i-fastest order: index = i + j * size[0] + k * size[0] * size[1]. */
export interface Volume<T extends ArrayLike<number> = Float32Array> {
  geometry: VolumeGeometry;
  voxels: T;
}

export function voxelToPatient(geometry: VolumeGeometry, ijk: Vec3): Vec3 {
  const { origin, spacing, direction } = geometry;
  const out: Vec3 = [origin[0], origin[1], origin[2]];
  for (let axis = 0; axis < 3; axis++) {
    const step = ijk[axis] * spacing[axis];
    for (let c = 0; c < 3; c++) out[c] += direction[axis][c] * step;
  }
  return out;
}

/** Inverse of voxelToPatient for orthonormal directions (continuous index, not rounded). */
export function patientToVoxel(geometry: VolumeGeometry, lps: Vec3): Vec3 {
  const { origin, spacing, direction } = geometry;
  const d: Vec3 = [lps[0] - origin[0], lps[1] - origin[1], lps[2] - origin[2]];
  return direction.map((axis, a) => (axis[0] * d[0] + axis[1] * d[1] + axis[2] * d[2]) / spacing[a]) as Vec3;
}

export function voxelCount(geometry: VolumeGeometry): number {
  return geometry.size[0] * geometry.size[1] * geometry.size[2];
}
