import type { ConflictReview, ConflictStatus } from '../domain/review.ts';
import type { Page, PageRequest } from './page.ts';

/** Store repository of the conflict review queue (`conflicts`). See store.ts for the Store contract. */

export interface ConflictFilter extends PageRequest {
  status?: ConflictStatus;
  integrationId?: string;
  entityId?: string;
}

/** How many conflicts one run recorded: every one it detected, and those its strategy decided. */
export interface RunConflictCounts {
  readonly detected: number;
  readonly resolved: number;
  /** Still waiting for a person (the run's rows that are `open`). */
  readonly open: number;
}

/**
 * Conflicts found by three-way detection, each with its base, local and remote values
 * (`ConflictReview.payload`, see `ConflictPayload`). Tenant-scoped throughout: a foreign
 * id is absent. Rows are never deleted by the queue (a tenant's deletion cascades).
 *
 * - `insertMany` fails with CONFLICT on a duplicate id and NOT_FOUND when the tenant,
 *   entity or integration does not exist.
 * - `replaceOpen` and `close` change a row only while it is `open`: a second close of the
 *   same conflict returns null (two reviewers cannot both decide it).
 * - `countForRun` counts rows whose payload names the run and that were created at or
 *   after `since` (the run's start; it bounds the scan).
 */
export interface ConflictRepository {
  insertMany(conflicts: readonly ConflictReview[]): Promise<void>;
  get(tenantId: string, id: string): Promise<ConflictReview | null>;
  /** Oldest first, ordered by (createdAt, id). */
  list(tenantId: string, filter?: ConflictFilter): Promise<Page<ConflictReview>>;
  /** Open conflicts of these entities (the pull writer's one batched read). */
  openForEntities(tenantId: string, entityIds: readonly string[]): Promise<ConflictReview[]>;
  /** Replaces the payload of an open conflict (newer values seen); false when it is not open. */
  replaceOpen(tenantId: string, id: string, payload: Record<string, unknown>): Promise<boolean>;
  /** Closes an open conflict; returns it closed, or null when absent or not open. */
  close(tenantId: string, id: string, close: { status: 'resolved' | 'dismissed'; resolution: Record<string, unknown>; resolvedAt: string }): Promise<ConflictReview | null>;
  countForRun(tenantId: string, runId: string, since: string): Promise<RunConflictCounts>;
}
