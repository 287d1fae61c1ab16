// Owns /api/pacs/*: DICOMweb servers (list, save, delete, connection test), the study and series search with
// paging, pulls as jobs (progress over the usual SSE job events; what arrives is imported and triaged),
// pushing a reviewed series' DICOM SEG with the per-object outcome, and the retry queue. The work itself is
// pacs-service.ts's; a PacsError becomes a problem whose detail is its message (server named, secret never).
import { createRoute, z } from '@hono/zod-openapi';
import type { ApiContext } from '../api-context.ts';
import { jobSchema } from '../api-schemas.ts';
import { pacsProblem, type PacsService } from '../pacs-service.ts';
import { studySummary, seriesSummary, type SeriesSummary } from '../../pacs/index.ts';
import type { PacsSeries, PacsStudyPage } from '../../shared/pacs-types.ts';
import { problems, type ApiApp } from './route-kit.ts';
import {
  pullRequestSchema,
  pushRequestSchema,
  pushResultSchema,
  queueSchema,
  retryRequestSchema,
  secretBodySchema,
  serverInfoSchema,
  serverListSchema,
  serverNameSchema,
  serverSaveSchema,
  seriesSchema,
  studyPageSchema,
  studySearchSchema,
  studyUidParamSchema,
} from './pacs-schemas.ts';

const json = <T extends z.ZodType>(description: string, schema: T) => ({
  description,
  content: { 'application/json': { schema } },
});
const body = <T extends z.ZodType>(schema: T, required = true) => ({
  body: { content: { 'application/json': { schema } }, required },
});
const upstream = {
  ...problems[409],
  description: 'The server refused the credentials, could not be reached or failed (detail says which)',
};
const name = z.object({ name: serverNameSchema });
const tag = ['PACS'];

const listRoute = createRoute({
  method: 'get',
  path: '/api/pacs/servers',
  tags: tag,
  summary: 'The DICOMweb servers set up, with where each secret comes from (never the secret)',
  responses: { 200: json('The servers', serverListSchema) },
});
const saveRoute = createRoute({
  method: 'put',
  path: '/api/pacs/servers/{name}',
  tags: tag,
  summary:
    'Add or replace a server; a secret goes to the OS keychain (desktop) or is kept for this session only',
  request: { params: name, ...body(serverSaveSchema) },
  responses: { 200: json('The server', serverInfoSchema), 400: problems[400], 409: problems[409] },
});
const deleteRoute = createRoute({
  method: 'delete',
  path: '/api/pacs/servers/{name}',
  tags: tag,
  summary: 'Remove a server and forget its saved secret (its queued pushes stay queued)',
  request: { params: name },
  responses: { 200: json('Removed', z.object({ removed: z.string() })), 404: problems[404] },
});
const testRoute = createRoute({
  method: 'post',
  path: '/api/pacs/servers/{name}/test',
  tags: tag,
  summary: 'Connection test: one study search; an optional secret is tried and kept for this session',
  request: { params: name, ...body(secretBodySchema, false) },
  responses: {
    200: json('Connected', z.object({ ok: z.literal(true), message: z.string() })),
    404: problems[404],
    409: problems[409],
    502: upstream,
  },
});
const studiesRoute = createRoute({
  method: 'get',
  path: '/api/pacs/servers/{name}/studies',
  tags: tag,
  summary: 'QIDO-RS study search by patient name/ID, date range, modality, accession number; paged',
  request: { params: name, query: studySearchSchema },
  responses: { 200: json('One page of studies', studyPageSchema), 400: problems[400], 502: upstream },
});
const seriesRoute = createRoute({
  method: 'get',
  path: '/api/pacs/servers/{name}/studies/{studyUid}/series',
  tags: tag,
  summary: "A study's series on the server, with the local status of those already pulled",
  request: { params: name.extend({ studyUid: studyUidParamSchema }) },
  responses: { 200: json('The series', z.array(seriesSchema)), 502: upstream },
});
const pullRoute = createRoute({
  method: 'post',
  path: '/api/pacs/servers/{name}/pull',
  tags: tag,
  summary: 'Pull series into the local cache as a job (resumable), then import and triage them',
  request: { params: name, ...body(pullRequestSchema) },
  responses: { 202: json('The pull job (kind "pull")', jobSchema), 400: problems[400], 409: problems[409] },
});
const pushRoute = createRoute({
  method: 'post',
  path: '/api/pacs/servers/{name}/push',
  tags: tag,
  summary:
    "Push a done series' DICOM SEG (this reader's labels) with STOW-RS; what is not stored waits in the retry queue",
  request: { params: name, ...body(pushRequestSchema) },
  responses: {
    200: json('The outcome per object', pushResultSchema),
    404: problems[404],
    409: problems[409],
  },
});
const queueRoute = createRoute({
  method: 'get',
  path: '/api/pacs/queue',
  tags: tag,
  summary: 'Pushes waiting for a retry, oldest first',
  responses: { 200: json('The queue', queueSchema) },
});
const retryRoute = createRoute({
  method: 'post',
  path: '/api/pacs/queue/retry',
  tags: tag,
  summary: 'Send the queued pushes again (one server, or all); stored ones leave the queue',
  request: body(retryRequestSchema, false),
  responses: { 200: json('The outcome per object', pushResultSchema), 409: problems[409] },
});

async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw pacsProblem(error);
  }
}

export function pacsRoutes(app: ApiApp, context: ApiContext, pacs: PacsService): void {
  app.openapi(listRoute, async (c) =>
    c.json({ servers: await mapped(() => pacs.servers()), keychain: pacs.hasKeychain }, 200),
  );

  app.openapi(saveRoute, async (c) => {
    const { name } = c.req.valid('param');
    return c.json(await mapped(() => pacs.save(name, c.req.valid('json'))), 200);
  });

  app.openapi(deleteRoute, async (c) => {
    const { name } = c.req.valid('param');
    await mapped(() => pacs.remove(name));
    return c.json({ removed: name }, 200);
  });

  app.openapi(testRoute, async (c) => {
    const { name } = c.req.valid('param');
    // The body is optional: without one the validator leaves {} (or nothing) here.
    const secret = (c.req.valid('json') as { secret?: string } | undefined)?.secret;
    const message = await mapped(() => pacs.test(name, secret, c.req.raw.signal));
    return c.json({ ok: true as const, message }, 200);
  });

  app.openapi(studiesRoute, async (c) => {
    const { name } = c.req.valid('param');
    const q = c.req.valid('query');
    const client = await mapped(() => pacs.client(name));
    // One more than the page asks for says whether there is a next page, without a count the server lacks.
    const found = await mapped(() =>
      client.searchStudies(
        {
          patientName: q.patientName || undefined,
          patientId: q.patientId || undefined,
          studyDateFrom: q.dateFrom,
          studyDateTo: q.dateTo,
          modality: q.modality,
          accessionNumber: q.accessionNumber || undefined,
          limit: q.limit + 1,
          offset: q.offset,
        },
        c.req.raw.signal,
      ),
    );
    const page: PacsStudyPage = {
      studies: found.slice(0, q.limit).map(studySummary),
      offset: q.offset,
      limit: q.limit,
      more: found.length > q.limit,
    };
    return c.json(page, 200);
  });

  app.openapi(seriesRoute, async (c) => {
    const { name, studyUid } = c.req.valid('param');
    const client = await mapped(() => pacs.client(name));
    const found = await mapped(() =>
      client.searchSeries({ studyInstanceUid: studyUid, limit: 1000 }, c.req.raw.signal),
    );
    const series: PacsSeries[] = found.map((d) => {
      const summary = seriesSummary(d, studyUid);
      const local = context.store.series(summary.seriesInstanceUid);
      return local ? { ...summary, localStatus: local.status } : summary;
    });
    series.sort((a, b) => (a.seriesNumber ?? 0) - (b.seriesNumber ?? 0));
    return c.json(series, 200);
  });

  app.openapi(pullRoute, async (c) => {
    const { name } = c.req.valid('param');
    const chosen: SeriesSummary[] = c.req.valid('json').series.map((s) => ({
      ...s,
      modality: '',
      description: '',
    }));
    // The server and its secret are checked now, so "no password" is an answer, not a failed job.
    const server = await mapped(() => pacs.client(name));
    pacs.checkNotPulling(chosen);
    const job = context.jobs.start(
      'pull',
      `pulling ${chosen.length} series from "${server.server.name}"`,
      (job) => pacs.pull(name, chosen, job),
    );
    return c.json(job, 202);
  });

  app.openapi(pushRoute, async (c) => {
    const { name } = c.req.valid('param');
    const { seriesUid } = c.req.valid('json');
    return c.json(await mapped(() => pacs.push(name, seriesUid, context.reader())), 200);
  });

  app.openapi(queueRoute, async (c) => {
    const entries = (await pacs.queue.list()).map((e) => ({
      id: e.id,
      server: e.server,
      sopInstanceUid: e.sopInstanceUid,
      sopClassUid: e.sopClassUid,
      queuedAt: e.queuedAt,
      lastTriedAt: e.lastTriedAt,
      attempts: e.attempts,
      lastError: e.lastError,
    }));
    return c.json({ entries }, 200);
  });

  app.openapi(retryRoute, async (c) => {
    const server = (c.req.valid('json') as { server?: string } | undefined)?.server;
    return c.json(await mapped(() => pacs.retry(server)), 200);
  });
}
