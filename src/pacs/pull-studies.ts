// Owns the batch side of pulling: which series to fetch (one study by UID, or every study matching a search
// such as "CT since yesterday"), then each series into the cache with retrieve-series.ts. A series that fails
// is reported and the others still come, so one bad series does not cost a night's batch.
import type { DicomwebClient } from './dicomweb-client.ts';
import { PacsError } from './pacs-error.ts';
import { searchAll, seriesSummary, studySummary, type QidoQuery, type SeriesSummary } from './qido-query.ts';
import { retrieveSeries, type RetrieveProgress, type RetrieveResult } from './retrieve-series.ts';

export interface PullRequest {
  /** One study by UID… */
  studyInstanceUid?: string;
  /** …or every study matching this search (date range, modality, patient, accession). */
  query?: QidoQuery;
  /** Only series of this modality (e.g. "CT"); also narrows the study search. */
  modality?: string;
}

export interface PulledSeries {
  series: SeriesSummary;
  result?: RetrieveResult;
  error?: PacsError;
}

export interface PullOptions {
  signal?: AbortSignal;
  onSeries?: (series: SeriesSummary, index: number, total: number) => void;
  onProgress?: (progress: RetrieveProgress) => void;
}

/** The series a pull will fetch, in study then series order. */
export async function seriesToPull(client: DicomwebClient, request: PullRequest, signal?: AbortSignal) {
  let studies: string[];
  if (request.studyInstanceUid) {
    studies = [request.studyInstanceUid];
  } else if (request.query) {
    const query = { ...request.query, modality: request.query.modality ?? request.modality };
    const found = await searchAll((page) => client.searchStudies({ ...query, ...page }, signal));
    studies = found.map((d) => studySummary(d).studyInstanceUid).filter(Boolean);
  } else {
    throw new PacsError('config', 'a pull needs a study UID or a search (e.g. a date and a modality)');
  }
  const series: SeriesSummary[] = [];
  for (const study of studies) {
    const found = await searchAll((page) =>
      client.searchSeries({ studyInstanceUid: study, modality: request.modality, ...page }, signal),
    );
    series.push(...found.map((d) => seriesSummary(d, study)));
  }
  return series.sort(
    (a, b) =>
      a.studyInstanceUid.localeCompare(b.studyInstanceUid) || (a.seriesNumber ?? 0) - (b.seriesNumber ?? 0),
  );
}

export async function pullSeries(
  client: DicomwebClient,
  series: SeriesSummary[],
  cacheDir: string,
  options: PullOptions = {},
): Promise<PulledSeries[]> {
  const pulled: PulledSeries[] = [];
  for (const [n, entry] of series.entries()) {
    options.onSeries?.(entry, n, series.length);
    try {
      const result = await retrieveSeries(client, entry, cacheDir, {
        signal: options.signal,
        onProgress: options.onProgress,
      });
      pulled.push({ series: entry, result });
    } catch (error) {
      if (!(error instanceof PacsError) || error.kind === 'aborted') throw error;
      // The server itself is gone or refuses us: the next series would fail the same way.
      if (error.kind === 'auth' || error.kind === 'unreachable') throw error;
      pulled.push({ series: entry, error });
    }
  }
  return pulled;
}
