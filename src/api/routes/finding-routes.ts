// Owns a series' findings and the reader's work on them: the list (with this reader's decisions), confirm or
// reject, a corrected mask slice (PUT) and the mask of any slice (GET), the slices between painted ones filled,
// and a finding the model missed.
import { createRoute, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import type { StoredSeries } from '../../dataset/dataset-types.ts';
import { requireFinding, requireSeries, requireSlice, type ApiContext } from '../api-context.ts';
import {
  addFindingRequestSchema,
  decisionInfoSchema,
  decisionRequestSchema,
  fillSlicesInfoSchema,
  planeMaskInfoSchema,
  planeMaskRequestSchema,
  findingIdSchema,
  findingInfoSchema,
  readerNameSchema,
  seriesUidSchema,
  sliceIndexSchema,
} from '../api-schemas.ts';
import { badRequest, notFound, tooLarge } from '../problem.ts';
import { decisionInfo, findingInfo, planeSize, problems, type ApiApp } from './route-kit.ts';

/** The largest mask slice accepted: a 4096 × 4096 image, the largest DICOM plane seen in practice. */
export const MAX_MASK_BYTES = 4096 * 4096;

const maskLimit = bodyLimit({
  maxSize: MAX_MASK_BYTES,
  onError: () => {
    throw tooLarge(`a mask slice is at most ${MAX_MASK_BYTES} bytes (one byte per pixel)`);
  },
});
// base64 of the largest mask plus the JSON around it.
const addLimit = bodyLimit({
  maxSize: Math.ceil(MAX_MASK_BYTES / 3) * 4 + 1024,
  onError: () => {
    throw tooLarge('the added finding is larger than one 4096 × 4096 mask slice');
  },
});

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});

const seriesParams = z.object({ seriesUid: seriesUidSchema });
const findingParams = z.object({ id: findingIdSchema });
const maskParams = z.object({ id: findingIdSchema, k: sliceIndexSchema });

const listRoute = createRoute({
  method: 'get',
  path: '/api/series/{seriesUid}/findings',
  summary: "The series' findings with this reader's decisions; blind=true hides other readers' work",
  request: {
    params: seriesParams,
    query: z.object({ blind: z.enum(['true', 'false']).optional() }),
  },
  responses: { 200: json(z.array(findingInfoSchema), 'The findings'), 404: problems[404] },
});

const addRoute = createRoute({
  method: 'post',
  path: '/api/series/{seriesUid}/findings',
  summary: 'Add a finding the model missed, painted on one slice (mask: base64 of rows × columns bytes 0/1)',
  middleware: [addLimit] as const,
  request: {
    params: seriesParams,
    body: { content: { 'application/json': { schema: addFindingRequestSchema } }, required: true },
  },
  responses: {
    201: json(findingInfoSchema, 'The added finding'),
    400: problems[400],
    404: problems[404],
  },
});

const decisionRoute = createRoute({
  method: 'post',
  path: '/api/findings/{id}/decision',
  summary: 'Confirm or reject a finding (a rejection names its reason)',
  request: {
    params: findingParams,
    body: { content: { 'application/json': { schema: decisionRequestSchema } }, required: true },
  },
  responses: { 200: json(decisionInfoSchema, 'The stored decision'), 400: problems[400], 404: problems[404] },
});

const maskGetRoute = createRoute({
  method: 'get',
  path: '/api/findings/{id}/mask/{k}',
  summary:
    "A finding's mask on slice k, uint8 0/1 rows × columns: the reader's final mask (another reader's with ?reader=, for comparing second reads), or the proposal",
  request: {
    params: maskParams,
    query: z.object({
      kind: z.enum(['final', 'proposal']).default('final'),
      reader: readerNameSchema.optional(),
    }),
  },
  responses: {
    200: {
      description: 'The mask slice',
      content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } },
    },
    404: problems[404],
  },
});

const maskPutRoute = createRoute({
  method: 'put',
  path: '/api/findings/{id}/mask/{k}',
  summary: "Correct a finding's mask on slice k: body uint8 0/1, rows × columns bytes",
  middleware: [maskLimit] as const,
  request: {
    params: maskParams,
    body: {
      content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } },
      required: true,
    },
  },
  responses: { 200: json(decisionInfoSchema, 'The correction'), 400: problems[400], 404: problems[404] },
});

const fillRoute = createRoute({
  method: 'post',
  path: '/api/findings/{id}/fill-slices',
  summary:
    "Fill the empty slices between the slices of this reader's mask by shape-based interpolation (one undoable action)",
  request: { params: findingParams },
  responses: {
    200: json(fillSlicesInfoSchema, 'The slices filled and the decision'),
    404: problems[404],
    409: problems[409],
  },
});

const planeMaskRoute = createRoute({
  method: 'put',
  path: '/api/findings/{id}/plane-mask',
  summary:
    "Paint this reader's mask along a reformatted plane (an image row or column over consecutive slices), as one undoable action",
  middleware: [addLimit] as const,
  request: {
    params: findingParams,
    body: { content: { 'application/json': { schema: planeMaskRequestSchema } }, required: true },
  },
  responses: {
    200: json(planeMaskInfoSchema, 'The slices that changed and the decision'),
    400: problems[400],
    404: problems[404],
    409: problems[409],
  },
});

/** A 0/1 mask of exactly one slice of the series, or a 400 saying what is wrong with it. */
function checkMask(series: StoredSeries, mask: Uint8Array, what: string): Uint8Array {
  const expected = planeSize(series);
  if (mask.length !== expected) {
    throw badRequest(
      `${what} has ${mask.length} bytes; series ${series.seriesUid} needs ${series.rows} × ${series.columns} = ${expected} (one byte 0 or 1 per pixel)`,
    );
  }
  for (let n = 0; n < mask.length; n++) {
    if (mask[n]! > 1) throw badRequest(`${what}: byte ${n} is ${mask[n]}; mask bytes are 0 or 1`);
  }
  return mask;
}

export function findingRoutes(app: ApiApp, context: ApiContext): void {
  app.openapi(listRoute, (c) => {
    const { seriesUid } = c.req.valid('param');
    requireSeries(context, seriesUid);
    const blind = c.req.valid('query').blind === 'true';
    const findings = context.store.findings(seriesUid, context.reader(), { blind });
    return c.json(findings.map(findingInfo), 200);
  });

  app.openapi(addRoute, (c) => {
    const { seriesUid } = c.req.valid('param');
    const series = requireSeries(context, seriesUid);
    const body = c.req.valid('json');
    requireSlice(context, series, body.slice);
    const mask = checkMask(
      series,
      new Uint8Array(Buffer.from(body.maskBase64, 'base64')),
      'the painted mask',
    );
    if (!mask.includes(1)) throw badRequest('the painted mask is empty; paint the finding before adding it');
    const finding = context.store.addFinding(seriesUid, context.reader(), body.slice, mask);
    return c.json(findingInfo(finding), 201);
  });

  app.openapi(decisionRoute, (c) => {
    const { id } = c.req.valid('param');
    requireFinding(context, id);
    const body = c.req.valid('json');
    const decision = context.store.decide(id, context.reader(), body);
    return c.json(decisionInfo(decision)!, 200);
  });

  app.openapi(maskGetRoute, (c) => {
    const { id, k } = c.req.valid('param');
    const finding = requireFinding(context, id);
    const series = requireSeries(context, finding.seriesUid);
    requireSlice(context, series, k);
    const { kind, reader } = c.req.valid('query');
    if (reader !== undefined && !context.store.readers().includes(reader)) throw notFound('reader', reader);
    const mask = context.store.maskSlice(id, k, kind, reader ?? context.reader());
    return new Response(new Uint8Array(mask), {
      headers: {
        'content-type': 'application/octet-stream',
        'x-rows': String(series.rows),
        'x-columns': String(series.columns),
        'cache-control': 'no-store',
      },
    });
  });

  app.openapi(fillRoute, (c) => {
    const { id } = c.req.valid('param');
    requireFinding(context, id);
    const { decision, filled } = context.store.fillBetweenSlices(id, context.reader());
    return c.json({ decision: decisionInfo(decision)!, filled }, 200);
  });

  app.openapi(planeMaskRoute, (c) => {
    const { id } = c.req.valid('param');
    requireFinding(context, id);
    const { linesBase64, ...plane } = c.req.valid('json');
    const lines = new Uint8Array(Buffer.from(linesBase64, 'base64'));
    const { decision, changed } = context.store.paintPlane(id, context.reader(), { ...plane, lines });
    return c.json({ decision: decisionInfo(decision), changed }, 200);
  });

  app.openapi(maskPutRoute, async (c) => {
    const { id, k } = c.req.valid('param');
    const finding = requireFinding(context, id);
    const series = requireSeries(context, finding.seriesUid);
    requireSlice(context, series, k);
    const mask = checkMask(series, new Uint8Array(await c.req.arrayBuffer()), `the mask of slice ${k}`);
    const decision = context.store.correctMaskSlice(id, context.reader(), k, mask);
    return c.json(decisionInfo(decision)!, 200);
  });
}
