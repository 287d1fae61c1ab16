// Every call the renderer makes to the API, on relative URLs (`/api/...`) so the same bundle works under
// `overread serve` and Electron's app:// origin. A failed call throws an ApiError naming what failed and the
// server's problem detail; callers show it in a toast, never swallow it.
import type {
  AddFindingRequest,
  OutlineInfo,
  OutlineRequest,
  DecisionRequest,
  ExportRequest,
  FindingInfo,
  Job,
  Problem,
  PlaneMaskInfo,
  PlaneMaskRequest,
  ReaderAgreement,
  FollowUp,
  PriorSeries,
  SeriesInfo,
  SeriesReport,
  SessionInfo,
  AuditStatus,
  StatusRequest,
  UndoResult,
  WorklistPage,
  WorklistSort,
} from '../src/shared/api-types.ts';
import { SseParser } from './sse-parser.ts';

export class ApiError extends Error {
  constructor(
    readonly what: string,
    readonly status: number,
    detail: string,
  ) {
    super(`${what} failed: ${detail}`);
    this.name = 'ApiError';
  }
}

async function failure(what: string, response: Response): Promise<ApiError> {
  let detail = `${response.status} ${response.statusText}`;
  try {
    const text = await response.text();
    try {
      const problem = JSON.parse(text) as Partial<Problem>;
      detail = problem.detail || problem.title || detail;
    } catch {
      if (text) detail = text.slice(0, 200);
    }
  } catch {
    // the body could not be read; the status line is all there is
  }
  return new ApiError(what, response.status, detail);
}

async function request(what: string, url: string, init?: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { credentials: 'same-origin', ...init });
  } catch (error) {
    throw new ApiError(what, 0, `the app's server did not answer (${(error as Error).message})`);
  }
  if (!response.ok) throw await failure(what, response);
  return response;
}

/** One JSON call; the Model page and PACS dialog clients use it too, so failures read the same everywhere. */
export async function json<T>(what: string, url: string, init?: RequestInit): Promise<T> {
  const response = await request(what, url, init);
  return (await response.json()) as T;
}

function post<T>(what: string, url: string, body?: unknown): Promise<T> {
  return json<T>(what, url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
}

const seriesUrl = (uid: string) => `/api/series/${encodeURIComponent(uid)}`;

/**
 * Slice k's pixels: `bytes` bytes at `offset` in a slice response's body (the whole body for /slices/{k},
 * one part of a range), int16 unless the server said float32, checked against X-Rows × X-Columns.
 */
function sliceData(
  response: Response,
  what: string,
  k: number,
  buffer: ArrayBuffer,
  offset: number,
  bytes: number,
  type: string | null,
): SliceData {
  const rows = Number(response.headers.get('x-rows'));
  const columns = Number(response.headers.get('x-columns'));
  const whole = Number.isFinite(bytes) && bytes >= 0 && offset + bytes <= buffer.byteLength;
  // Views on the response's buffer, no copies; only a float32 part that sits unaligned in a range is copied.
  const pixels = !whole
    ? new Int16Array(0)
    : type !== 'float32'
      ? new Int16Array(buffer, offset, Math.floor(bytes / 2))
      : offset % 4 === 0
        ? new Float32Array(buffer, offset, Math.floor(bytes / 4))
        : new Float32Array(buffer.slice(offset, offset + bytes));
  if (pixels.length < rows * columns) {
    throw new ApiError(
      what,
      response.status,
      `slice ${k + 1}: got ${pixels.length} pixels, expected ${rows}×${columns}`,
    );
  }
  return { pixels, rows, columns };
}

export interface SliceData {
  pixels: Int16Array | Float32Array;
  rows: number;
  columns: number;
}

/** GET /api/models (the API's ModelList): what About shows as the model cards. */
export interface ModelList {
  models: {
    id: string;
    version: string;
    sha256: string;
    source: 'bundled' | 'user';
    defaultThreshold: number;
    threshold: number;
    active: boolean;
  }[];
  refused: { id: string; reason: string }[];
}

export const api = {
  session: () => json<SessionInfo>('Loading the session', '/api/session'),
  audit: () => json<AuditStatus>('Verifying the audit log', '/api/audit'),
  /** The whole worklist in the API's order, fetched in pages (the API answers at most 500 at a time). */
  async worklist(sort: WorklistSort = 'priority'): Promise<WorklistPage> {
    const items: WorklistPage['items'] = [];
    for (;;) {
      const page = await json<WorklistPage>(
        'Loading the worklist',
        `/api/worklist?limit=500&offset=${items.length}&sort=${encodeURIComponent(sort)}`,
      );
      items.push(...page.items);
      if (page.items.length === 0 || items.length >= page.total) return { items, total: page.total };
    }
  },
  series: (uid: string) => json<SeriesInfo>('Loading the series', seriesUrl(uid)),
  findings: (uid: string) => json<FindingInfo[]>('Loading the findings', `${seriesUrl(uid)}/findings`),

  async slice(uid: string, k: number): Promise<SliceData> {
    const what = `Loading slice ${k + 1}`;
    const response = await request(what, `${seriesUrl(uid)}/slices/${k}`);
    const buffer = await response.arrayBuffer();
    const type = response.headers.get('x-pixel-type');
    return sliceData(response, what, k, buffer, 0, buffer.byteLength, type);
  },
  /** Slices from … from + count - 1 in one request (fewer when the series ends first), in order. */
  async sliceRange(uid: string, from: number, count: number): Promise<SliceData[]> {
    const what = `Loading slices ${from + 1}–${from + count}`;
    const response = await request(what, `${seriesUrl(uid)}/slices?from=${from}&count=${count}`);
    const buffer = await response.arrayBuffer();
    const types = (response.headers.get('x-pixel-types') ?? '').split(',');
    const sizes = (response.headers.get('x-slice-bytes') ?? '').split(',').map(Number);
    const slices: SliceData[] = [];
    let offset = 0;
    for (let i = 0; i < sizes.length; i++) {
      slices.push(sliceData(response, what, from + i, buffer, offset, sizes[i]!, types[i] ?? null));
      offset += sizes[i]!;
    }
    return slices;
  },
  async probability(uid: string, k: number): Promise<Uint8Array> {
    const response = await request(
      `Loading the probability map of slice ${k + 1}`,
      `${seriesUrl(uid)}/probability/${k}`,
    );
    return new Uint8Array(await response.arrayBuffer());
  },
  /** The probability map through image rows (axis row) or columns first…last, their highest: slices × width. */
  async probabilityPlane(
    uid: string,
    axis: 'row' | 'column',
    first: number,
    last: number,
  ): Promise<Uint8Array> {
    const response = await request(
      `Loading the probability map along ${axis}s ${first + 1}–${last + 1}`,
      `${seriesUrl(uid)}/probability-plane?axis=${axis}&first=${first}&last=${last}`,
    );
    return new Uint8Array(await response.arrayBuffer());
  },
  /** A finding's final mask on slice k: this reader's, or `reader`'s (comparing second reads). */
  async mask(findingId: number, k: number, reader?: string): Promise<Uint8Array> {
    const query = reader === undefined ? '' : `?reader=${encodeURIComponent(reader)}`;
    const response = await request(
      reader === undefined
        ? `Loading the mask of finding ${findingId}`
        : `Loading ${reader}'s mask of finding ${findingId}`,
      `/api/findings/${findingId}/mask/${k}${query}`,
    );
    return new Uint8Array(await response.arrayBuffer());
  },
  seriesReport: (uid: string) =>
    json<SeriesReport>('Writing the findings report', `${seriesUrl(uid)}/report`),
  priors: async (uid: string) =>
    (await json<{ priors: PriorSeries[] }>("Listing the patient's other studies", `${seriesUrl(uid)}/priors`))
      .priors,
  /** Without `prior`: against the patient's latest earlier study of the same modality. */
  followUp: (uid: string, prior?: string) =>
    json<FollowUp>(
      'Comparing with the prior study',
      `${seriesUrl(uid)}/follow-up${prior ? `?prior=${encodeURIComponent(prior)}` : ''}`,
    ),
  agreement: (uid: string, a: string, b: string) =>
    json<ReaderAgreement>(
      'Comparing the readers',
      `${seriesUrl(uid)}/agreement?a=${encodeURIComponent(a)}&b=${encodeURIComponent(b)}`,
    ),
  async saveMask(findingId: number, k: number, mask: Uint8Array): Promise<void> {
    await request(
      `Saving the corrected mask of finding ${findingId}, slice ${k + 1}`,
      `/api/findings/${findingId}/mask/${k}`,
      {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: mask as Uint8Array<ArrayBuffer>,
      },
    );
  },
  paintPlane: (findingId: number, body: PlaneMaskRequest) =>
    json<PlaneMaskInfo>(
      `Saving the mask of finding ${findingId} painted on the plane`,
      `/api/findings/${findingId}/plane-mask`,
      {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      },
    ),
  fillSlices: (findingId: number) =>
    post<{ filled: number[] }>(
      `Filling the slices between the painted ones of finding ${findingId}`,
      `/api/findings/${findingId}/fill-slices`,
    ),
  decide: (findingId: number, body: DecisionRequest) =>
    post<unknown>(
      body.kind === 'confirmed' ? `Confirming finding ${findingId}` : `Rejecting finding ${findingId}`,
      `/api/findings/${findingId}/decision`,
      body,
    ),
  outlineNodule: (uid: string, body: OutlineRequest) =>
    post<OutlineInfo>('Outlining the nodule', `${seriesUrl(uid)}/findings/outline`, body),
  addFinding: (uid: string, body: AddFindingRequest) =>
    post<FindingInfo>('Adding the missed finding', `${seriesUrl(uid)}/findings`, body),
  setStatus: (uid: string, body: StatusRequest) =>
    post<unknown>(
      body.status === 'done' ? 'Marking the series done' : 'Starting the review',
      `${seriesUrl(uid)}/status`,
      body,
    ),
  undo: (uid: string) => post<UndoResult>('Undo', `${seriesUrl(uid)}/undo`),
  redo: (uid: string) => post<UndoResult>('Redo', `${seriesUrl(uid)}/redo`),
  runningJobs: () => json<Job[]>('Loading the running jobs', '/api/jobs'),
  importPaths: (paths: string[]) => post<Job>('Starting the import', '/api/import', { paths }),
  exportDataset: (body: ExportRequest) => post<Job>('Starting the export', '/api/export', body),
  cancelJob: (id: string) => post<Job>('Cancelling the job', `/api/jobs/${encodeURIComponent(id)}/cancel`),
  sample: () => post<Job>('Preparing the sample studies', '/api/sample'),
  setReader: (name: string) => post<SessionInfo>('Switching the reader', '/api/session/reader', { name }),
  models: () => json<ModelList>('Loading the installed models', '/api/models'),
  runModel: (uid: string) => post<Job>('Starting the model', `${seriesUrl(uid)}/run-model`),

  /** Follows a job's SSE stream, calling `onUpdate` with each state, resolving with the last one. */
  async followJob(job: Job, onUpdate: (job: Job) => void): Promise<Job> {
    const what = `Following the ${job.kind === 'model' ? 'model run' : job.kind}`;
    const response = await request(what, `/api/jobs/${encodeURIComponent(job.id)}/events`);
    let last = job;
    onUpdate(last);
    if (!response.body) return last;
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    const parser = new SseParser();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      for (const data of parser.push(value)) {
        last = JSON.parse(data) as Job;
        onUpdate(last);
      }
    }
    return last;
  },
};
