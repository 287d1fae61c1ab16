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

// The index ↔ patient mapping lives in src/shared (the viewer lines a prior up with it too); the volume's
// users keep importing it from here.
export { patientToVoxel, voxelToPatient } from '../shared/patient-coordinates.ts';

export function voxelCount(geometry: VolumeGeometry): number {
  return geometry.size[0] * geometry.size[1] * geometry.size[2];
}
