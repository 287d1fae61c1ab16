// Owns a reader's review of a whole series: start / finish (status), undo and redo of their own review
// actions (recorded in the audit log like any change), agreement with another reader (second reads), and the
// series' findings report as text for the reader's own report.
import { createRoute, z } from '@hono/zod-openapi';
import { requireSeries, type ApiContext } from '../api-context.ts';
import {
  agreementSchema,
  readerNameSchema,
  seriesReportSchema,
  seriesStatusResultSchema,
  seriesUidSchema,
  statusRequestSchema,
  undoResultSchema,
} from '../api-schemas.ts';
import { readerFindings } from '../../export/reader-findings.ts';
import { seriesReport } from '../../export/series-report.ts';
import { notFound } from '../problem.ts';
import { problems, type ApiApp } from './route-kit.ts';

const params = z.object({ seriesUid: seriesUidSchema });

const statusRoute = createRoute({
  method: 'post',
  path: '/api/series/{seriesUid}/status',
  summary: 'Start the review of a series (in-review) or mark it done',
  request: {
    params,
    body: { content: { 'application/json': { schema: statusRequestSchema } }, required: true },
  },
  responses: {
    200: {
      description: 'The new status',
      content: { 'application/json': { schema: seriesStatusResultSchema } },
    },
    400: problems[400],
    404: problems[404],
  },
});

const undoRoute = (action: 'undo' | 'redo') =>
  createRoute({
    method: 'post',
    path: `/api/series/{seriesUid}/${action}`,
    summary:
      action === 'undo'
        ? "Undo this reader's last review action on the series"
        : 'Redo the last undone action',
    request: { params },
    responses: {
      200: {
        description: 'What was (or was not) done',
        content: { 'application/json': { schema: undoResultSchema } },
      },
      404: problems[404],
    },
  });

const agreementRoute = createRoute({
  method: 'get',
  path: '/api/series/{seriesUid}/agreement',
  summary: "Two readers' agreement on a series: per finding, Cohen's kappa, Dice of their final masks",
  request: { params, query: z.object({ a: readerNameSchema, b: readerNameSchema }) },
  responses: {
    200: { description: 'The agreement', content: { 'application/json': { schema: agreementSchema } } },
    400: problems[400],
    404: problems[404],
  },
});

const reportRoute = createRoute({
  method: 'get',
  path: '/api/series/{seriesUid}/report',
  summary:
    "This reader's findings on the series as report text: kept nodules with axes, diameter, volume and density; rejected; not yet reviewed; change since the patient's most recent earlier study",
  request: { params },
  responses: {
    200: { description: 'The report', content: { 'application/json': { schema: seriesReportSchema } } },
    404: problems[404],
  },
});

export function reviewRoutes(app: ApiApp, context: ApiContext): void {
  app.openapi(reportRoute, async (c) => {
    const { seriesUid } = c.req.valid('param');
    requireSeries(context, seriesUid);
    // Measured once (decoding the slices the findings cover), for the report and its follow-up paragraph.
    const measured = await readerFindings(context.store, seriesUid, context.reader());
    const report = await seriesReport(context.store, seriesUid, context.reader(), measured);
    if (!report || !measured) throw notFound('series', seriesUid);
    // Against the patient's most recent earlier study, when there is one (src/followup).
    const since = await context.followUp.reportLines(seriesUid, context.reader(), measured);
    return c.json(since.length ? { ...report, text: `${report.text}\n${since.join('\n')}\n` } : report, 200);
  });

  app.openapi(statusRoute, (c) => {
    const { seriesUid } = c.req.valid('param');
    requireSeries(context, seriesUid);
    const { status } = c.req.valid('json');
    context.store.setStatus(seriesUid, status, context.reader());
    return c.json({ seriesUid, status: requireSeries(context, seriesUid).status }, 200);
  });

  for (const action of ['undo', 'redo'] as const) {
    app.openapi(undoRoute(action), (c) => {
      const { seriesUid } = c.req.valid('param');
      requireSeries(context, seriesUid);
      const outcome = context.store[action](seriesUid, context.reader());
      return c.json({ applied: outcome.applied, description: outcome.description }, 200);
    });
  }

  app.openapi(agreementRoute, (c) => {
    const { seriesUid } = c.req.valid('param');
    requireSeries(context, seriesUid);
    const { a, b } = c.req.valid('query');
    const readers = context.store.readers();
    for (const name of [a, b]) if (!readers.includes(name)) throw notFound('reader', name);
    return c.json(context.store.agreement(seriesUid, a, b), 200);
  });
}
