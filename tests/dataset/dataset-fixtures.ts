// Test fixtures for the dataset store: a fresh store in a temp folder, synthetic indexed studies (header facts
// only: the store never reads pixels) and model findings painted as voxel spheres on the series grid.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IndexedSeries, IndexedStudy, InstanceHeader } from '../../src/dicom/index/index-types.ts';
import type { VolumeGeometry } from '../../src/dicom/volume.ts';
import type { Finding } from '../../src/inference/findings-at-threshold.ts';
import type { DatasetStore, RunOutcome } from '../../src/dataset/dataset-types.ts';

export function tempDir(prefix = 'overread-dataset-'): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface SyntheticSeriesOptions {
  seriesUid: string;
  rows?: number;
  columns?: number;
  slices?: number;
  modality?: string;
  description?: string;
  /** Paths of the instance files (default: made-up paths, one per slice). */
  files?: { path: string; fileSize: number; mtimeMs: number }[];
}

export function geometryOf(columns: number, rows: number, slices: number): VolumeGeometry {
  return {
    size: [columns, rows, slices],
    spacing: [0.7, 0.7, 1.25],
    origin: [-180, -180, -300],
    direction: [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ],
  };
}

function instance(
  study: { uid: string; patientId: string; patientName: string },
  options: SyntheticSeriesOptions,
  k: number,
): InstanceHeader {
  const file = options.files?.[k] ?? {
    path: `/nowhere/${options.seriesUid}/${k}.dcm`,
    fileSize: 1000,
    mtimeMs: 1,
  };
  return {
    ...file,
    patientId: study.patientId,
    patientName: study.patientName,
    studyInstanceUid: study.uid,
    studyDate: '20250101',
    studyDescription: 'CT CHEST',
    accessionNumber: `A${study.uid.slice(-6)}`,
    seriesInstanceUid: options.seriesUid,
    seriesDescription: options.description ?? 'AXIAL 1.25',
    sopInstanceUid: `${options.seriesUid}.${k + 1}`,
    sopClassUid: '1.2.840.10008.5.1.4.1.1.2',
    transferSyntaxUid: '1.2.840.10008.1.2.1',
    modality: options.modality ?? 'CT',
    bodyPart: 'CHEST',
    manufacturer: 'ACME',
    model: 'Scanner 9',
    rows: options.rows ?? 64,
    columns: options.columns ?? 64,
    samplesPerPixel: 1,
    bitsAllocated: 16,
    bitsStored: 12,
    pixelRepresentation: 1,
    photometric: 'MONOCHROME2',
    numberOfFrames: 1,
    imagePosition: [-180, -180, -300 + 1.25 * k],
    imageOrientation: [
      [1, 0, 0],
      [0, 1, 0],
    ],
    pixelSpacing: [0.7, 0.7],
    sliceThickness: 1.25,
    rescaleSlope: 1,
    rescaleIntercept: -1024,
    hasPixelData: true,
  };
}

export function syntheticStudy(
  studyUid: string,
  patient: { patientId: string; patientName: string },
  series: SyntheticSeriesOptions[],
): { study: IndexedStudy; geometry: Map<string, VolumeGeometry | null> } {
  const geometry = new Map<string, VolumeGeometry | null>();
  const study: IndexedStudy = {
    studyInstanceUid: studyUid,
    patientId: patient.patientId,
    patientName: patient.patientName,
    studyDate: '20250101',
    description: 'CT CHEST',
    accessionNumber: `A${studyUid.slice(-6)}`,
    series: series.map((options): IndexedSeries => {
      const slices = options.slices ?? 20;
      const instances = Array.from({ length: slices }, (_, k) =>
        instance({ uid: studyUid, ...patient }, options, k),
      );
      geometry.set(options.seriesUid, geometryOf(options.columns ?? 64, options.rows ?? 64, slices));
      return {
        seriesInstanceUid: options.seriesUid,
        seriesNumber: 1,
        modality: options.modality ?? 'CT',
        description: options.description ?? 'AXIAL 1.25',
        instances,
        frames: instances.map((i) => ({
          path: i.path,
          frameIndex: 0,
          positionMm: i.imagePosition![2],
          imagePosition: i.imagePosition,
          sopInstanceUid: i.sopInstanceUid,
        })),
        rows: options.rows ?? 64,
        columns: options.columns ?? 64,
        normal: [0, 0, 1],
        warnings: [],
      };
    }),
  };
  return { study, geometry };
}

/** Series per study in importManySeries. */
export const SERIES_PER_STUDY = 100;

/**
 * Imports `seriesCount` small series (16×16×4) in studies of SERIES_PER_STUDY, series `8.<study>.<n>` of
 * patient `P<study>`: the worklist benches' load. `beforeStudy(s)` runs before study s is imported (to move a
 * test clock).
 */
export function importManySeries(
  store: Pick<DatasetStore, 'importStudy'>,
  seriesCount: number,
  beforeStudy?: (s: number) => void,
): void {
  for (let s = 0; s < seriesCount / SERIES_PER_STUDY; s++) {
    beforeStudy?.(s);
    const { study, geometry } = syntheticStudy(
      `8.${s}`,
      { patientId: `P${s}`, patientName: `N^${s}` },
      Array.from({ length: SERIES_PER_STUDY }, (_, n) => ({
        seriesUid: `8.${s}.${n}`,
        rows: 16,
        columns: 16,
        slices: 4,
      })),
    );
    store.importStudy(study, geometry);
  }
}

/** A ball of voxels (radius in voxels) at (ci, cj, ck) on a columns × rows × slices grid, as a Finding. */
export function ballFinding(
  id: number,
  size: [number, number, number],
  centre: [number, number, number],
  radius: number,
  score: number,
): Finding {
  const [columns, rows, slices] = size;
  const voxels: number[] = [];
  for (let k = Math.max(0, centre[2] - radius); k <= Math.min(slices - 1, centre[2] + radius); k++)
    for (let j = Math.max(0, centre[1] - radius); j <= Math.min(rows - 1, centre[1] + radius); j++)
      for (let i = Math.max(0, centre[0] - radius); i <= Math.min(columns - 1, centre[0] + radius); i++)
        if ((i - centre[0]) ** 2 + (j - centre[1]) ** 2 + (k - centre[2]) ** 2 <= radius * radius)
          voxels.push(i + j * columns + k * columns * rows);
  return {
    id,
    score,
    volumeMm3: voxels.length * 0.7 * 0.7 * 1.25,
    diameterMm: 2 * radius * 0.7,
    centerMm: [centre[0] * 0.7 - 180, centre[1] * 0.7 - 180, centre[2] * 1.25 - 300],
    boundingBox: {
      min: [centre[0] - radius, centre[1] - radius, centre[2] - radius],
      max: [centre[0] + radius, centre[1] + radius, centre[2] + radius],
    },
    sliceRange: [Math.max(0, centre[2] - radius), Math.min(slices - 1, centre[2] + radius)],
    focusSlice: centre[2],
    focusPoint: [centre[0], centre[1]],
    voxels: Uint32Array.from(voxels),
  };
}

/** A run outcome whose probability map is 255 inside each finding and 0 elsewhere. */
export function outcomeOf(size: [number, number, number], findings: Finding[], seconds = 1.5): RunOutcome {
  const probability = new Uint8Array(size[0] * size[1] * size[2]);
  for (const f of findings) for (const v of f.voxels) probability[v] = Math.round(f.score * 255);
  return {
    findings,
    score: findings.reduce((max, f) => Math.max(max, f.score), 0),
    probability,
    warnings: [],
    seconds,
  };
}

export const MODEL = { id: 'nodule-unet', version: '1.0.0', sha256: 'ab'.repeat(32) };

/** A side × side square of ones at column i0, row j0 of a 64 × 64 slice (the synthetic series' plane). */
export function square(i0: number, j0: number, side: number): Uint8Array {
  const mask = new Uint8Array(64 * 64);
  for (let j = j0; j < j0 + side; j++) mask.fill(1, j * 64 + i0, j * 64 + i0 + side);
  return mask;
}
