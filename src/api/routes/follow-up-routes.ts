// Owns the follow-up endpoints: a series' priors (the same patient's other studies) and how its nodules
// changed since one of them (by default the latest earlier one of its modality) — lined up, matched, with
// diameter and volume change and doubling time (src/followup). The first comparison of a pair decodes a few
// slices of each and registers them (about a second); later ones reuse the registration.
import { createRoute, z } from '@hono/zod-openapi';
import { requireSeries, type ApiContext } from '../api-context.ts';
import { followUpSchema, priorListSchema, priorUidSchema, seriesUidSchema } from '../api-schemas.ts';
import { ApiProblem } from '../problem.ts';
import { problems, type ApiApp } from './route-kit.ts';

const params = z.object({ seriesUid: seriesUidSchema });

const priorsRoute = createRoute({
  method: 'get',
  path: '/api/series/{seriesUid}/priors',
  summary: "The same patient's series in other studies, newest first (none for an empty Patient ID)",
  request: { params },
  responses: {
    200: { description: 'The priors', content: { 'application/json': { schema: priorListSchema } } },
    404: problems[404],
  },
});

const followUpRoute = createRoute({
  method: 'get',
  path: '/api/series/{seriesUid}/follow-up',
  summary:
    "This reader's nodules on the series against a prior's (without ?prior=, the patient's latest earlier study of the same modality — what the report, the export and the worklist compare with): registration, matches, change in diameter and volume, doubling time",
  request: { params, query: z.object({ prior: priorUidSchema.optional() }) },
  responses: {
    200: { description: 'The comparison', content: { 'application/json': { schema: followUpSchema } } },
    400: problems[400],
    404: problems[404],
  },
});

export function followUpRoutes(app: ApiApp, context: ApiContext): void {
  app.openapi(priorsRoute, (c) => {
    const { seriesUid } = c.req.valid('param');
    requireSeries(context, seriesUid);
    return c.json({ priors: context.followUp.priors(seriesUid) }, 200);
  });

  app.openapi(followUpRoute, async (c) => {
    const { seriesUid } = c.req.valid('param');
    const { prior } = c.req.valid('query');
    requireSeries(context, seriesUid);
    if (prior) requireSeries(context, prior);
    const priorUid = prior ?? context.followUp.latestPrior(seriesUid)?.seriesUid;
    if (!priorUid) {
      throw new ApiProblem(
        404,
        'Not found',
        `series ${seriesUid} has no earlier study of the same patient and modality in the dataset to compare with — pick one of /api/series/${seriesUid}/priors as ?prior=`,
      );
    }
    return c.json(await context.followUp.compare(seriesUid, priorUid, context.reader()), 200);
  });
}
