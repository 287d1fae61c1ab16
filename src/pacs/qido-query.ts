// Owns the QIDO-RS search vocabulary: what a user can search by (patient name or ID, a date range, modality,
// accession number, study or series UID) turned into query parameters, paging by limit/offset, and the DICOM
// JSON answers turned into plain summaries. Patient names are returned to the caller for display only —
// nothing here logs them.
import type { DicomJson } from './dicomweb-client.ts';

export interface QidoQuery {
  /** Patient's Name; "*" and "?" wildcards as DICOM matching allows (e.g. "SMITH*"). */
  patientName?: string;
  patientId?: string;
  /** First study date, YYYY-MM-DD or YYYYMMDD (inclusive). */
  studyDateFrom?: string;
  /** Last study date (inclusive). */
  studyDateTo?: string;
  /** Modality of the series (series search) or Modalities in Study (study search). */
  modality?: string;
  accessionNumber?: string;
  studyInstanceUid?: string;
  seriesInstanceUid?: string;
  limit?: number;
  offset?: number;
}

function dicomDate(text: string, what: string): string {
  const compact = text.replace(/-/g, '');
  if (!/^\d{8}$/.test(compact)) throw new Error(`${what} "${text}" is not a date (YYYY-MM-DD)`);
  return compact;
}

export function qidoSearchParams(query: QidoQuery, level: 'study' | 'series' | 'instance' = 'study'): string {
  const params = new URLSearchParams();
  if (query.patientName) params.set('PatientName', query.patientName);
  if (query.patientId) params.set('PatientID', query.patientId);
  if (query.studyDateFrom || query.studyDateTo) {
    const from = query.studyDateFrom ? dicomDate(query.studyDateFrom, 'from date') : '';
    const to = query.studyDateTo ? dicomDate(query.studyDateTo, 'to date') : '';
    params.set('StudyDate', from === to ? from : `${from}-${to}`);
  }
  // A study search matches Modalities in Study; a series or instance search the series' own Modality.
  if (query.modality) params.set(level === 'study' ? 'ModalitiesInStudy' : 'Modality', query.modality);
  if (query.accessionNumber) params.set('AccessionNumber', query.accessionNumber);
  if (query.studyInstanceUid && level === 'study') params.set('StudyInstanceUID', query.studyInstanceUid);
  if (query.seriesInstanceUid && level !== 'instance')
    params.set('SeriesInstanceUID', query.seriesInstanceUid);
  if (query.limit !== undefined) params.set('limit', String(query.limit));
  if (query.offset !== undefined) params.set('offset', String(query.offset));
  // Ask for the attributes the summaries show (servers return a minimal set otherwise).
  for (const field of ['StudyDescription', 'SeriesDescription', 'NumberOfStudyRelatedInstances']) {
    params.append('includefield', field);
  }
  return params.toString();
}

export function jsonString(dataset: DicomJson, tag: string): string {
  const value = dataset[tag]?.Value?.[0];
  if (value === undefined || value === null) return '';
  if (typeof value === 'object') return String((value as { Alphabetic?: string }).Alphabetic ?? '');
  return String(value);
}

function jsonNumber(dataset: DicomJson, tag: string): number | undefined {
  const text = jsonString(dataset, tag);
  return text === '' ? undefined : Number(text);
}

export interface StudySummary {
  studyInstanceUid: string;
  studyDate: string;
  accessionNumber: string;
  patientId: string;
  /** For display on the user's screen only; never logged. */
  patientName: string;
  description: string;
  modalities: string[];
  instances?: number;
}

export interface SeriesSummary {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  modality: string;
  seriesNumber?: number;
  description: string;
  instances?: number;
}

export function studySummary(dataset: DicomJson): StudySummary {
  return {
    studyInstanceUid: jsonString(dataset, '0020000D'),
    studyDate: jsonString(dataset, '00080020'),
    accessionNumber: jsonString(dataset, '00080050'),
    patientId: jsonString(dataset, '00100020'),
    patientName: jsonString(dataset, '00100010'),
    description: jsonString(dataset, '00081030'),
    modalities: (dataset['00080061']?.Value ?? []).map(String),
    instances: jsonNumber(dataset, '00201208'),
  };
}

export function seriesSummary(dataset: DicomJson, studyInstanceUid = ''): SeriesSummary {
  return {
    studyInstanceUid: jsonString(dataset, '0020000D') || studyInstanceUid,
    seriesInstanceUid: jsonString(dataset, '0020000E'),
    modality: jsonString(dataset, '00080060'),
    seriesNumber: jsonNumber(dataset, '00200011'),
    description: jsonString(dataset, '0008103E'),
    instances: jsonNumber(dataset, '00201209'),
  };
}

/**
 * Every match of a search, page by page (`pageSize` per request), for servers that cap answers. Stops at a
 * short page; `max` bounds the total as a guard against a server that ignores offset.
 */
export async function searchAll(
  search: (page: { limit: number; offset: number }) => Promise<DicomJson[]>,
  pageSize = 100,
  max = 100000,
): Promise<DicomJson[]> {
  const all: DicomJson[] = [];
  let previousFirst = '';
  for (let offset = 0; offset < max; offset += pageSize) {
    const page = await search({ limit: pageSize, offset });
    // A server that ignores offset sends the first page again: stop rather than loop on duplicates.
    const first = JSON.stringify(page[0] ?? null);
    if (offset > 0 && first === previousFirst) break;
    previousFirst = first;
    all.push(...page);
    if (page.length < pageSize) break;
  }
  return all;
}
