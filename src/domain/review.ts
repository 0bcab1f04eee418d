/**
 * Review queues: the data model of the `dedup_reviews` and `conflicts` containers,
 * decisions left to a person. Times are ISO-8601 UTC strings.
 */

export const DEDUP_REVIEW_STATUSES = ['open', 'merged', 'dismissed'] as const;
export type DedupReviewStatus = (typeof DEDUP_REVIEW_STATUSES)[number];

/** Possible duplicates scored below the auto-merge threshold. */
export interface DedupReview {
  readonly id: string;
  readonly tenantId: string;
  readonly status: DedupReviewStatus;
  /** Candidate entity ids, scores and per-field evidence. */
  readonly payload: Record<string, unknown>;
  /** The decision and who made it; null while open. */
  readonly resolution: Record<string, unknown> | null;
  readonly createdAt: string;
  readonly resolvedAt: string | null;
}

export const CONFLICT_STATUSES = ['open', 'resolved', 'dismissed'] as const;
export type ConflictStatus = (typeof CONFLICT_STATUSES)[number];

/** A conflict the configured strategy left to a person. */
export interface ConflictReview {
  readonly id: string;
  readonly tenantId: string;
  readonly entityId: string | null;
  readonly integrationId: string | null;
  readonly status: ConflictStatus;
  /** Base, local and remote values of each conflicting field. */
  readonly payload: Record<string, unknown>;
  readonly resolution: Record<string, unknown> | null;
  readonly createdAt: string;
  readonly resolvedAt: string | null;
}
