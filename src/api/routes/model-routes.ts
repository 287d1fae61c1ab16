// Owns what the API says about models: those installed (and those refused, with the reason), which one is
// active, and the threshold chosen for it in calibration (saved with who chose it).
import { createRoute, z } from '@hono/zod-openapi';
import type { ApiContext } from '../api-context.ts';
import { modelInfoSchema, modelListSchema, thresholdRequestSchema } from '../api-schemas.ts';
import { notFound } from '../problem.ts';
import { problems, type ApiApp } from './route-kit.ts';

const listRoute = createRoute({
  method: 'get',
  path: '/api/models',
  summary: 'Installed models (the active one marked) and models refused, with why',
  responses: {
    200: { description: 'The models', content: { 'application/json': { schema: modelListSchema } } },
  },
});

const thresholdRoute = createRoute({
  method: 'put',
  path: '/api/models/{id}/threshold',
  summary: "Save the threshold this model's findings are derived at (applies to later runs)",
  request: {
    params: z.object({
      id: z
        .string()
        .min(1)
        .max(200)
        .openapi({ param: { name: 'id', in: 'path' } }),
    }),
    body: { content: { 'application/json': { schema: thresholdRequestSchema } }, required: true },
  },
  responses: {
    200: { description: 'The model', content: { 'application/json': { schema: modelInfoSchema } } },
    400: problems[400],
    404: problems[404],
  },
});

function modelInfo(context: ApiContext, id: string) {
  const model = context.models.registry.models.find((m) => m.id === id);
  if (!model) throw notFound('model', id);
  const saved = context.store.threshold(id);
  return {
    id,
    version: model.manifest.version,
    sha256: model.manifest.sha256,
    source: model.source,
    defaultThreshold: model.manifest.defaultThreshold,
    threshold: saved?.threshold ?? model.manifest.defaultThreshold,
    active: context.models.active()?.model.id === id,
  };
}

export function modelRoutes(app: ApiApp, context: ApiContext): void {
  app.openapi(listRoute, (c) => {
    const { models, refused } = context.models.registry;
    return c.json(
      {
        models: models.map((m) => modelInfo(context, m.id)),
        refused: refused.map((r) => ({ id: r.id, reason: r.reason })),
      },
      200,
    );
  });

  app.openapi(thresholdRoute, (c) => {
    const { id } = c.req.valid('param');
    modelInfo(context, id);
    context.store.saveThreshold(id, c.req.valid('json').threshold, context.reader());
    return c.json(modelInfo(context, id), 200);
  });
}
