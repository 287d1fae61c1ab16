// Owns the surface of a finding used to measure its longest diameter: along every grid line (in i, j and k)
// that crosses the component, its first and last voxel moved outwards to where the probability, linearly
// interpolated towards the outside neighbour, falls to the threshold (half a voxel at the volume's border;
// a binary map therefore puts it on the voxel face). Only such points can be extreme in any direction, so
// their Feret diameter is the component's.
import { voxelToPatient, type Vec3, type VolumeGeometry } from '../dicom/volume.ts';

export function surfacePoints(
  values: Uint8Array,
  geometry: VolumeGeometry,
  voxels: Uint32Array,
  min: Vec3,
  max: Vec3,
  cut: number,
): Float64Array {
  const [cols, rows] = geometry.size;
  const plane = cols * rows;
  const strides: Vec3 = [1, cols, plane];
  let points = new Float64Array(3 * 1024);
  let count = 0;
  const ijk: Vec3 = [0, 0, 0];
  for (let axis = 0; axis < 3; axis++) {
    // The other two axes index the lines along `axis` inside the bounding box.
    const [a, b] = axis === 0 ? [1, 2] : axis === 1 ? [0, 2] : [0, 1];
    const spanA = max[a] - min[a] + 1;
    const lines = spanA * (max[b] - min[b] + 1);
    const first = new Int32Array(lines).fill(-1);
    const last = new Int32Array(lines).fill(-1);
    const firstIndex = new Uint32Array(lines);
    const lastIndex = new Uint32Array(lines);
    for (let n = 0; n < voxels.length; n++) {
      const index = voxels[n];
      ijk[2] = (index / plane) | 0;
      ijk[1] = ((index - ijk[2] * plane) / cols) | 0;
      ijk[0] = index - ijk[2] * plane - ijk[1] * cols;
      const line = ijk[a] - min[a] + (ijk[b] - min[b]) * spanA;
      const at = ijk[axis];
      if (first[line] < 0 || at < first[line]) {
        first[line] = at;
        firstIndex[line] = index;
      }
      if (at > last[line]) {
        last[line] = at;
        lastIndex[line] = index;
      }
    }
    for (let line = 0; line < lines; line++) {
      if (first[line] < 0) continue;
      for (let end = 0; end < 2; end++) {
        const index = end === 0 ? firstIndex[line] : lastIndex[line];
        const step = end === 0 ? -1 : 1;
        const k = (index / plane) | 0;
        const j = ((index - k * plane) / cols) | 0;
        const point: Vec3 = [index - k * plane - j * cols, j, k];
        const neighbour = point[axis] + step;
        let offset = 0.5;
        if (neighbour >= 0 && neighbour < geometry.size[axis]) {
          const inside = values[index];
          const outside = values[index + step * strides[axis]];
          offset = inside > outside ? Math.min(1, Math.max(0, (inside - cut) / (inside - outside))) : 0;
        }
        point[axis] += step * offset;
        if (3 * count + 3 > points.length) {
          const grown = new Float64Array(points.length * 2);
          grown.set(points);
          points = grown;
        }
        points.set(voxelToPatient(geometry, point), 3 * count++);
      }
    }
  }
  return points.subarray(0, 3 * count);
}
