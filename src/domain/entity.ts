/**
 * The entity store: the data model of the `entities`, `entity_links`,
 * `relationships`, `entity_changes`, `merge_lineage` and `outbox` containers.
 * Times are ISO-8601 UTC strings.
 */

/** One of the product's own records (a "shard" in the reference). */
export interface Entity {
  readonly id: string;
  readonly tenantId: string;
  /** `person`, `company`, `task`, `message`, ... */
  readonly type: string;
  readonly fields: Record<string, unknown>;
  /** Bumped on every write; writers compare it to detect concurrent changes. */
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly deletedAt: string | null;
  /** Set when this entity was merged into another (a duplicate). */
  readonly mergedInto: string | null;
}

/**
 * The pairing of an entity with one external record, and the sync state of the pair.
 * (connectionId, object, externalId) is unique: the idempotency key of pull writes.
 */
export interface EntityLink {
  readonly id: string;
  readonly tenantId: string;
  readonly entityId: string;
  readonly connectionId: string;
  readonly integrationId: string | null;
  readonly object: string;
  readonly externalId: string;
  /** The provider's version of the record (etag, modified time, revision). */
  readonly remoteVersion: string | null;
  /** The last field values both sides agreed on: the base of a three-way merge. */
  readonly baseSnapshot: Record<string, unknown> | null;
  /** Hash of what we last pushed, to recognise the echo of our own write. */
  readonly pushedHash: string | null;
  readonly lastSyncedAt: string | null;
  /** When the external record was found deleted. */
  readonly tombstonedAt: string | null;
  readonly createdAt: string;
}

/** A directed, typed edge between two entities; (from, kind, to) is unique. */
export interface Relationship {
  readonly tenantId: string;
  readonly fromEntityId: string;
  /** `works_at`, `assigned_to`, `parent_of`, ... */
  readonly kind: string;
  readonly toEntityId: string;
  readonly createdAt: string;
}

/** One entry of the change feed; `seq` increases in commit order and is never reused. */
export interface EntityChange {
  readonly seq: number;
  readonly tenantId: string;
  readonly entityId: string;
  readonly change: Record<string, unknown>;
  readonly at: string;
}

/** A merge of a duplicate into a survivor, with what undoing it needs. */
export interface MergeLineage {
  readonly id: string;
  readonly tenantId: string;
  readonly survivorId: string;
  readonly mergedId: string;
  /** The merged entity, its links and relationships as they were before the merge. */
  readonly snapshot: Record<string, unknown>;
  /** Why: the rule and score, or the reviewer. */
  readonly reason: Record<string, unknown>;
  readonly mergedAt: string;
  readonly undoneAt: string | null;
}

/** An internal change waiting to be pushed out, written with the change itself. */
export interface OutboxEntry {
  readonly id: string;
  readonly tenantId: string;
  readonly entityId: string;
  readonly change: Record<string, unknown>;
  readonly createdAt: string;
  readonly processedAt: string | null;
  readonly expiresAt: string | null;
}
