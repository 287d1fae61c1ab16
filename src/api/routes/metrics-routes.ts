// Owns the model-metrics endpoints the Model page uses: the report (figures, FROC/PR curves, per reader /
// scanner / thickness, weekly drift), the preview of a threshold on the reviewed data, the threshold that
// meets a target, and applying the saved threshold to unreviewed proposals from their kept probability maps
// (as a job: it reads every such series' map). Saving the threshold itself is PUT /api/models/{id}/threshold
// (model-routes.ts). The figures are src/metrics'; this module only validates and maps errors.
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { DatasetStore } from '../../dataset/dataset-types.ts';
import type { ModelRegistry } from '../../inference/index.ts';
import {
  applyThreshold,
  collectDecisions,
  chooseThreshold,
  modelMetrics,
  previewThreshold,
  type ReviewedSeries,
} from '../../metrics/index.ts';
import type { Job } from '../../shared/api-types.ts';
import type { JobRegistry } from '../job-registry.ts';
import { badRequest, conflict, notFound, problemFromError, problemResponse } from '../problem.ts';

const CACHE_MS = 15_000;

const problem = z.object({ type: z.string(), title: z.string(), status: z.number(), detail: z.string() });
const problemContent = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problem } },
});

const modelId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[a-z0-9._-]+$/, 'a model id holds a–z, 0–9, dot, underscore and dash');
const probability = z.coerce.number().gt(0).max(1);

// The report's full shape is src/shared/metrics-types.ts; the document names its top-level fields.
const reportSchema = z
  .looseObject({
    generatedAt: z.string(),
    modelId: z.string().nullable(),
    bootstrap: z.object({ resamples: z.number(), seed: z.number() }),
    models: z.array(z.looseObject({ modelId: z.string(), version: z.string() })),
    notes: z.array(z.string()),
  })
  .openapi('MetricsReport');
const previewSchema = z
  .looseObject({ modelId: z.string(), threshold: z.number(), caveats: z.array(z.string()) })
  .openapi('ThresholdPreview');
const choiceSchema = z
  .looseObject({ threshold: z.number().nullable(), reached: z.boolean() })
  .openapi('ThresholdChoice');
const jobSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['import', 'model', 'export', 'pull']),
    state: z.enum(['running', 'done', 'failed', 'cancelled']),
    done: z.number(),
    total: z.number(),
    message: z.string(),
  })
  .openapi('ThresholdApplyJob');

const reportRoute = createRoute({
  method: 'get',
  path: '/api/metrics',
  summary: 'Model figures from the review decisions of done series, with bootstrap 95 % intervals',
  request: {
    query: z.object({
      model: modelId.optional(),
      resamples: z.coerce.number().int().min(0).max(10000).optional(),
      seed: z.coerce.number().int().optional(),
    }),
  },
  responses: {
    200: { description: 'The report', content: { 'application/json': { schema: reportSchema } } },
    400: problemContent('A query parameter did not validate'),
  },
});

const previewRoute = createRoute({
  method: 'get',
  path: '/api/metrics/preview',
  summary: 'What a threshold would have changed on the reviewed data (nothing is saved)',
  request: { query: z.object({ model: modelId.optional(), threshold: probability }) },
  responses: {
    200: { description: 'The preview', content: { 'application/json': { schema: previewSchema } } },
    400: problemContent('A query parameter did not validate, or no model is installed to name'),
  },
});

const calibrateRoute = createRoute({
  method: 'get',
  path: '/api/metrics/calibrate',
  summary: 'The threshold meeting a target sensitivity or FP/scan on the reviewed data, with its preview',
  request: {
    query: z.object({
      model: modelId.optional(),
      sensitivity: probability.optional(),
      fpPerScan: z.coerce.number().min(0).max(1000).optional(),
    }),
  },
  responses: {
    200: { description: 'The choice', content: { 'application/json': { schema: choiceSchema } } },
    400: problemContent('Neither or both targets given'),
  },
});

const applyRoute = createRoute({
  method: 'post',
  path: '/api/models/{id}/threshold/apply',
  summary: "Re-derive unreviewed series' proposals at the saved threshold from their kept probability maps",
  request: { params: z.object({ id: modelId.openapi({ param: { name: 'id', in: 'path' } }) }) },
  responses: {
    202: { description: 'The job', content: { 'application/json': { schema: jobSchema } } },
    404: problemContent('No such model installed'),
    409: problemContent('No threshold saved for the model yet'),
  },
});

export function metricsRoutes(store: DatasetStore, registry: ModelRegistry, jobs: JobRegistry): OpenAPIHono {
  const app = new OpenAPIHono({
    defaultHook: (result) => {
      if (!result.success) {
        const detail = result.error.issues
          .map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`)
          .join('; ');
        return problemResponse(400, 'Bad request', `the metrics request is invalid — ${detail}`);
      }
    },
  });
  app.onError((error) => problemFromError(error));

  // The slider asks for a preview at every step; reading every reviewed series' decisions (masks for Dice,
  // kept maps for added findings) each time would make it lag on a large dataset. The decision set is kept
  // briefly per model, and read again when the report is loaded, when more series are done, or after 15 s.
  const cache = new Map<string, { at: number; done: number; series: ReviewedSeries[] }>();
  const decisions = (modelId: string | undefined, fresh = false): ReviewedSeries[] => {
    const key = modelId ?? '';
    const done = store.worklist({ status: 'done', limit: 1 }).total;
    const hit = cache.get(key);
    if (!fresh && hit && hit.done === done && Date.now() - hit.at < CACHE_MS) return hit.series;
    const series = collectDecisions(store, { modelId });
    cache.set(key, { at: Date.now(), done, series });
    return series;
  };

  /** The model named, else the default installed one (the page's usual case). */
  const chosenModel = (id: string | undefined): string => {
    const chosen = id ?? registry.defaultModel()?.id;
    if (!chosen) throw badRequest('no model is installed — name one with ?model=ID');
    return chosen;
  };

  app.openapi(reportRoute, (c) => {
    const query = c.req.valid('query');
    cache.clear(); // loading the report is the page's refresh: previews after it see the same decisions
    const series = decisions(query.model, true);
    const report = modelMetrics(series, {
      modelId: query.model ?? null,
      resamples: query.resamples,
      seed: query.seed,
    });
    return c.json(report, 200);
  });

  app.openapi(previewRoute, (c) => {
    const query = c.req.valid('query');
    const id = chosenModel(query.model);
    return c.json(previewThreshold(decisions(id), id, query.threshold), 200);
  });

  app.openapi(calibrateRoute, (c) => {
    const query = c.req.valid('query');
    if ((query.sensitivity === undefined) === (query.fpPerScan === undefined)) {
      throw badRequest('give one target: ?sensitivity=S (0–1) or ?fpPerScan=F');
    }
    const id = chosenModel(query.model);
    const target =
      query.sensitivity !== undefined
        ? { sensitivity: query.sensitivity }
        : { fpPerScan: query.fpPerScan as number };
    return c.json(chooseThreshold(decisions(id), id, target), 200);
  });

  app.openapi(applyRoute, (c) => {
    const { id } = c.req.valid('param');
    const model = registry.models.find((m) => m.id === id);
    if (!model) throw notFound('model', id);
    const saved = store.threshold(id);
    if (!saved)
      throw conflict(`no threshold is saved for ${id} — choose and save one on the Model page first`);
    cache.clear();
    const job: Job = jobs.start(
      'model',
      `applying threshold ${saved.threshold} to ${id}'s proposals`,
      async () => {
        const outcome = applyThreshold(store, {
          modelId: id,
          threshold: saved.threshold,
          minFinding: model.manifest.minFinding,
        });
        const skipped = outcome.skipped.map((s) => `${s.count} skipped (${s.reason})`).join(', ');
        return (
          `threshold ${saved.threshold}: ${outcome.updated} unreviewed series re-derived from their kept maps ` +
          `(${outcome.findingsBefore} → ${outcome.findingsAfter} findings)${skipped ? `; ${skipped}` : ''}`
        );
      },
    );
    return c.json(job, 202);
  });

  return app;
}
