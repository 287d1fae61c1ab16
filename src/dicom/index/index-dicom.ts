// Owns the header index of whatever the user points at: collects the files, reads each header (never the
// pixel data), and groups instances patient → study → series with frames in stacking order. Every file that
// cannot be read becomes one {path, reason}; the rest are indexed regardless.
import type { DicomIndex, FileError, IndexedPatient, IndexedStudy, InstanceHeader } from './index-types.ts';
import { collectFiles } from './collect-files.ts';
import { orderSeries } from './order-series.ts';
import { NotDicomError, readHeader } from './read-header.ts';
import { indexZip } from './zip-headers.ts';
import { parserErrorText } from '../parser-error-text.ts';

export interface IndexOptions {
  /** Called every few hundred files with files done and files found. */
  onProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

const BATCH = 256;

function reasonOf(error: unknown): string {
  if (error && typeof error === 'object' && 'reason' in error) {
    // dicom-parser throws a plain object for a dataset broken mid-way; its text is useless to a person.
    const reason = String(error.reason);
    return reason === '[object Object]'
      ? 'header is corrupt (an element runs past its end or the file)'
      : reason;
  }
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'EACCES' || code === 'EPERM')
    return 'cannot be read (permission denied) — check its permissions';
  if (code === 'ENOENT') return 'vanished while indexing';
  if (typeof error === 'string') {
    // dicom-parser throws bare strings naming its own functions; say what is wrong with the file instead.
    const plain = parserErrorText(error);
    return `header is corrupt${plain ? ` (${plain})` : ''} — the file cannot be read; copy it again from its source`;
  }
  return error instanceof Error ? error.message : String(error);
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Groups instances into studies and series. Exported for callers that collect headers themselves. */
export function groupInstances(instances: InstanceHeader[]): IndexedStudy[] {
  const studies = new Map<string, { first: InstanceHeader; series: Map<string, InstanceHeader[]> }>();
  for (const instance of instances) {
    let study = studies.get(instance.studyInstanceUid);
    if (!study) studies.set(instance.studyInstanceUid, (study = { first: instance, series: new Map() }));
    const members = study.series.get(instance.seriesInstanceUid);
    if (members) members.push(instance);
    else study.series.set(instance.seriesInstanceUid, [instance]);
  }
  return [...studies.values()]
    .map(({ first, series }) => ({
      studyInstanceUid: first.studyInstanceUid,
      patientId: first.patientId,
      patientName: first.patientName,
      studyDate: first.studyDate,
      description: first.studyDescription,
      accessionNumber: first.accessionNumber,
      series: [...series.values()]
        .map(orderSeries)
        .sort(
          (a, b) =>
            (a.seriesNumber ?? Infinity) - (b.seriesNumber ?? Infinity) ||
            compare(a.seriesInstanceUid, b.seriesInstanceUid),
        ),
    }))
    .sort((a, b) => compare(a.studyDate, b.studyDate) || compare(a.studyInstanceUid, b.studyInstanceUid));
}

export function groupPatients(studies: IndexedStudy[]): IndexedPatient[] {
  const patients = new Map<string, IndexedPatient>();
  for (const study of studies) {
    const key = `${study.patientId}\u0000${study.patientName}`;
    const patient = patients.get(key);
    if (patient) patient.studies.push(study);
    else patients.set(key, { patientId: study.patientId, patientName: study.patientName, studies: [study] });
  }
  return [...patients.values()];
}

/** Indexes files, folders, zip files and DICOMDIRs. Never throws for bad input; see `errors`. */
export async function indexDicom(paths: string[], options: IndexOptions = {}): Promise<DicomIndex> {
  const collected = collectFiles(paths);
  const errors: FileError[] = [...collected.errors];
  const instances: InstanceHeader[] = [];
  let skipped = 0;
  const total = collected.files.length + collected.zips.length;
  let done = 0;
  for (let start = 0; start < collected.files.length; start += BATCH) {
    options.signal?.throwIfAborted();
    for (const path of collected.files.slice(start, start + BATCH)) {
      try {
        instances.push(readHeader(path));
      } catch (error) {
        if (error instanceof NotDicomError) skipped++;
        else errors.push({ path, reason: reasonOf(error) });
      }
    }
    done = Math.min(collected.files.length, start + BATCH);
    options.onProgress?.(done, total);
    // Let timers, I/O and cancellation in between batches.
    await new Promise((resolve) => setImmediate(resolve));
  }
  for (const zip of collected.zips) {
    options.signal?.throwIfAborted();
    try {
      const result = indexZip(zip);
      instances.push(...result.instances);
      errors.push(...result.errors);
      skipped += result.skipped;
    } catch (error) {
      errors.push({ path: zip, reason: reasonOf(error) });
    }
    options.onProgress?.(++done, total);
    await new Promise((resolve) => setImmediate(resolve));
  }
  const studies = groupInstances(instances);
  return { patients: groupPatients(studies), studies, skipped, errors };
}
