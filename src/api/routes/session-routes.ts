// Owns who is reading and with which model: GET /api/session, and POST /api/session/reader to switch the
// reader (a second read is the same series reviewed under another reader's name).
import { createRoute } from '@hono/zod-openapi';
import type { SessionInfo } from '../../shared/api-types.ts';
import type { ApiContext } from '../api-context.ts';
import { readerRequestSchema, sessionInfoSchema } from '../api-schemas.ts';
import { problems, type ApiApp } from './route-kit.ts';

const sessionAnswer = {
  description: 'The session',
  content: { 'application/json': { schema: sessionInfoSchema } },
};

const sessionRoute = createRoute({
  method: 'get',
  path: '/api/session',
  summary:
    'The current reader, the known readers, the active model and its threshold, whether the sample is offered',
  responses: { 200: sessionAnswer },
});

const readerRoute = createRoute({
  method: 'post',
  path: '/api/session/reader',
  summary: 'Switch the reader whose decisions are recorded (added to the readers when new)',
  request: { body: { content: { 'application/json': { schema: readerRequestSchema } }, required: true } },
  responses: { 200: sessionAnswer, 400: problems[400] },
});

export function sessionInfo(context: ApiContext): SessionInfo {
  const active = context.models.active();
  return {
    reader: context.reader(),
    readers: context.store.readers(),
    model: active
      ? {
          id: active.model.id,
          version: active.model.manifest.version,
          sha256: active.model.manifest.sha256,
          threshold: active.threshold,
        }
      : null,
    sampleAvailable: context.sampleAvailable(),
  };
}

export function sessionRoutes(app: ApiApp, context: ApiContext): void {
  app.openapi(sessionRoute, (c) => c.json(sessionInfo(context), 200));
  app.openapi(readerRoute, (c) => {
    context.setReader(c.req.valid('json').name);
    return c.json(sessionInfo(context), 200);
  });
}
