// What the Export dialog asks for, as plain functions (no DOM, tested under Node): the formats offered, the
// folder suggested inside the one the user picked, and the form's values checked and turned into the API's
// ExportRequest — or a sentence saying what to fix.
import type { ExportRequest, SeriesStatus } from '../src/shared/api-types.ts';

export type ExportFormat = ExportRequest['format'];

export const FORMAT_CHOICES: readonly { format: ExportFormat; label: string }[] = [
  { format: 'nnunet', label: 'nnU-Net v2 dataset (NIfTI images + labels, dataset.json)' },
  { format: 'nifti', label: 'NIfTI images + labels (MONAI datalist)' },
  { format: 'dicom-seg', label: 'DICOM SEG (one per series, for PACS)' },
  { format: 'csv', label: 'Findings table (CSV)' },
  { format: 'json', label: 'Findings table (JSON)' },
];

export const STATUS_CHOICES: readonly { status: SeriesStatus | 'all'; label: string }[] = [
  { status: 'done', label: 'Done (reviewed) series' },
  { status: 'in-review', label: 'Series in review' },
  { status: 'all', label: 'All series' },
];

export interface ExportFormValues {
  format: ExportFormat;
  outDir: string;
  status: SeriesStatus | 'all';
  reader: string;
  deidentify: boolean;
  writeKey: boolean;
  includeProposals: boolean;
}

const isWindowsPath = (path: string) => /^[a-zA-Z]:[\\/]/.test(path) || path.startsWith('\\\\');

export function isAbsolutePath(path: string): boolean {
  return path.startsWith('/') || isWindowsPath(path);
}

/** A new folder inside `parent`, named after the format and the time, so a second export never collides. */
export function suggestedFolder(parent: string, format: ExportFormat, now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp =
    `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-` +
    `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  const separator = isWindowsPath(parent) && !parent.includes('/') ? '\\' : '/';
  const base = parent.replace(/[\\/]+$/, '');
  return `${base}${separator}overread-${format}-${stamp}`;
}

/** The request for the form's values, or what the user must fix. */
export function exportRequest(values: ExportFormValues): { request: ExportRequest } | { error: string } {
  const outDir = values.outDir.trim().replace(/(.)[\\/]+$/, '$1');
  if (!outDir) return { error: 'Choose the folder to export to.' };
  if (!isAbsolutePath(outDir)) {
    return { error: `"${outDir}" is not a full path — give the whole path, starting at / (or C:\\).` };
  }
  const reader = values.reader.trim();
  const request: ExportRequest = {
    format: values.format,
    outDir,
    status: values.status,
    deidentify: values.deidentify,
    includeProposals: values.includeProposals,
    ...(reader ? { reader } : {}),
    // The key re-identifies the export, so it goes beside the folder, never inside it.
    ...(values.deidentify && values.writeKey ? { keyFile: `${outDir}.pseudonym-key.json` } : {}),
  };
  return { request };
}
