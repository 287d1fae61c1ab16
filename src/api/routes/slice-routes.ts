// Owns the binary image endpoints the viewer scrolls through: a slice's decoded modality values, a run of
// consecutive slices in one response (the viewer's prefetch: one request per few MB instead of one per slice,
// so a stack loads while the reader scrolls without a request's overhead per slice on either side), and the
// model's probability map of a slice. Slices never change for a series, so the browser keeps them; the
// probability map changes with each model run, so it is revalidated.
import { createRoute, z } from '@hono/zod-openapi';
import { requireSeries, requireSlice, type ApiContext } from '../api-context.ts';
import { seriesUidSchema, sliceIndexSchema, sliceNumberSchema } from '../api-schemas.ts';
import { badRequest, notFound } from '../problem.ts';
import { ProbabilityPlanes } from '../probability-planes.ts';
import { slicePixels } from '../slice-pixels.ts';
import { problems, type ApiApp } from './route-kit.ts';

const binary = (description: string) => ({
  description,
  content: { 'application/octet-stream': { schema: z.string().openapi({ format: 'binary' }) } },
});

const params = z.object({ seriesUid: seriesUidSchema, k: sliceIndexSchema });

const sliceRoute = createRoute({
  method: 'get',
  path: '/api/series/{seriesUid}/slices/{k}',
  summary:
    'Slice k (display order) as little-endian modality values, row-major; X-Pixel-Type int16|float32, X-Rows, X-Columns, X-Samples',
  request: { params },
  responses: { 200: binary('The slice'), 403: problems[403], 404: problems[404] },
});

/** Most slices one range request may ask for (32 × 512² int16 = 16 MiB). */
export const MAX_SLICE_RANGE = 32;

const rangeRoute = createRoute({
  method: 'get',
  path: '/api/series/{seriesUid}/slices',
  summary:
    'Slices from … from + count - 1 (clipped to the series) back to back, each as /slices/{k} sends it; ' +
    'X-First, X-Count, X-Rows, X-Columns, X-Samples, and per slice X-Pixel-Types (int16|float32) and X-Slice-Bytes, comma-separated',
  request: {
    params: z.object({ seriesUid: seriesUidSchema }),
    query: z.object({
      from: sliceNumberSchema,
      count: z.coerce.number().int().min(1).max(MAX_SLICE_RANGE),
    }),
  },
  responses: { 200: binary('The slices'), 403: problems[403], 404: problems[404] },
});

const probabilityRoute = createRoute({
  method: 'get',
  path: '/api/series/{seriesUid}/probability/{k}',
  summary: "Slice k of the latest model run's probability map, uint8 (probability × 255), rows × columns",
  request: { params },
  responses: { 200: binary('The probability slice'), 404: problems[404] },
});

const planeRoute = createRoute({
  method: 'get',
  path: '/api/series/{seriesUid}/probability-plane',
  summary:
    "The latest model run's probability map cut through image row (axis row: coronal for an axial series) or " +
    'column (sagittal) first … last, the highest over them, slice by slice: uint8, slices × width (X-Slices, X-Width)',
  request: {
    params: z.object({ seriesUid: seriesUidSchema }),
    query: z.object({
      axis: z.enum(['row', 'column']),
      first: sliceNumberSchema,
      last: sliceNumberSchema,
    }),
  },
  responses: { 200: binary('The cut'), 400: problems[400], 404: problems[404] },
});

const bytes = (data: Uint8Array): Uint8Array<ArrayBuffer> =>
  new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);

export function sliceRoutes(app: ApiApp, context: ApiContext): void {
  const planes = new ProbabilityPlanes((runId, k) => context.store.probabilitySlice(runId, k));
  app.openapi(sliceRoute, async (c) => {
    const { seriesUid, k } = c.req.valid('param');
    const series = requireSeries(context, seriesUid);
    const frame = requireSlice(context, series, k);
    const decoded = await context.decodeWire(frame, c.req.raw.signal);
    const body = slicePixels(decoded.data);
    return new Response(bytes(body.bytes), {
      headers: {
        'content-type': 'application/octet-stream',
        'x-pixel-type': body.type,
        'x-rows': String(decoded.rows),
        'x-columns': String(decoded.columns),
        'x-samples': String(decoded.samplesPerPixel),
        'cache-control': 'private, max-age=31536000, immutable',
      },
    });
  });

  app.openapi(rangeRoute, async (c) => {
    const { seriesUid } = c.req.valid('param');
    const { from, count } = c.req.valid('query');
    const series = requireSeries(context, seriesUid);
    requireSlice(context, series, from); // a 404 naming the series' slices when `from` is past its end
    const frames = context.headers.get(series).frames.slice(from, from + count); // clipped at the last slice
    const signal = c.req.raw.signal;
    // Decoded in parallel by the pool; one failed slice fails the request, naming it (the viewer then loads
    // slices one by one and shows which one is bad).
    const all = await Promise.all(frames.map((frame) => context.decodeWire(frame, signal)));
    // One size per response: a slice whose size differs from the first ends the range (it comes in the next).
    const same = all.findIndex((d) => d.rows !== all[0]!.rows || d.columns !== all[0]!.columns);
    const decoded = same === -1 ? all : all.slice(0, same);
    const bodies = decoded.map((d) => slicePixels(d.data));
    const total = bodies.reduce((sum, b) => sum + b.bytes.byteLength, 0);
    const out = new Uint8Array(total);
    let offset = 0;
    for (const body of bodies) {
      out.set(body.bytes, offset);
      offset += body.bytes.byteLength;
    }
    return new Response(out, {
      headers: {
        'content-type': 'application/octet-stream',
        'x-first': String(from),
        'x-count': String(bodies.length),
        'x-pixel-types': bodies.map((b) => b.type).join(','),
        'x-slice-bytes': bodies.map((b) => b.bytes.byteLength).join(','),
        'x-rows': String(decoded[0]!.rows),
        'x-columns': String(decoded[0]!.columns),
        'x-samples': String(decoded[0]!.samplesPerPixel),
        'cache-control': 'private, max-age=31536000, immutable',
      },
    });
  });

  app.openapi(probabilityRoute, (c) => {
    const { seriesUid, k } = c.req.valid('param');
    const series = requireSeries(context, seriesUid);
    requireSlice(context, series, k);
    const runId = series.latestRunId;
    const values = runId === null ? undefined : context.store.probabilitySlice(runId, k);
    if (!values) throw notFound('probability map of series', `${seriesUid} (run the model on it first)`);
    return new Response(bytes(values), {
      headers: {
        'content-type': 'application/octet-stream',
        'x-rows': String(series.rows),
        'x-columns': String(series.columns),
        'x-model-run': String(runId),
        // A later run replaces the map under the same URL, so it is revalidated rather than kept.
        'cache-control': 'no-cache',
      },
    });
  });

  app.openapi(planeRoute, (c) => {
    const { seriesUid } = c.req.valid('param');
    const { axis, first, last } = c.req.valid('query');
    const series = requireSeries(context, seriesUid);
    const count = axis === 'row' ? series.rows : series.columns;
    if (first > last || last >= count) {
      throw badRequest(
        `planes ${first}–${last} are not within the series' ${count} image ${axis}s (0–${count - 1}, first ≤ last)`,
      );
    }
    const slices = context.headers.get(series).frames.length;
    const runId = series.latestRunId;
    const cut = runId === null ? undefined : planes.cut(runId, { ...series, slices }, axis, first, last);
    if (!cut) throw notFound('probability map of series', `${seriesUid} (run the model on it first)`);
    return new Response(bytes(cut), {
      headers: {
        'content-type': 'application/octet-stream',
        'x-slices': String(slices),
        'x-width': String(axis === 'row' ? series.columns : series.rows),
        'x-model-run': String(runId),
        'cache-control': 'no-cache',
      },
    });
  });
}
