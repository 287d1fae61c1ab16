// Owns long-running work started through the API: importing files or folders, the bundled sample, a model
// run over one series, and following any of them (state, server-sent events, cancel).
import { stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { createRoute, z } from '@hono/zod-openapi';
import { requireSeries, type ApiContext } from '../api-context.ts';
import { importRequestSchema, jobSchema, seriesUidSchema } from '../api-schemas.ts';
import { badRequest, conflict, notFound } from '../problem.ts';
import { problems, type ApiApp } from './route-kit.ts';

const jobAnswer = (description: string) => ({
  description,
  content: { 'application/json': { schema: jobSchema } },
});

const jobParams = z.object({
  id: z
    .string()
    .uuid()
    .openapi({ param: { name: 'id', in: 'path' } }),
});

const importRoute = createRoute({
  method: 'post',
  path: '/api/import',
  summary:
    'Import DICOM files or folders (absolute paths that exist); they become the roots the API may read below',
  request: { body: { content: { 'application/json': { schema: importRequestSchema } }, required: true } },
  responses: { 202: jobAnswer('The import job'), 400: problems[400] },
});

const sampleRoute = createRoute({
  method: 'post',
  path: '/api/sample',
  summary: 'Generate the bundled sample studies into the app data folder and import them',
  responses: { 202: jobAnswer('The sample import job') },
});

const runModelRoute = createRoute({
  method: 'post',
  path: '/api/series/{seriesUid}/run-model',
  summary: 'Run the active model over the series (queued behind other runs)',
  request: { params: z.object({ seriesUid: seriesUidSchema }) },
  responses: { 202: jobAnswer('The model job'), 404: problems[404], 409: problems[409] },
});

const runningRoute = createRoute({
  method: 'get',
  path: '/api/jobs',
  summary: 'Jobs still running (imports, the sample, model runs queued by an import), oldest first',
  responses: {
    200: { description: 'The running jobs', content: { 'application/json': { schema: z.array(jobSchema) } } },
  },
});

const jobRoute = createRoute({
  method: 'get',
  path: '/api/jobs/{id}',
  summary: "A job's state",
  request: { params: jobParams },
  responses: { 200: jobAnswer('The job'), 404: problems[404] },
});

const eventsRoute = createRoute({
  method: 'get',
  path: '/api/jobs/{id}/events',
  summary: "A job's state as server-sent events (`data: Job`), until it ends",
  request: { params: jobParams },
  responses: {
    200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: z.string() } } },
    404: problems[404],
  },
});

const cancelRoute = createRoute({
  method: 'post',
  path: '/api/jobs/{id}/cancel',
  summary: 'Cancel a running job',
  request: { params: jobParams },
  responses: { 200: jobAnswer('The job, cancelling'), 404: problems[404] },
});

async function checkPaths(paths: string[]): Promise<string[]> {
  for (const path of paths) {
    if (!isAbsolute(path) || path.includes('\0')) {
      throw badRequest(`"${path}" is not an absolute path — give the full path of the folder or file`);
    }
    try {
      await stat(path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw badRequest(
        code === 'EACCES' || code === 'EPERM'
          ? `${path} cannot be read (permission denied) — check its permissions`
          : `${path} does not exist — check the path`,
      );
    }
  }
  return paths;
}

export function jobRoutes(app: ApiApp, context: ApiContext): void {
  app.openapi(importRoute, async (c) => {
    const paths = await checkPaths(c.req.valid('json').paths);
    return c.json(context.startImport(paths), 202);
  });

  app.openapi(sampleRoute, (c) => c.json(context.startSample(), 202));

  app.openapi(runModelRoute, (c) => {
    const { seriesUid } = c.req.valid('param');
    requireSeries(context, seriesUid);
    if (!context.models.active()) {
      throw conflict('no usable model is installed — put one in models/ or start Overread with --models DIR');
    }
    return c.json(context.models.start(seriesUid), 202);
  });

  app.openapi(runningRoute, (c) => c.json(context.jobs.running(), 200));

  app.openapi(jobRoute, (c) => {
    const { id } = c.req.valid('param');
    const job = context.jobs.get(id);
    if (!job) throw notFound('job', id);
    return c.json(job, 200);
  });

  app.openapi(eventsRoute, (c) => {
    const { id } = c.req.valid('param');
    const stream = context.jobs.events(id);
    if (!stream) throw notFound('job', id);
    return new Response(stream, {
      headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store' },
    });
  });

  app.openapi(cancelRoute, (c) => {
    const { id } = c.req.valid('param');
    if (!context.jobs.get(id)) throw notFound('job', id);
    context.jobs.cancel(id);
    return c.json(context.jobs.get(id)!, 200);
  });
}
