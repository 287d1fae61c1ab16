// Owns the zod schemas of the PACS routes (validation and /api/openapi.json); they mirror
// src/shared/pacs-types.ts. No answer schema has a field for a secret.
import { z } from '@hono/zod-openapi';

const uid = (what: string) =>
  z
    .string()
    .regex(/^[0-9]+(\.[0-9]+)*$/, `${what} is a DICOM UID (digits and dots)`)
    .max(64);

export const serverNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/, 'a server name is 1–40 letters, digits, "-" or "_"')
  .openapi({ param: { name: 'name', in: 'path' }, example: 'hospital' });

export const studyUidParamSchema = uid('a study UID').openapi({
  param: { name: 'studyUid', in: 'path' },
  example: '1.2.826.0.1.3680043.8.498.1',
});

const authSchema = z
  .discriminatedUnion('type', [
    z.object({ type: z.literal('none') }).strict(),
    z
      .object({
        type: z.literal('basic'),
        username: z
          .string()
          .min(1, 'basic authentication needs a user name')
          .max(200)
          .refine((name) => !name.includes(':'), 'a user name cannot contain ":"'),
      })
      .strict(),
    z.object({ type: z.literal('bearer') }).strict(),
  ])
  .openapi('PacsAuth');

export const serverSaveSchema = z
  .object({
    baseUrl: z.string().url('baseUrl must be a URL such as https://pacs.example.org/dicom-web').max(2000),
    auth: authSchema,
    secret: z.string().min(1).max(4096).optional().openapi({ description: 'Write-only; never returned' }),
  })
  .strict()
  .openapi('PacsServerSave');

export const secretBodySchema = z
  .object({ secret: z.string().min(1).max(4096).optional() })
  .strict()
  .openapi('PacsSecret');

export const serverInfoSchema = z
  .object({
    name: z.string(),
    baseUrl: z.string(),
    auth: authSchema,
    secretSource: z.enum(['keychain', 'session', 'environment', 'none', 'missing']),
    secretEnv: z.string().optional(),
  })
  .openapi('PacsServerInfo');

export const serverListSchema = z
  .object({ servers: z.array(serverInfoSchema), keychain: z.boolean() })
  .openapi('PacsServerList');

const date = z
  .string()
  .regex(/^\d{4}-?\d{2}-?\d{2}$/, 'a date is YYYY-MM-DD')
  .optional();
const term = z.string().trim().max(64).optional();

export const studySearchSchema = z
  .object({
    patientName: term,
    patientId: term,
    dateFrom: date,
    dateTo: date,
    modality: z
      .string()
      .regex(/^[A-Z]{2,4}$/, 'a modality is 2–4 capital letters, e.g. CT')
      .optional(),
    accessionNumber: term,
    limit: z.coerce.number().int().min(1).max(200).default(25),
    offset: z.coerce.number().int().min(0).max(100_000).default(0),
  })
  .openapi('PacsStudySearch');

export const studySchema = z
  .object({
    studyInstanceUid: z.string(),
    studyDate: z.string(),
    accessionNumber: z.string(),
    patientId: z.string(),
    patientName: z.string(),
    description: z.string(),
    modalities: z.array(z.string()),
    instances: z.number().optional(),
  })
  .openapi('PacsStudy');

export const studyPageSchema = z
  .object({ studies: z.array(studySchema), offset: z.number(), limit: z.number(), more: z.boolean() })
  .openapi('PacsStudyPage');

export const seriesSchema = z
  .object({
    studyInstanceUid: z.string(),
    seriesInstanceUid: z.string(),
    modality: z.string(),
    seriesNumber: z.number().optional(),
    description: z.string(),
    instances: z.number().optional(),
    localStatus: z.string().optional(),
  })
  .openapi('PacsSeries');

export const pullRequestSchema = z
  .object({
    series: z
      .array(
        z
          .object({
            studyInstanceUid: uid('studyInstanceUid'),
            seriesInstanceUid: uid('seriesInstanceUid'),
          })
          .strict(),
      )
      .min(1, 'choose at least one series to pull')
      .max(500),
  })
  .strict()
  .openapi('PacsPullRequest');

export const pushRequestSchema = z
  .object({ seriesUid: uid('seriesUid') })
  .strict()
  .openapi('PacsPushRequest');

export const pushResultSchema = z
  .object({
    outcomes: z.array(
      z.object({
        sopInstanceUid: z.string(),
        sopClassUid: z.string(),
        status: z.enum(['stored', 'warning', 'failed']),
        reason: z.string().optional(),
        queued: z.boolean(),
      }),
    ),
    stored: z.number(),
    failed: z.number(),
  })
  .openapi('PacsPushResult');

export const retryRequestSchema = z
  .object({ server: z.string().max(40).optional() })
  .strict()
  .openapi('PacsRetryRequest');

export const queueSchema = z
  .object({
    entries: z.array(
      z.object({
        id: z.string(),
        server: z.string(),
        sopInstanceUid: z.string(),
        sopClassUid: z.string(),
        queuedAt: z.string(),
        lastTriedAt: z.string(),
        attempts: z.number(),
        lastError: z.string(),
      }),
    ),
  })
  .openapi('PacsQueue');
