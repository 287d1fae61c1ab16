// Owns the worklist and a series' metadata: GET /api/worklist (priority order, filters) and
// GET /api/series/{seriesUid} (geometry, slice positions, display defaults, status).
import { createRoute, z } from '@hono/zod-openapi';
import type { StoredSeries } from '../../dataset/dataset-types.ts';
import type { IndexedSeries } from '../../dicom/index/index.ts';
import type { Vec3, VolumeGeometry } from '../../dicom/volume.ts';
import type { SeriesInfo } from '../../shared/api-types.ts';
import { requireSeries, type ApiContext } from '../api-context.ts';
import {
  seriesInfoSchema,
  seriesUidSchema,
  worklistPageSchema,
  worklistQuerySchema,
} from '../api-schemas.ts';
import { worklistPages } from '../worklist-pages.ts';
import { problems, worklistItem, type ApiApp } from './route-kit.ts';

const worklistRoute = createRoute({
  method: 'get',
  path: '/api/worklist',
  summary: 'Series in triage order (suspicion, with a maximum wait), filtered by status and text',
  request: { query: worklistQuerySchema },
  responses: {
    200: {
      description: 'A page of the worklist',
      content: { 'application/json': { schema: worklistPageSchema } },
    },
    400: problems[400],
  },
});

const seriesRoute = createRoute({
  method: 'get',
  path: '/api/series/{seriesUid}',
  summary: "A series' metadata and volume geometry",
  request: { params: z.object({ seriesUid: seriesUidSchema }) },
  responses: {
    200: { description: 'The series', content: { 'application/json': { schema: seriesInfoSchema } } },
    404: problems[404],
  },
});

// Without geometry (no positions), the slices are still shown in instance order on a unit grid.
function fallbackGeometry(series: StoredSeries, indexed: IndexedSeries): VolumeGeometry {
  const first = indexed.instances.find((i) => i.hasPixelData);
  const [rowSpacing, columnSpacing] = first?.pixelSpacing ?? [1, 1];
  return {
    size: [series.columns, series.rows, indexed.frames.length],
    spacing: [columnSpacing, rowSpacing, series.sliceThicknessMm ?? 1],
    origin: [0, 0, 0],
    direction: [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ],
  };
}

function photometricOf(value: string | undefined): SeriesInfo['photometric'] {
  if (value === 'MONOCHROME1') return 'MONOCHROME1';
  if (value && /^(RGB|YBR|PALETTE)/.test(value)) return 'RGB';
  return 'MONOCHROME2';
}

export function seriesInfo(context: ApiContext, series: StoredSeries): SeriesInfo {
  const indexed = context.headers.get(series);
  const geometry = series.geometry ?? fallbackGeometry(series, indexed);
  const first = indexed.instances.find((i) => i.hasPixelData) ?? indexed.instances[0];
  const frames = indexed.frames;
  const positions = frames.map((frame, k) => frame.positionMm ?? k * geometry.spacing[2]);
  const [rowSpacing, columnSpacing] = first?.pixelSpacing ?? [geometry.spacing[1], geometry.spacing[0]];
  const runId = series.latestRunId;
  return {
    seriesUid: series.seriesUid,
    studyUid: series.studyUid,
    patientId: series.patientId,
    patientName: series.patientName,
    studyDate: series.studyDate,
    studyDescription: series.studyDescription,
    seriesDescription: series.seriesDescription,
    modality: series.modality,
    rows: series.rows,
    columns: series.columns,
    slices: frames.length,
    geometry: {
      size: [...geometry.size] as Vec3,
      spacing: [...geometry.spacing] as Vec3,
      origin: [...geometry.origin] as Vec3,
      direction: geometry.direction.map((axis) => [...axis]) as [Vec3, Vec3, Vec3],
    },
    slicePositionsMm: positions,
    sliceThicknessMm: series.sliceThicknessMm,
    pixelSpacingMm: [rowSpacing, columnSpacing],
    // CT without a stored window opens in a soft-tissue window rather than min/max, which reads as grey fog.
    windowCenter: first?.windowCenter ?? 40,
    windowWidth: first?.windowWidth && first.windowWidth > 0 ? first.windowWidth : 400,
    photometric: photometricOf(first?.photometric),
    status: series.status,
    warnings: series.warnings,
    scopeWarnings: series.scopeWarnings,
    hasProbabilityMap: runId !== null && context.store.probabilitySlice(runId, 0) !== undefined,
  };
}

export function worklistRoutes(app: ApiApp, context: ApiContext): void {
  app.openapi(worklistRoute, (c) => {
    const { rows, total } = worklistPages(context.store, c.req.valid('query'), context.reader());
    return c.json({ items: rows.map(worklistItem), total }, 200);
  });

  app.openapi(seriesRoute, (c) => {
    const series = requireSeries(context, c.req.valid('param').seriesUid);
    return c.json(seriesInfo(context, series), 200);
  });
}
