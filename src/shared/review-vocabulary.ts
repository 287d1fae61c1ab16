// Owns the review vocabulary every layer shares — series statuses, rejection reasons, decision kinds, worklist
// orders — as
// constant lists with their types derived from them, so the store's checks, the API's zod enums, the metrics,
// the de-identified tables and the renderer's menus cannot drift apart.

export const SERIES_STATUSES = [
  'unread',
  'model-running',
  'flagged',
  'no-findings',
  'outside-scope',
  'in-review',
  'done',
] as const;
export type SeriesStatus = (typeof SERIES_STATUSES)[number];

export const REJECT_REASONS = ['vessel', 'scar', 'artefact', 'benign', 'other'] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export const DECISION_KINDS = ['confirmed', 'rejected', 'corrected', 'added'] as const;
export type DecisionKind = (typeof DECISION_KINDS)[number];

/**
 * Worklist orders (`sort=`): `priority` (default: the model's suspicion, series waiting past the cap first), or a
 * plain sort a reader may pick: highest score, largest model finding, oldest arrival, newest study, patient name
 * A–Z.
 */
export const WORKLIST_SORTS = ['priority', 'score', 'largest', 'arrived', 'study-date', 'patient'] as const;
export type WorklistSort = (typeof WORKLIST_SORTS)[number];

export function isRejectReason(value: unknown): value is RejectReason {
  return (REJECT_REASONS as readonly unknown[]).includes(value);
}

export function isSeriesStatus(value: unknown): value is SeriesStatus {
  return (SERIES_STATUSES as readonly unknown[]).includes(value);
}
