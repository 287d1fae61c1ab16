// Owns POST /api/export: checks the request, plans the export from the store at once (so "nothing to export"
// or "that folder is taken" come back as a problem, not as a failed job), then runs it as a job whose
// progress the renderer follows over the usual SSE job events. The export itself is src/export's.
import path from 'node:path';
import { existsSync, readdirSync } from 'node:fs';
import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { DatasetStore } from '../../dataset/dataset-types.ts';
import { EXPORT_STATUS_FILTERS, planDatasetExport } from '../../export/dataset-export.ts';
import type { FollowUpService } from '../../followup/series-follow-up.ts';
import { runExport } from '../../export/export-orchestrator.ts';
import { EXPORT_FORMATS, type ExportSummary } from '../../export/export-types.ts';
import type { ExportRequest, Job } from '../../shared/api-types.ts';
import type { JobRegistry } from '../job-registry.ts';
import { ApiProblem, badRequest, conflict, problemFromError, problemResponse } from '../problem.ts';

const absolutePath = (what: string) =>
  z
    .string()
    .min(1)
    .max(4096)
    .refine((value) => path.isAbsolute(value), `${what} must be an absolute path`)
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
    .refine((value) => !/[\u0000-\u001f]/.test(value), `${what} cannot hold control characters`);

export const exportRequestSchema = z
  .object({
    format: z.enum(EXPORT_FORMATS as [ExportRequest['format'], ...ExportRequest['format'][]]),
    outDir: absolutePath('outDir'),
    deidentify: z.boolean().optional(),
    keyFile: absolutePath('keyFile').optional(),
    status: z.enum(EXPORT_STATUS_FILTERS as [string, ...string[]]).optional(),
    reader: z.string().trim().min(1).max(100).optional(),
    includeProposals: z.boolean().optional(),
  })
  .strict()
  .openapi('ExportRequest');

const exportJobSchema = z
  .object({
    id: z.string(),
    kind: z.literal('export'),
    state: z.enum(['running', 'done', 'failed', 'cancelled']),
    done: z.number(),
    total: z.number(),
    message: z.string(),
  })
  .openapi('ExportJob');

const problem = z.object({ type: z.string(), title: z.string(), status: z.number(), detail: z.string() });

const route = createRoute({
  method: 'post',
  path: '/api/export',
  summary: 'Export the reviewed labels (NIfTI / nnU-Net, DICOM SEG, CSV, JSON) as a job',
  request: { body: { content: { 'application/json': { schema: exportRequestSchema } }, required: true } },
  responses: {
    202: { description: 'The export job', content: { 'application/json': { schema: exportJobSchema } } },
    400: { description: 'Invalid request', content: { 'application/problem+json': { schema: problem } } },
    409: {
      description: 'Nothing to export, or the folder is taken',
      content: { 'application/problem+json': { schema: problem } },
    },
  },
});

function finishedMessage(summary: ExportSummary): string {
  const skipped = summary.skipped.length
    ? `; ${summary.skipped.length} series skipped (see manifest.json): ${summary.skipped.map((s) => `${s.caseId} ${s.reason}`).join('; ')}`
    : '';
  const key = summary.keyFile ? `; pseudonym key in ${summary.keyFile}` : '';
  return `${summary.cases} series, ${summary.findings} findings written to ${summary.outDir}${skipped}${key}`;
}

export interface ExportRoutesOptions {
  /** The export runner (tests pass one that waits, to see progress and cancellation). */
  run?: typeof runExport;
  /** Fills each row's change since the patient's prior study (the server's, sharing its registrations). */
  followUp?: FollowUpService;
}

export function exportRoutes(
  store: DatasetStore,
  jobs: JobRegistry,
  options: ExportRoutesOptions = {},
): OpenAPIHono {
  const run = options.run ?? runExport;
  const app = new OpenAPIHono({
    defaultHook: (result) => {
      if (!result.success) {
        const detail = result.error.issues
          .map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`)
          .join('; ');
        return problemResponse(400, 'Bad request', `the export request is invalid — ${detail}`);
      }
    },
  });
  app.onError((error) => problemFromError(error));
  app.openapi(route, (c) => {
    const body = c.req.valid('json') as ExportRequest;
    const outDir = path.resolve(body.outDir);
    if (existsSync(outDir) && readdirSync(outDir).length > 0) {
      throw conflict(`${outDir} already exists and is not empty — choose a new folder for the export`);
    }
    if (body.keyFile && !body.deidentify) {
      throw badRequest('a pseudonym key file only makes sense with deidentify');
    }
    const filter = {
      status: body.status ?? 'done',
      reader: body.reader,
      includeProposals: body.includeProposals,
    };
    const plan = planDatasetExport(store, filter, { deidentify: body.deidentify });
    options.followUp?.attachTo(plan.series, filter.reader ?? null);
    if (plan.series.length === 0) {
      throw new ApiProblem(
        409,
        'Nothing to export',
        `no series with status "${filter.status}" — mark reviewed series done, or export another status`,
      );
    }
    const job: Job = jobs.start(
      'export',
      `exporting ${plan.series.length} series as ${body.format}`,
      async ({ signal, progress }) => {
        const summary = await run(plan.series, {
          format: body.format,
          outDir,
          deidentify: body.deidentify,
          keyFile: body.keyFile,
          datasetVersion: plan.datasetVersion,
          selection: plan.selection,
          onProgress: ({ done, total, step }) => {
            // Throwing here stops the export between files; the unfinished folder is removed.
            signal.throwIfAborted();
            progress(done, total, step);
          },
        });
        return finishedMessage(summary);
      },
    );
    return c.json({ ...job, kind: 'export' as const }, 202);
  });
  return app;
}
