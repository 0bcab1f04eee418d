import type { Entity, EntityChange, EntityLink, MergeLineage, Relationship } from '../domain/entity.ts';
import type { Integration, SyncPriority, SyncSchedule } from '../domain/integration.ts';
import type { DedupReview } from '../domain/review.ts';
import type { RunRecordError, StoredError, SyncResult, SyncRun } from '../domain/sync-run.ts';
import type { Page, PageRequest } from './page.ts';

/** Store repositories of the sync engine: integrations, entities and their links, runs. See store.ts for the Store contract. */

/** Fields of an integration that change after it was created; absent fields are left alone. */
export interface IntegrationPatch {
  direction?: Integration['direction'];
  mapping?: Record<string, unknown>;
  mappingVersion?: number;
  schedule?: SyncSchedule | null;
  priority?: SyncPriority;
  dedupRules?: Record<string, unknown>;
  conflictStrategy?: Record<string, unknown>;
  fieldOwnership?: Record<string, unknown>;
  enabled?: boolean;
}

/** An integration whose schedule is due, as the scheduler's cross-tenant scan returns it. */
export interface DueIntegration {
  readonly tenantId: string;
  readonly integrationId: string;
  readonly priority: SyncPriority;
  readonly nextScheduled: string;
}

/**
 * Integrations (sync configurations) and their schedule state (`sync_tasks`, one
 * scheduled task per integration, created with it). Tenant-scoped: a foreign id is
 * absent. `insert` fails with NOT_FOUND when the tenant or connection does not exist.
 * `listDue` is the scheduler's one cross-tenant read.
 */
export interface IntegrationRepository {
  insert(integration: Integration, nextScheduled: string | null): Promise<void>;
  get(tenantId: string, id: string): Promise<Integration | null>;
  /** Oldest first, ordered by (createdAt, id). */
  list(tenantId: string, page?: PageRequest & { connectionId?: string }): Promise<Page<Integration>>;
  update(tenantId: string, id: string, patch: IntegrationPatch, updatedAt: string): Promise<Integration | null>;
  delete(tenantId: string, id: string): Promise<boolean>;
  /** The committed cursor; written in the same transaction as the page it covers. */
  setCursor(tenantId: string, id: string, cursor: unknown, at: string): Promise<void>;
  /** When the integration runs next (null: not scheduled). */
  setNextScheduled(tenantId: string, id: string, nextScheduled: string | null, at: string): Promise<void>;
  getNextScheduled(tenantId: string, id: string): Promise<string | null>;
  /** Enabled integrations due by `now`, high priority first, then the longest overdue; at most `limit`. */
  listDue(now: string, limit: number): Promise<DueIntegration[]>;
}

/** An entity link's key: the idempotency key of pull writes within one connection. */
export interface LinkKey {
  readonly object: string;
  readonly externalId: string;
}

/** A stored link's key and the entity it points to: all a relationship end needs. */
export interface LinkTarget extends LinkKey {
  readonly entityId: string;
}

/** A link joined with its entity, as the pull writer needs it to decide a write. */
export interface LinkedEntity {
  readonly linkId: string;
  readonly object: string;
  readonly externalId: string;
  readonly recordId: string | null;
  readonly remoteVersion: string | null;
  readonly baseSnapshot: Record<string, unknown> | null;
  readonly tombstonedAt: string | null;
  /**
   * The provider's modification time of the record as last written to this link (by a
   * pull, a webhook or a push); a pulled record older than it is stale. Null: unknown.
   */
  readonly remoteModifiedAt?: string | null;
  readonly entity: Entity;
}

/** One batch of entity-store writes: everything a page produced, applied in order, atomically. */
export interface EntityWriteBatch {
  readonly tenantId: string;
  readonly at: string;
  readonly entityInserts: readonly { id: string; type: string; fields: Record<string, unknown> }[];
  /** Replaces fields, version and deletedAt; updatedAt becomes `at`. */
  readonly entityUpdates: readonly { id: string; fields: Record<string, unknown>; version: number; deletedAt: string | null }[];
  readonly linkInserts: readonly {
    id: string; entityId: string; connectionId: string; integrationId: string | null; object: string; externalId: string;
    recordId: string | null; remoteVersion: string | null; baseSnapshot: Record<string, unknown> | null; tombstonedAt: string | null;
    remoteModifiedAt?: string | null;
  }[];
  /** lastSyncedAt becomes `at`; an absent or null remoteModifiedAt keeps the stored one. */
  readonly linkUpdates: readonly {
    id: string; recordId: string | null; remoteVersion: string | null; baseSnapshot: Record<string, unknown> | null; tombstonedAt: string | null;
    remoteModifiedAt?: string | null;
  }[];
  /** Inserted unless (from, kind, to) exists. */
  readonly relationships: readonly { fromEntityId: string; kind: string; toEntityId: string }[];
  /** Appended to the change feed in this order. */
  readonly changes: readonly { entityId: string; change: Record<string, unknown> }[];
  /** Inserted unless present. */
  readonly matchKeys: readonly { entityType: string; key: string; connectionId: string; object: string; entityId: string }[];
  readonly reviews: readonly DedupReview[];
  /**
   * Push intake (store-push.ts): outbox rows announcing these changes to the entities'
   * other linked systems, inserted in the same transaction. Absent or empty: none.
   */
  readonly outbox?: readonly { id: string; entityId: string; change: Record<string, unknown> }[];
  /** Lineage of the automatic links dedup made in this page (merge-lineage rows, see sync/entities/merge-plan.ts). Absent: none. */
  readonly merges?: readonly MergeLineage[];
}

/**
 * A write batch with nothing in it but `parts`: every list empty unless given. The one
 * place that spells out the batch's lists, so a list added later needs no edit at each writer.
 */
export function entityWriteBatch(tenantId: string, at: string, parts: Partial<Omit<EntityWriteBatch, 'tenantId' | 'at'>> = {}): EntityWriteBatch {
  return { tenantId, at, entityInserts: [], entityUpdates: [], linkInserts: [], linkUpdates: [], relationships: [], changes: [], matchKeys: [], reviews: [], ...parts };
}

export interface EntityFilter extends PageRequest {
  type?: string;
  /** Entities with a link through a connection of this provider. */
  provider?: string;
  /** ISO time: updated at or after it. */
  updatedSince?: string;
  /** Soft-deleted entities too. Default false. */
  includeDeleted?: boolean;
}

/**
 * The entity store: entities, their links, relationships, the change feed, match keys and
 * dedup reviews. Tenant-scoped throughout. Reads for the writer are batched (one
 * statement per call, whatever the number of keys); `applyBatch` writes a page.
 */
export interface EntityRepository {
  /** Links (live or tombstoned) of one connection with these keys, joined with their entities. */
  findLinks(tenantId: string, connectionId: string, keys: readonly LinkKey[]): Promise<LinkedEntity[]>;
  /**
   * The same links' entity ids only, for keys the writer only points at (relationship ends):
   * no entity row to read and decode for each.
   */
  findLinkTargets(tenantId: string, connectionId: string, keys: readonly LinkKey[]): Promise<LinkTarget[]>;
  /** Links of one connection and object by the provider's record id (deletions). */
  findLinksByRecordId(tenantId: string, connectionId: string, object: string, recordIds: readonly string[]): Promise<LinkedEntity[]>;
  /** Live links per entity (absent: none). */
  countLiveLinks(tenantId: string, entityIds: readonly string[]): Promise<Map<string, number>>;
  /**
   * Live, unmerged entities of `entityType` holding any of `keys` through a link of a
   * source other than (`excludeConnectionId`, `excludeObject`).
   */
  findByMatchKeys(tenantId: string, entityType: string, keys: readonly string[], excludeConnectionId: string, excludeObject: string): Promise<{ key: string; entityId: string }[]>;
  getMany(tenantId: string, ids: readonly string[]): Promise<Entity[]>;
  applyBatch(batch: EntityWriteBatch): Promise<void>;
  get(tenantId: string, id: string): Promise<Entity | null>;
  /** Ordered by (createdAt, id). */
  list(tenantId: string, filter?: EntityFilter): Promise<Page<Entity>>;
  linksOf(tenantId: string, entityId: string): Promise<EntityLink[]>;
  relationshipsOf(tenantId: string, entityId: string): Promise<{ outgoing: Relationship[]; incoming: Relationship[] }>;
  /** Change feed entries with seq > `sinceSeq`, oldest first, at most `limit` (max 1000); only `entityId`'s when given. */
  changes(tenantId: string, sinceSeq: number, limit: number, entityId?: string): Promise<EntityChange[]>;
  listReviews(tenantId: string, status?: string): Promise<DedupReview[]>;
}

/** A run's record counters. */
export interface RunCounts {
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly deleted: number;
  readonly failed: number;
}

/** A run with its counters and whether it is a full resync. */
export interface SyncRunDetail extends SyncRun {
  readonly counts: RunCounts;
  readonly fullResync: boolean;
}

export interface RunProgress {
  readonly recordsSoFar: number;
  readonly pages: number;
  readonly totalEstimate: number | null;
  readonly checkpoint: unknown;
  readonly counts: RunCounts;
  readonly fullResync: boolean;
  /** The writer's fencing token (see SyncRunRepository); absent: not fenced. */
  readonly fence?: number;
}

/** A run's end; `fence` as in SyncRunRepository. */
export interface RunFinish {
  readonly status: string;
  readonly finishedAt: string;
  readonly error: StoredError | null;
  readonly expiresAt: string | null;
  readonly fence?: number;
}

/**
 * Sync runs, their record errors and results. Tenant-scoped. `ensure` is idempotent:
 * the run a retried job names already exists and is returned as it is.
 *
 * Run writes are guarded so that a worker that lost its job (its lease lapsed while it
 * was paused, and another worker took the run over) cannot regress the run:
 * - a finished run (finishedAt set: succeeded, partial, failed, cancelled) is never
 *   changed by `setStatus`, `progress` or `finish` again;
 * - a write that carries a `fence` (the fencing token of the writer's per-integration
 *   lease, Locks) is refused once the run was written under a higher token, and raises
 *   the run's token to its own otherwise. Writes without a fence are not fenced.
 * `setStatus` and `finish` return whether they wrote. `progress` rejects with
 * LOCK_NOT_HELD instead, so that the page transaction it belongs to (the page's entities
 * and its cursor) rolls back: a stale worker's page never moves the cursor.
 */
export interface SyncRunRepository {
  ensure(run: SyncRun): Promise<SyncRunDetail>;
  get(tenantId: string, id: string): Promise<SyncRunDetail | null>;
  /** Newest first. */
  listByIntegration(tenantId: string, integrationId: string, page?: PageRequest): Promise<Page<SyncRunDetail>>;
  setStatus(tenantId: string, id: string, status: string, error: StoredError | null, fence?: number): Promise<boolean>;
  progress(tenantId: string, id: string, progress: RunProgress): Promise<void>;
  finish(tenantId: string, id: string, finish: RunFinish): Promise<boolean>;
  addRecordErrors(errors: readonly (RunRecordError & { expiresAt: string | null })[]): Promise<void>;
  /** Oldest first, at most `limit`. */
  listRecordErrors(tenantId: string, runId: string, limit: number): Promise<RunRecordError[]>;
  insertResult(result: SyncResult): Promise<void>;
  getResultByRun(tenantId: string, runId: string): Promise<SyncResult | null>;
}
