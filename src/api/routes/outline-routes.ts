// Owns outlining a missed nodule in 3-D from one click (the viewer's O tool): the slices within the search
// sphere are decoded by the pool, src/segment/seeded-outline.ts grows the outline, and the store adds it as
// the reader's finding in one undoable action. A click on a nodule that already has a finding is refused,
// naming it, so a reader does not count one nodule twice.
import { createRoute, z } from '@hono/zod-openapi';
import { requireSeries, requireSlice, type ApiContext } from '../api-context.ts';
import { outlineInfoSchema, outlineRequestSchema, seriesUidSchema } from '../api-schemas.ts';
import { badRequest, conflict } from '../problem.ts';
import { findingInfo, problems, type ApiApp } from './route-kit.ts';
import {
  outlineNodule,
  outlineSliceRange,
  OutlineError,
  type Outline,
} from '../../segment/seeded-outline.ts';

const outlineRoute = createRoute({
  method: 'post',
  path: '/api/series/{seriesUid}/findings/outline',
  summary:
    'Add a missed nodule outlined in 3-D from a click inside it: the voxels in range connected to the click, freed from a vessel or the chest wall it touches (one undoable action)',
  request: {
    params: z.object({ seriesUid: seriesUidSchema }),
    body: { content: { 'application/json': { schema: outlineRequestSchema } }, required: true },
  },
  responses: {
    201: {
      description: 'The added finding and how the outline was found',
      content: { 'application/json': { schema: outlineInfoSchema } },
    },
    400: problems[400],
    404: problems[404],
    409: problems[409],
  },
});

/** A finding counts as the same nodule when it holds half the outline's voxels, or the outline half of it. */
const SAME_NODULE = 0.5;

export function outlineRoutes(app: ApiApp, context: ApiContext): void {
  app.openapi(outlineRoute, async (c) => {
    const { seriesUid } = c.req.valid('param');
    const body = c.req.valid('json');
    const series = requireSeries(context, seriesUid);
    requireSlice(context, series, body.slice);
    const geometry = series.geometry;
    if (!geometry) {
      throw badRequest(
        `series ${seriesUid} has no usable geometry (orientation, spacing, positions), so a nodule cannot be outlined in 3-D on it; paint it with A instead`,
      );
    }
    const [columns, rows, sliceCount] = geometry.size;
    const [i, j] = body.point;
    if (i >= columns || j >= rows)
      throw badRequest(`the click (${i}, ${j}) is outside the ${columns} × ${rows} image`);
    const [first, last] = outlineSliceRange(body.slice, sliceCount, geometry.spacing[2], body.maxDiameterMm);
    const frames = context.headers.get(series).frames.slice(first, last + 1);
    const signal = c.req.raw.signal;
    const decoded = await Promise.all(frames.map((frame) => context.decodeWire(frame, signal)));
    if (decoded.some((d) => d.samplesPerPixel !== 1 || d.rows !== rows || d.columns !== columns)) {
      throw badRequest(
        `series ${seriesUid} has colour slices or slices of another size near slice ${body.slice + 1}: an outline follows one grey value per voxel; paint it with A instead`,
      );
    }
    let outline: Outline;
    try {
      outline = outlineNodule(
        { values: decoded.map((d) => d.data), firstSlice: first, columns, rows, spacing: geometry.spacing },
        { seed: [i, j, body.slice], range: body.range, maxDiameterMm: body.maxDiameterMm },
      );
    } catch (error) {
      if (error instanceof OutlineError) throw badRequest(error.message);
      throw error;
    }
    refuseKnownNodule(context, seriesUid, outline);
    const finding = context.store.addOutlinedFinding(seriesUid, context.reader(), outline.masks, {
      click: [i, j, body.slice],
      range: body.range,
      separation: outline.separation,
    });
    return c.json(
      {
        finding: findingInfo(finding),
        voxels: outline.voxels,
        start: outline.start,
        separation: outline.separation,
      },
      201,
    );
  });
}

/** A 409 naming the reader's finding that already covers this nodule (rejected ones do not count). */
function refuseKnownNodule(context: ApiContext, seriesUid: string, outline: Outline): void {
  const reader = context.reader();
  const slices = [...outline.masks.keys()];
  const [first, last] = [slices[0]!, slices[slices.length - 1]!];
  for (const finding of context.store.findings(seriesUid, reader)) {
    if (finding.decision?.kind === 'rejected') continue;
    if (finding.sliceRange[1] < first || finding.sliceRange[0] > last) continue;
    const voxels = context.store.maskVoxels(finding.id, 'final', reader);
    if (voxels.length === 0) continue;
    const plane = outline.masks.get(first)!.length;
    let shared = 0;
    for (const index of voxels) {
      const mask = outline.masks.get(Math.floor(index / plane));
      if (mask?.[index % plane]) shared++;
    }
    if (shared >= SAME_NODULE * outline.voxels || shared >= SAME_NODULE * voxels.length) {
      throw conflict(
        `finding ${finding.id} already marks this nodule (${shared} of the outline's ${outline.voxels} voxels): select it (J / K) to confirm it or correct its mask`,
      );
    }
  }
}
