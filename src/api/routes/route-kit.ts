// Owns what every route module shares: the app type, the problem responses each route documents, and the
// mappings from store records to the renderer's contract types.
import type { OpenAPIHono } from '@hono/zod-openapi';
import type {
  DecisionRecord,
  StoredFinding,
  StoredSeries,
  WorklistRow,
} from '../../dataset/dataset-types.ts';
import type { DecisionInfo, FindingInfo, WorklistItem } from '../../shared/api-types.ts';
import { problemSchema } from '../api-schemas.ts';

export type ApiApp = OpenAPIHono;

const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});

/** The error answers every route may give, for the OpenAPI document (thrown as ApiProblem, not returned). */
export const problems = {
  400: problem('The input did not validate; `detail` says which field and why'),
  403: problem('A path outside the imported folders'),
  404: problem('An id that does not exist'),
  409: problem('The request cannot be served in the current state (e.g. no model installed)'),
} as const;

export function worklistItem(row: WorklistRow): WorklistItem {
  const s = row.series;
  return {
    seriesUid: s.seriesUid,
    studyUid: s.studyUid,
    patientId: s.patientId,
    patientName: s.patientName,
    studyDate: s.studyDate,
    accessionNumber: s.accessionNumber,
    studyDescription: s.studyDescription,
    seriesDescription: s.seriesDescription,
    modality: s.modality,
    instances: s.instances,
    score: s.score,
    largestMm: s.largestMm,
    findingCount: row.findingCount,
    reviewedCount: row.reviewedCount,
    status: s.status,
    scopeWarnings: s.scopeWarnings,
    warnings: s.warnings,
    arrivedAt: s.arrivedAt,
    ...(row.overdue ? { overdue: true } : {}),
    priorStudyDate: row.priorStudyDate,
  };
}

export function decisionInfo(decision: DecisionRecord | null): DecisionInfo | null {
  return decision
    ? {
        kind: decision.kind,
        reason: decision.reason,
        note: decision.note,
        reader: decision.reader,
        at: decision.at,
      }
    : null;
}

export function findingInfo(finding: StoredFinding): FindingInfo {
  return {
    id: finding.id,
    source: finding.source,
    score: finding.score,
    volumeMm3: finding.volumeMm3,
    diameterMm: finding.diameterMm,
    centerMm: finding.centerMm,
    sliceRange: finding.sliceRange,
    focusSlice: finding.focusSlice,
    focusPoint: finding.focusPoint,
    decision: decisionInfo(finding.decision),
  };
}

/** rows × columns of a series, the size every mask slice must have. */
export const planeSize = (series: StoredSeries) => series.rows * series.columns;
