// Owns GET /api/audit: whether the dataset's hash-chained audit log is intact, and its head — the
// "audit SEQ HASH" every export manifest records as its dataset version. With ?expect= such a head, the log
// must still hold that entry, which catches newest entries removed or rewritten since (the chain alone cannot).
import { createRoute, z } from '@hono/zod-openapi';
import { auditHead, parseAuditAnchor } from '../../dataset/audit-chain.ts';
import type { AuditStatus } from '../../shared/api-types.ts';
import type { ApiContext } from '../api-context.ts';
import { badRequest } from '../problem.ts';
import { problems, type ApiApp } from './route-kit.ts';

const auditStatusSchema = z
  .object({
    ok: z.boolean(),
    entries: z.number(),
    head: z.string().nullable(),
    expected: z.string().nullable(),
    brokenAt: z.object({ seq: z.number(), reason: z.string() }).optional(),
  })
  .openapi('AuditStatus');

const auditRoute = createRoute({
  method: 'get',
  path: '/api/audit',
  summary:
    'Verify the audit log’s hash chain (and, with expect, that it still holds a head recorded earlier)',
  request: {
    query: z.object({
      expect: z.string().max(100).optional().openapi({
        description: 'An export manifest’s datasetVersion, e.g. "audit 12 9f86d081884c7d65"',
      }),
    }),
  },
  responses: {
    200: { description: 'The verification', content: { 'application/json': { schema: auditStatusSchema } } },
    400: problems[400],
  },
});

export function auditRoutes(app: ApiApp, context: ApiContext): void {
  app.openapi(auditRoute, (c) => {
    const { expect } = c.req.valid('query');
    let anchor;
    try {
      anchor = expect === undefined ? undefined : parseAuditAnchor(expect);
    } catch (error) {
      throw badRequest((error as Error).message);
    }
    const verification = context.store.verifyAudit(anchor);
    const last = context.store.lastAudit();
    const status: AuditStatus = {
      ok: verification.ok,
      entries: verification.entries,
      head: last ? auditHead(last) : null,
      expected: expect ?? null,
      ...(verification.brokenAt ? { brokenAt: verification.brokenAt } : {}),
    };
    return c.json(status, 200);
  });
}
