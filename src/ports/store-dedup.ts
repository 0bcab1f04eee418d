import type { MergeLineage } from '../domain/entity.ts';
import type { DedupReview, DedupReviewStatus } from '../domain/review.ts';
import type { Page, PageRequest } from './page.ts';

/**
 * Store repositories of the dedup decisions a person makes: the review queue, pairs judged
 * distinct, and merges of duplicate entities with their lineage. Tenant-scoped
 * throughout: a foreign id is absent. See store.ts for the Store contract.
 */

export interface DedupReviewFilter extends PageRequest {
  status?: DedupReviewStatus;
}

/**
 * The dedup review queue (rows are written by the pull writer, `EntityWriteBatch.reviews`).
 * A review whose two candidates form a dismissed pair is never stored: the insert is
 * skipped, so a pair a person rejected is not proposed again.
 */
export interface DedupReviewRepository {
  /** Oldest first, ordered by (createdAt, id). */
  list(tenantId: string, filter?: DedupReviewFilter): Promise<Page<DedupReview>>;
  get(tenantId: string, id: string): Promise<DedupReview | null>;
  /**
   * Closes an OPEN review (status, resolution, resolvedAt): a compare-and-set, so two
   * deciders cannot both win. False when it is absent or no longer open.
   */
  resolve(tenantId: string, id: string, status: Exclude<DedupReviewStatus, 'open'>, resolution: Record<string, unknown>, resolvedAt: string): Promise<boolean>;
  /** Remembers that two entities are distinct (unordered pair); idempotent. */
  dismissPair(tenantId: string, a: string, b: string, at: string): Promise<void>;
  isPairDismissed(tenantId: string, a: string, b: string): Promise<boolean>;
}

/** An entity's state as a merge or its undo sets it; updatedAt is the call's `at`. */
export interface EntityStatePatch {
  readonly fields: Record<string, unknown>;
  readonly version: number;
  readonly deletedAt: string | null;
  readonly mergedInto: string | null;
}

/**
 * Merges: the lineage rows and the few writes a merge (or its undo) needs beyond
 * `EntityRepository.applyBatch` (which writes feed rows and match keys).
 * Called inside a transaction so that a merge is all or nothing.
 */
export interface MergeRepository {
  /** Fails with CONFLICT when the id exists. */
  insert(lineage: MergeLineage): Promise<void>;
  get(tenantId: string, id: string): Promise<MergeLineage | null>;
  /** Merges where the entity survived or was merged, newest first, ordered by (mergedAt, id) descending. */
  listByEntity(tenantId: string, entityId: string, page?: PageRequest): Promise<Page<MergeLineage>>;
  /** Sets undoneAt on a merge not yet undone; false when absent or already undone (compare-and-set). */
  markUndone(tenantId: string, id: string, at: string): Promise<boolean>;
  /** Replaces an entity's fields, version, deletedAt and mergedInto; false when absent. */
  setEntityState(tenantId: string, id: string, state: EntityStatePatch, at: string): Promise<boolean>;
  /** Points these links (by id) at `entityId`; answers how many moved. */
  moveLinks(tenantId: string, linkIds: readonly string[], entityId: string): Promise<number>;
  /** Inserts relationships with their own creation times, unless (from, kind, to) exists or an end is not the tenant's entity. */
  insertRelationships(tenantId: string, relationships: readonly { fromEntityId: string; kind: string; toEntityId: string; createdAt: string }[]): Promise<void>;
  /** Deletes these relationships (absent ones are ignored). */
  deleteRelationships(tenantId: string, relationships: readonly { fromEntityId: string; kind: string; toEntityId: string }[]): Promise<void>;
  /** Deletes these match keys of the entity (the writer adds keys through applyBatch); absent ones are ignored. */
  deleteMatchKeys(tenantId: string, entityId: string, keys: readonly { entityType: string; key: string }[]): Promise<void>;
}
