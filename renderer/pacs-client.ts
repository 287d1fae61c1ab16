// The PACS dialog's calls to the API (servers, connection test, search, pull, push, retry queue), on
// relative URLs like every other call. A secret only ever goes out in a request body; no answer holds one.
// Failures throw ApiError with the server's problem detail (which names the PACS and what to do).
import type { Job } from '../src/shared/api-types.ts';
import type {
  PacsPushResult,
  PacsQueueEntry,
  PacsSeries,
  PacsServerInfo,
  PacsServerList,
  PacsServerSave,
  PacsStudyPage,
  PacsStudySearch,
} from '../src/shared/pacs-types.ts';
import { json } from './api-client.ts';

const call = json;

const send = <T>(what: string, method: string, url: string, body?: unknown) =>
  call<T>(what, url, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });

const server = (name: string) => `/api/pacs/servers/${encodeURIComponent(name)}`;

/** The search form's values as a query string: empty fields are left out. */
export function searchQuery(search: PacsStudySearch): string {
  return new URLSearchParams(
    Object.entries(search)
      .filter(([, value]) => value !== undefined && String(value).trim() !== '')
      .map(([key, value]) => [key, String(value).trim()]),
  ).toString();
}

export const pacsApi = {
  servers: () => call<PacsServerList>('Loading the PACS servers', '/api/pacs/servers'),
  save: (name: string, body: PacsServerSave) =>
    send<PacsServerInfo>(`Saving the PACS server "${name}"`, 'PUT', server(name), body),
  remove: (name: string) =>
    call<{ removed: string }>(`Removing the PACS server "${name}"`, server(name), { method: 'DELETE' }),
  test: (name: string, secret?: string) =>
    send<{ ok: true; message: string }>(
      `Testing the connection to "${name}"`,
      'POST',
      `${server(name)}/test`,
      secret ? { secret } : {},
    ),
  studies: (name: string, search: PacsStudySearch) =>
    call<PacsStudyPage>(`Searching "${name}"`, `${server(name)}/studies?${searchQuery(search)}`),
  series: (name: string, studyUid: string) =>
    call<PacsSeries[]>(
      `Listing the series of a study on "${name}"`,
      `${server(name)}/studies/${encodeURIComponent(studyUid)}/series`,
    ),
  pull: (name: string, series: { studyInstanceUid: string; seriesInstanceUid: string }[]) =>
    send<Job>(`Pulling from "${name}"`, 'POST', `${server(name)}/pull`, { series }),
  push: (name: string, seriesUid: string) =>
    send<PacsPushResult>(`Pushing the labels to "${name}"`, 'POST', `${server(name)}/push`, { seriesUid }),
  queue: () => call<{ entries: PacsQueueEntry[] }>('Loading the retry queue', '/api/pacs/queue'),
  retry: (name?: string) =>
    send<PacsPushResult>(
      'Retrying the queued pushes',
      'POST',
      '/api/pacs/queue/retry',
      name ? { server: name } : {},
    ),
};
