// Owns the mapping from a DICOM volume geometry (LPS) to the NIfTI-1 spatial header (RAS): the sform matrix and
// the qform quaternion + qfac. NIfTI's world frame is RAS, DICOM's is LPS, so the x and y rows are negated.
// A descending stack or any other left-handed voxel frame has a negative determinant, which a quaternion
// cannot represent: NIfTI encodes it as qfac = -1 (pixdim[0]) with the third column negated.
import type { Vec3, VolumeGeometry } from '../../dicom/volume.ts';

export interface NiftiSpatial {
  /** Rows of the 3×4 sform (voxel → RAS mm). */
  srow: [number[], number[], number[]];
  quatern: Vec3;
  qoffset: Vec3;
  /** +1 for a right-handed voxel frame, -1 for a left-handed one (stored in pixdim[0]). */
  qfac: 1 | -1;
}

const lpsToRas = (v: Vec3): Vec3 => [-v[0], -v[1], v[2]];

export function niftiSpatial(geometry: VolumeGeometry): NiftiSpatial {
  const { origin, spacing, direction } = geometry;
  // Column a of the rotation is the RAS direction of index axis a.
  const columns = direction.map(lpsToRas) as [Vec3, Vec3, Vec3];
  const offset = lpsToRas(origin);
  const srow: [number[], number[], number[]] = [0, 1, 2].map((row) => [
    columns[0][row] * spacing[0],
    columns[1][row] * spacing[1],
    columns[2][row] * spacing[2],
    offset[row],
  ]) as [number[], number[], number[]];

  const r = orthonormalise(columns);
  const det =
    r[0][0] * (r[1][1] * r[2][2] - r[2][1] * r[1][2]) -
    r[1][0] * (r[0][1] * r[2][2] - r[2][1] * r[0][2]) +
    r[2][0] * (r[0][1] * r[1][2] - r[1][1] * r[0][2]);
  const qfac: 1 | -1 = det < 0 ? -1 : 1;
  if (qfac < 0) r[2] = [-r[2][0], -r[2][1], -r[2][2]];
  return { srow, quatern: quaternionOf(r), qoffset: offset, qfac };
}

/**
 * Gram–Schmidt on the columns: a gantry-tilted stack has a slice axis that is not perpendicular to the image
 * plane. The sform keeps the exact (sheared) affine; the qform, a pure rotation by definition, gets the nearest
 * orthonormal frame with the same handedness.
 */
function orthonormalise(columns: [Vec3, Vec3, Vec3]): [Vec3, Vec3, Vec3] {
  const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
  const unit = (a: Vec3): Vec3 => {
    const n = Math.hypot(a[0], a[1], a[2]) || 1;
    return [a[0] / n, a[1] / n, a[2] / n];
  };
  const minus = (a: Vec3, b: Vec3, s: number): Vec3 => [a[0] - b[0] * s, a[1] - b[1] * s, a[2] - b[2] * s];
  const u = unit(columns[0]);
  const v = unit(minus(columns[1], u, dot(columns[1], u)));
  const w = unit(minus(minus(columns[2], u, dot(columns[2], u)), v, dot(columns[2], v)));
  return [u, v, w];
}

/** Quaternion (b, c, d) of a proper rotation given by its columns; the algorithm of nifti1_io's mat44_to_quatern. */
function quaternionOf(columns: [Vec3, Vec3, Vec3]): Vec3 {
  // m[row][col]
  const m = (row: number, col: number) => columns[col][row];
  let a = m(0, 0) + m(1, 1) + m(2, 2) + 1;
  let b: number, c: number, d: number;
  if (a > 0.5) {
    a = 0.5 * Math.sqrt(a);
    b = (0.25 * (m(2, 1) - m(1, 2))) / a;
    c = (0.25 * (m(0, 2) - m(2, 0))) / a;
    d = (0.25 * (m(1, 0) - m(0, 1))) / a;
  } else {
    const xd = 1 + m(0, 0) - (m(1, 1) + m(2, 2));
    const yd = 1 + m(1, 1) - (m(0, 0) + m(2, 2));
    const zd = 1 + m(2, 2) - (m(0, 0) + m(1, 1));
    if (xd > 1) {
      b = 0.5 * Math.sqrt(xd);
      c = (0.25 * (m(0, 1) + m(1, 0))) / b;
      d = (0.25 * (m(0, 2) + m(2, 0))) / b;
      a = (0.25 * (m(2, 1) - m(1, 2))) / b;
    } else if (yd > 1) {
      c = 0.5 * Math.sqrt(yd);
      b = (0.25 * (m(0, 1) + m(1, 0))) / c;
      d = (0.25 * (m(1, 2) + m(2, 1))) / c;
      a = (0.25 * (m(0, 2) - m(2, 0))) / c;
    } else {
      d = 0.5 * Math.sqrt(zd);
      b = (0.25 * (m(0, 2) + m(2, 0))) / d;
      c = (0.25 * (m(1, 2) + m(2, 1))) / d;
      a = (0.25 * (m(1, 0) - m(0, 1))) / d;
    }
    // NIfTI stores only b, c, d and assumes a >= 0.
    if (a < 0) {
      b = -b;
      c = -c;
      d = -d;
    }
  }
  return [b, c, d];
}
