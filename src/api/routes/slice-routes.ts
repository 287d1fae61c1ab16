// Owns the binary image endpoints the viewer scrolls through: a slice's decoded modality values and the
// model's probability map of a slice. Slices never change for a series, so the browser keeps them; the
// probability map changes with each model run, so it is revalidated.
import { createRoute, z } from '@hono/zod-openapi';
import { requireSeries, requireSlice, type ApiContext } from '../api-context.ts';
import { seriesUidSchema, sliceIndexSchema } from '../api-schemas.ts';
import { notFound } from '../problem.ts';
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

const probabilityRoute = createRoute({
  method: 'get',
  path: '/api/series/{seriesUid}/probability/{k}',
  summary: "Slice k of the latest model run's probability map, uint8 (probability × 255), rows × columns",
  request: { params },
  responses: { 200: binary('The probability slice'), 404: problems[404] },
});

const bytes = (data: Uint8Array): Uint8Array<ArrayBuffer> =>
  new Uint8Array(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength);

export function sliceRoutes(app: ApiApp, context: ApiContext): void {
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
}
