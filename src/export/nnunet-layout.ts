// Owns the nnU-Net v2 raw-dataset layout (imagesTr/<case>_0000.nii.gz, labelsTr/<case>.nii.gz, dataset.json)
// and the MONAI-style datalist over the same files, so either framework trains on the export unchanged.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Volume } from '../dicom/volume.ts';
import { encodeNiftiGz } from './nifti/write-nifti.ts';

export interface TrainingCase {
  /** Letters, digits, "_" and "-" only: nnU-Net derives case ids from file names. */
  caseId: string;
  image: Volume<ArrayLike<number>>;
  /** 0 background, 1 nodule, on the image's geometry. */
  label: Volume<Uint8Array>;
}

export const LABELS = { background: 0, nodule: 1 } as const;

export function imagePath(caseId: string): string {
  return `imagesTr/${caseId}_0000.nii.gz`;
}

export function labelPath(caseId: string): string {
  return `labelsTr/${caseId}.nii.gz`;
}

export async function writeTrainingCase(dir: string, trainingCase: TrainingCase): Promise<string[]> {
  const { caseId, image, label } = trainingCase;
  if (!/^[A-Za-z0-9_-]+$/.test(caseId))
    throw new Error(`case id "${caseId}" must use only letters, digits, _ and -`);
  const sameGeometry = JSON.stringify(image.geometry) === JSON.stringify(label.geometry);
  if (!sameGeometry) throw new Error(`case ${caseId}: label geometry differs from its image — not exported`);
  await mkdir(path.join(dir, 'imagesTr'), { recursive: true });
  await mkdir(path.join(dir, 'labelsTr'), { recursive: true });
  // Both compress at once on zlib's thread pool.
  const [imageBytes, labelBytes] = await Promise.all([
    encodeNiftiGz(image, { description: 'CT (HU)' }),
    encodeNiftiGz(label, { intent: 'label', description: '0 background, 1 nodule' }),
  ]);
  await writeFile(path.join(dir, imagePath(caseId)), imageBytes);
  await writeFile(path.join(dir, labelPath(caseId)), labelBytes);
  return [imagePath(caseId), labelPath(caseId)];
}

/** nnU-Net v2 dataset.json. */
export function nnunetDatasetJson(caseIds: string[], name = 'Overread'): string {
  return `${JSON.stringify(
    {
      name,
      description: 'Lung nodule labels reviewed in Overread',
      channel_names: { '0': 'CT' },
      labels: LABELS,
      numTraining: caseIds.length,
      file_ending: '.nii.gz',
    },
    null,
    2,
  )}\n`;
}

/** MONAI datalist (monai.data.load_decathlon_datalist reads it), paths relative to the export folder. */
export function monaiDatalist(caseIds: string[]): string {
  const training = caseIds.map((id) => ({ image: imagePath(id), label: labelPath(id) }));
  return `${JSON.stringify({ training }, null, 2)}\n`;
}
