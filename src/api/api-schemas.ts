// Owns the zod schemas of the API's JSON: request bodies and query strings are validated with them, and the
// OpenAPI document at /api/openapi.json is generated from them. They mirror src/shared/api-types.ts (the
// renderer's contract); the route modules type-check their answers against both.
import { z } from '@hono/zod-openapi';
import {
  DECISION_KINDS,
  REJECT_REASONS,
  SERIES_STATUSES,
  WORKLIST_SORTS,
} from '../shared/review-vocabulary.ts';

const vec3 = z.tuple([z.number(), z.number(), z.number()]);

export const seriesStatusSchema = z.enum(SERIES_STATUSES);

export const rejectReasonSchema = z.enum(REJECT_REASONS);

export const problemSchema = z
  .object({ type: z.string(), title: z.string(), status: z.number(), detail: z.string() })
  .openapi('Problem');

// Ids travel in paths; a series UID is a DICOM UID (digits and dots, at most 64 characters).
const uidText = z.string().regex(/^[0-9.]{1,64}$/, 'a series UID is digits and dots, at most 64 characters');

export const seriesUidSchema = uidText.openapi({
  param: { name: 'seriesUid', in: 'path' },
  example: '1.2.826.0.1.3680043.8.498.1',
});

/** A series UID in a query (`?prior=`): the same rule, its own parameter name in the OpenAPI document. */
export const priorUidSchema = uidText.openapi({
  param: { name: 'prior', in: 'query' },
  example: '1.2.826.0.1.3680043.8.498.2',
});

export const findingIdSchema = z.coerce
  .number()
  .int()
  .positive()
  .openapi({ param: { name: 'id', in: 'path' }, example: 1 });

/** A slice index (display order) wherever it appears; sliceIndexSchema is the `{k}` path parameter. */
export const sliceNumberSchema = z.coerce.number().int().min(0).max(100_000);

export const sliceIndexSchema = sliceNumberSchema.openapi({
  param: { name: 'k', in: 'path' },
  example: 0,
});

export const worklistItemSchema = z
  .object({
    seriesUid: z.string(),
    studyUid: z.string(),
    patientId: z.string(),
    patientName: z.string(),
    studyDate: z.string(),
    accessionNumber: z.string(),
    studyDescription: z.string(),
    seriesDescription: z.string(),
    modality: z.string(),
    instances: z.number(),
    score: z.number().nullable(),
    largestMm: z.number().nullable(),
    findingCount: z.number(),
    reviewedCount: z.number(),
    status: seriesStatusSchema,
    scopeWarnings: z.array(z.string()),
    warnings: z.array(z.string()),
    arrivedAt: z.string(),
    overdue: z.boolean().optional(),
    priorStudyDate: z.string().nullable(),
  })
  .openapi('WorklistItem');

export const worklistPageSchema = z
  .object({ items: z.array(worklistItemSchema), total: z.number() })
  .openapi('WorklistPage');

export const worklistQuerySchema = z.object({
  status: seriesStatusSchema.optional(),
  sort: z.enum(WORKLIST_SORTS).default('priority'),
  q: z.string().max(200).optional().openapi({
    description: 'Text in the patient name or id, accession number, study or series description',
  }),
  modality: z.string().max(16).optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(200),
  offset: z.coerce.number().int().min(0).default(0),
});

export const seriesInfoSchema = z
  .object({
    seriesUid: z.string(),
    studyUid: z.string(),
    patientId: z.string(),
    patientName: z.string(),
    studyDate: z.string(),
    studyDescription: z.string(),
    seriesDescription: z.string(),
    modality: z.string(),
    rows: z.number(),
    columns: z.number(),
    slices: z.number(),
    geometry: z.object({
      size: vec3,
      spacing: vec3,
      origin: vec3,
      direction: z.tuple([vec3, vec3, vec3]),
    }),
    slicePositionsMm: z.array(z.number()),
    sliceThicknessMm: z.number().nullable(),
    pixelSpacingMm: z.tuple([z.number(), z.number()]),
    windowCenter: z.number(),
    windowWidth: z.number(),
    photometric: z.enum(['MONOCHROME1', 'MONOCHROME2', 'RGB']),
    status: seriesStatusSchema,
    warnings: z.array(z.string()),
    scopeWarnings: z.array(z.string()),
    hasProbabilityMap: z.boolean(),
  })
  .openapi('SeriesInfo');

export const decisionInfoSchema = z
  .object({
    kind: z.enum(DECISION_KINDS),
    reason: rejectReasonSchema.nullable(),
    note: z.string().nullable(),
    reader: z.string(),
    at: z.string(),
  })
  .openapi('DecisionInfo');

export const findingInfoSchema = z
  .object({
    id: z.number(),
    source: z.enum(['model', 'reader']),
    score: z.number().nullable(),
    volumeMm3: z.number(),
    diameterMm: z.number(),
    centerMm: vec3,
    sliceRange: z.tuple([z.number(), z.number()]),
    focusSlice: z.number(),
    focusPoint: z.tuple([z.number(), z.number()]),
    decision: decisionInfoSchema.nullable(),
  })
  .openapi('FindingInfo');

export const fillSlicesInfoSchema = z
  .object({
    decision: decisionInfoSchema,
    filled: z.array(z.number()).openapi({ description: 'Slices filled (0-based k), ascending' }),
  })
  .openapi('FillSlicesInfo');

export const planeMaskRequestSchema = z
  .object({
    axis: z.enum(['row', 'column']).openapi({
      description:
        "'row': the plane through image row `index` (coronal for an axial stack); 'column': through image column `index` (sagittal)",
    }),
    index: z.number().int().min(0),
    firstSlice: z
      .number()
      .int()
      .min(0)
      .openapi({ description: 'The first slice (0-based k) the lines cover' }),
    linesBase64: z
      .string()
      .min(1)
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'linesBase64 must be base64')
      .openapi({
        description:
          'Base64 of 0/1 bytes, one line per slice from firstSlice on: columns bytes per line for axis row, rows for axis column',
      }),
  })
  .strict()
  .openapi('PlaneMaskRequest');

export const planeMaskInfoSchema = z
  .object({
    decision: decisionInfoSchema.nullable().openapi({ description: 'null when no line changed' }),
    changed: z.array(z.number()).openapi({ description: 'Slices whose mask changed (0-based k), ascending' }),
  })
  .openapi('PlaneMaskInfo');

export const decisionRequestSchema = z
  .object({
    kind: z.enum(['confirmed', 'rejected']),
    reason: rejectReasonSchema.optional(),
    note: z.string().max(2000).optional(),
  })
  .strict()
  .refine((body) => body.kind !== 'rejected' || body.reason !== undefined, {
    message: 'a rejection needs a reason: vessel, scar, artefact, benign or other',
    path: ['reason'],
  })
  .refine((body) => body.kind !== 'confirmed' || body.reason === undefined, {
    message: 'a confirmation takes no rejection reason; use the note for remarks',
    path: ['reason'],
  })
  .openapi('DecisionRequest');

export const addFindingRequestSchema = z
  .object({
    slice: z.number().int().min(0),
    maskBase64: z
      .string()
      .min(1)
      .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'maskBase64 must be base64'),
  })
  .strict()
  .openapi('AddFindingRequest');

export const outlineRequestSchema = z
  .object({
    slice: z.number().int().min(0).openapi({ description: 'The clicked slice (0-based k)' }),
    point: z
      .tuple([z.number().int().min(0), z.number().int().min(0)])
      .openapi({ description: 'The clicked pixel [column, row]' }),
    range: z
      .tuple([z.number(), z.number()])
      .openapi({ description: 'Values a nodule voxel may take (HU for CT), inclusive, either order' }),
    maxDiameterMm: z.number().min(5).max(80).default(45).openapi({
      description: 'The largest nodule sought: the diameter of the sphere searched around the click',
    }),
  })
  .strict()
  .openapi('OutlineRequest');

export const outlineInfoSchema = z
  .object({
    finding: findingInfoSchema,
    voxels: z.number(),
    start: vec3.openapi({
      description: 'The voxel [column, row, slice] it grew from: the click, or the nearest voxel in range',
    }),
    separation: z.object({ kind: z.enum(['none', 'opening', 'wall', 'sphere']), mm: z.number() }).openapi({
      description:
        "How the outline was freed from what it touched: 'none' grew free; 'opening' a vessel fell away under a ball of radius mm; 'wall' the chest wall or mediastinum was taken away as balls of radius mm; 'sphere' cut at a sphere of radius mm — check its edge",
    }),
  })
  .openapi('OutlineInfo');

export const statusRequestSchema = z
  .object({ status: z.enum(['in-review', 'done']) })
  .strict()
  .openapi('StatusRequest');

export const undoResultSchema = z
  .object({ applied: z.boolean(), description: z.string() })
  .openapi('UndoResult');

export const jobSchema = z
  .object({
    id: z.string(),
    kind: z.enum(['import', 'model', 'export', 'pull']),
    state: z.enum(['running', 'done', 'failed', 'cancelled']),
    done: z.number(),
    total: z.number(),
    message: z.string(),
  })
  .openapi('Job');

export const importRequestSchema = z
  .object({ paths: z.array(z.string().min(1).max(4096)).min(1).max(1000) })
  .strict()
  .openapi('ImportRequest');

export const sessionInfoSchema = z
  .object({
    reader: z.string().nullable(),
    readers: z.array(z.string()),
    model: z
      .object({ id: z.string(), version: z.string(), sha256: z.string(), threshold: z.number() })
      .nullable(),
    sampleAvailable: z.boolean(),
  })
  .openapi('SessionInfo');

export const readerNameSchema = z
  .string()
  .trim()
  .min(1, 'a reader name cannot be empty')
  .max(100)
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  .refine((name) => !/[\u0000-\u001f\u007f]/.test(name), 'a reader name cannot hold control characters');

export const readerRequestSchema = z.object({ name: readerNameSchema }).strict().openapi('ReaderRequest');

export const modelInfoSchema = z
  .object({
    id: z.string(),
    version: z.string(),
    sha256: z.string(),
    source: z.enum(['bundled', 'user']),
    defaultThreshold: z.number(),
    threshold: z.number(),
    active: z.boolean(),
  })
  .openapi('ModelInfo');

export const modelListSchema = z
  .object({
    models: z.array(modelInfoSchema),
    refused: z.array(z.object({ id: z.string(), reason: z.string() })),
  })
  .openapi('ModelList');

export const thresholdRequestSchema = z
  .object({ threshold: z.number().gt(0).max(1) })
  .strict()
  .openapi('ThresholdRequest');

export const seriesStatusResultSchema = z
  .object({ seriesUid: z.string(), status: seriesStatusSchema })
  .openapi('SeriesStatusResult');

export const seriesReportSchema = z
  .object({
    text: z.string().openapi({ description: 'Plain text, one line per nodule, no patient name or id' }),
    kept: z.number(),
    rejected: z.number(),
    pending: z.number(),
    unmeasured: z.string().nullable(),
  })
  .openapi('SeriesReport');

export const agreementSchema = z
  .object({
    seriesUid: z.string(),
    readers: z.tuple([z.string(), z.string()]),
    findings: z.array(
      z.object({
        findingId: z.number(),
        a: decisionInfoSchema.shape.kind.nullable(),
        b: decisionInfoSchema.shape.kind.nullable(),
        agree: z.boolean(),
      }),
    ),
    kappa: z.number().nullable(),
    dice: z.array(z.object({ findingId: z.number(), dice: z.number() })),
  })
  .openapi('ReaderAgreement');

export const priorSeriesSchema = z
  .object({
    seriesUid: z.string(),
    studyUid: z.string(),
    studyDate: z.string(),
    studyDescription: z.string(),
    seriesDescription: z.string(),
    modality: z.string(),
    instances: z.number(),
    status: z.string(),
    daysBefore: z
      .number()
      .nullable()
      .openapi({ description: 'Days from that study to this one; > 0 before' }),
  })
  .openapi('PriorSeries');

export const priorListSchema = z.object({ priors: z.array(priorSeriesSchema) }).openapi('PriorList');

const trackedNoduleSchema = z
  .object({
    id: z.string(),
    number: z.number(),
    decision: z.string(),
    centreLps: vec3,
    sliceRange: z.tuple([z.number(), z.number()]),
    diameterMm: z.number().optional(),
    longAxisMm: z.number().optional(),
    shortAxisMm: z.number().optional(),
    meanDiameterMm: z.number().optional(),
    volumeMm3: z.number().optional(),
  })
  .openapi('TrackedNodule');

export const followUpSchema = z
  .object({
    seriesUid: z.string(),
    prior: priorSeriesSchema,
    registration: z.object({
      translationMm: vec3.openapi({
        description: 'Add to a point of this series to reach the prior (LPS, mm)',
      }),
      correlation: z.number(),
      overlap: z.number(),
      cellMm: z.number(),
      uncertain: z.boolean(),
      seconds: z.number(),
    }),
    current: z.array(trackedNoduleSchema),
    priorNodules: z.array(trackedNoduleSchema),
    changes: z.array(
      z.object({
        change: z.enum(['new', 'grown', 'stable', 'shrunk', 'resolved', 'outside-prior', 'outside-current']),
        current: z.string().optional(),
        prior: z.string().optional(),
        distanceMm: z.number().optional(),
        meanDiameterChangeMm: z.number().optional(),
        volumeChangePercent: z.number().optional(),
        doublingDays: z.number().optional(),
      }),
    ),
    unmeasured: z.string().nullable(),
  })
  .openapi('FollowUp');
