// Owns the one hono app both transports serve: every route module mounted on the context, zod failures and
// thrown errors turned into problem+json, the OpenAPI document at /api/openapi.json, the renderer's files for
// every other path, and the security headers on every answer.
import { OpenAPIHono } from '@hono/zod-openapi';
import type { ZodError } from 'zod';
import type { ApiContext } from './api-context.ts';
import { bodyLimit } from 'hono/body-limit';
import { problemFromError, problemResponse, tooLarge } from './problem.ts';
import { withSecurityHeaders } from './security-headers.ts';
import { staticFiles } from './static-files.ts';
import { findingRoutes } from './routes/finding-routes.ts';
import { outlineRoutes } from './routes/outline-routes.ts';
import { jobRoutes } from './routes/job-routes.ts';
import { modelRoutes } from './routes/model-routes.ts';
import { followUpRoutes } from './routes/follow-up-routes.ts';
import { reviewRoutes } from './routes/review-routes.ts';
import { sessionRoutes } from './routes/session-routes.ts';
import { auditRoutes } from './routes/audit-routes.ts';
import { sliceRoutes } from './routes/slice-routes.ts';
import { worklistRoutes } from './routes/worklist-routes.ts';
import { exportRoutes } from './routes/export-routes.ts';
import { metricsRoutes } from './routes/metrics-routes.ts';
import { pacsRoutes } from './routes/pacs-routes.ts';

export const OPENAPI_PATH = '/api/openapi.json';
export const JSON_BODY_LIMIT = 1024 * 1024;
const PIXEL_BODIES = /^\/api\/(findings\/[^/]+\/mask\/[^/]+|series\/[^/]+\/findings)$/;

const WHERE: Record<string, string> = {
  json: 'the JSON body',
  query: 'the query string',
  param: 'the URL',
  form: 'the form',
  header: 'the headers',
};

/** "the JSON body: reason: a rejection needs a reason…; note: …" — every issue, by field. */
export function describeZodError(error: ZodError, target: string): string {
  const issues = error.issues.map((issue) => {
    const field = issue.path.map(String).join('.');
    return field ? `${field}: ${issue.message}` : issue.message;
  });
  return `${WHERE[target] ?? target} is not valid — ${issues.join('; ')}`;
}

export function buildApp(
  context: ApiContext,
  options: { rendererDir?: string; version?: string } = {},
): (request: Request) => Promise<Response> {
  const app = new OpenAPIHono({
    defaultHook: (result) => {
      if (!result.success) {
        return problemResponse(400, 'Bad request', describeZodError(result.error as ZodError, result.target));
      }
    },
  });
  app.onError((error) => problemFromError(error));
  // JSON bodies are small; only a mask slice (PUT) and an added finding carry pixels, with their own limits.
  const jsonLimit = bodyLimit({
    maxSize: JSON_BODY_LIMIT,
    onError: () => {
      throw tooLarge(`a request body is at most ${JSON_BODY_LIMIT / 1024} KiB here`);
    },
  });
  app.use('/api/*', (c, next) =>
    PIXEL_BODIES.test(c.req.path) || c.req.method === 'GET' ? next() : jsonLimit(c, next),
  );

  worklistRoutes(app, context);
  sliceRoutes(app, context);
  findingRoutes(app, context);
  outlineRoutes(app, context);
  reviewRoutes(app, context);
  followUpRoutes(app, context);
  jobRoutes(app, context);
  sessionRoutes(app, context);
  auditRoutes(app, context);
  modelRoutes(app, context);
  app.route('/', exportRoutes(context.store, context.jobs, { followUp: context.followUp }));
  app.route('/', metricsRoutes(context.store, context.models.registry, context.jobs));
  if (context.pacs) pacsRoutes(app, context, context.pacs);

  app.doc31(OPENAPI_PATH, {
    openapi: '3.1.0',
    info: {
      title: 'Overread',
      version: options.version ?? '0',
      description:
        'The local API of Overread: worklist, decoded slices, findings, review, import and model jobs. ' +
        'Errors are application/problem+json.',
    },
  });

  const files = options.rendererDir ? staticFiles(options.rendererDir) : undefined;
  app.notFound(async (c) => {
    const { pathname } = new URL(c.req.url);
    if (!pathname.startsWith('/api/') && pathname !== '/api' && c.req.method === 'GET' && files) {
      const file = await files(pathname);
      if (file) return file;
    }
    return problemResponse(
      404,
      'Not found',
      pathname.startsWith('/api')
        ? `no API endpoint ${c.req.method} ${pathname} — see ${OPENAPI_PATH} for the list`
        : `${pathname} is not part of the app — open / instead`,
    );
  });

  return async (request) => withSecurityHeaders(await app.fetch(request));
}
