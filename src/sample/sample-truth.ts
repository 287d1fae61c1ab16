// The truth.json document written beside each synthetic study, as a type other code can read it with, and
// the function that builds it. The document describes its own fields so it stays usable outside this repo.
import type { Vec3, VolumeGeometry } from '../dicom/volume.ts';
import type { FollowUpTruth } from './follow-up.ts';
import type { Acquisition, NoduleTruth, SampleStudy } from './generate-study.ts';

export const TRUTH_FORMAT = 'overread-sample-truth/1';
export const MASK_FILE = 'truth-mask.bin.gz';

export interface SampleTruth {
  format: typeof TRUTH_FORMAT;
  about: string;
  seed: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  frameOfReferenceUid: string;
  geometry: VolumeGeometry;
  acquisition: Acquisition;
  /** One entry per slice in ascending k (z); `file` is relative to the study folder. */
  slices: { k: number; file: string; sopInstanceUid: string; z: number }[];
  mask: { file: string; encoding: 'gzip'; dtype: 'uint8'; order: string; labels: string };
  nodules: NoduleTruth[];
  /** Points (LPS, mm, on voxel centres) of known tissue: air outside the body, open lung in each lung. */
  landmarks: { air: Vec3; lungs: Vec3[] };
  noduleFields: Record<string, string>;
  /** Present on a follow-up study (`overread sample --follow-up`): its baseline, interval, shift, nodule fates. */
  followUp?: FollowUpTruth;
}

export function truthDocument(study: SampleStudy, files: string[]): SampleTruth {
  return {
    format: TRUTH_FORMAT,
    about:
      'Ground truth of a synthetic chest CT written by `overread sample`. Coordinates are DICOM patient ' +
      'coordinates (LPS, mm). geometry follows src/dicom/volume.ts VolumeGeometry: voxel (i, j, k) lies at ' +
      'origin + i*spacing[0]*direction[0] + j*spacing[1]*direction[1] + k*spacing[2]*direction[2]; k ascends in z.',
    seed: study.seed,
    studyInstanceUid: study.uids.study,
    seriesInstanceUid: study.uids.series,
    frameOfReferenceUid: study.uids.frameOfReference,
    geometry: study.geometry,
    acquisition: study.acquisition,
    slices: files.map((file, k) => ({
      k,
      file: `dicom/${file}`,
      sopInstanceUid: study.uids.instances[k],
      z: study.geometry.origin[2] + k * study.geometry.spacing[2],
    })),
    mask: {
      file: MASK_FILE,
      encoding: 'gzip' as const,
      dtype: 'uint8' as const,
      order: 'i-fastest: index = i + j*size[0] + k*size[0]*size[1], same geometry as above',
      labels: '0 = background; n = the nodule whose label is n (nodules[n-1])',
    },
    nodules: study.nodules,
    landmarks: study.landmarks,
    noduleFields: {
      centre: 'LPS mm',
      centreVoxel: 'continuous (i, j, k)',
      diameterMm: 'longest axis of the spheroid before lobulation',
      volumeMm3: 'label voxel count × voxel volume',
      type: 'solid | part-solid | ground-glass',
      attached: 'vessel | pleura | none',
      sliceRange: 'first and last k holding label voxels, and their z in mm',
    },
    ...(study.followUp ? { followUp: study.followUp } : {}),
  };
}
