import type { OutboxEntry } from '../domain/entity.ts';

/** Store repository of the push half of the sync engine: the outbox. See store.ts for the Store contract. */

/** An outbox row with its delivery state. */
export interface OutboxRow extends OutboxEntry {
  /** When the relay handed it to the `sync-outbound` queue (null: not yet). */
  readonly relayedAt: string | null;
  /** What processing it did: per-link results, or the error that ended it. */
  readonly outcome: Record<string, unknown> | null;
}

/** A live link of an entity with what a push needs, joined with its integration's push settings source. */
export interface PushTarget {
  readonly linkId: string;
  readonly connectionId: string;
  readonly integrationId: string | null;
  readonly object: string;
  readonly externalId: string;
  /** The provider's record id (what update/delete address); null for links made by relationships only. */
  readonly recordId: string | null;
  readonly remoteVersion: string | null;
  readonly baseSnapshot: Record<string, unknown> | null;
  readonly pushedHash: string | null;
}

/** What a successful push leaves on the link: the provider's new version, the agreed base, our write's hash. */
export interface PushRecord {
  readonly remoteVersion: string | null;
  readonly baseSnapshot: Record<string, unknown>;
  readonly pushedHash: string;
  readonly at: string;
  /** The provider's modification time of the record after the push (absent or null: keep the stored one); pulls read before it are stale. */
  readonly remoteModifiedAt?: string | null;
}

/** A create at a provider that was started and not yet recorded as a link (crash safety). */
export interface CreateIntent {
  readonly tenantId: string;
  readonly entityId: string;
  readonly integrationId: string;
  readonly outboxId: string;
  readonly startedAt: string;
}

/**
 * The outbox (the reference's outbound intake) and the link bookkeeping of pushes.
 * Tenant-scoped except `listUnrelayed`, the relay's cross-tenant scan.
 *
 * - Rows are added by `EntityRepository.applyBatch` (`EntityWriteBatch.outbox`), in the
 *   transaction that writes the entity change they announce.
 * - `markRelayed` and `markProcessed` are idempotent: marking twice changes nothing
 *   (the first processed time and outcome stay).
 * - `beginCreate` is the create-once guard: the first call for (entity, integration)
 *   records the intent and returns null; later calls return the intent already recorded,
 *   until `endCreate` (called in the transaction that inserts the link) removes it.
 * Deliberately left out: ordering between entities (the push reads the entity's current
 * state, so rows of one entity may be processed in any order).
 */
export interface OutboxRepository {
  get(tenantId: string, id: string): Promise<OutboxRow | null>;
  /** Newest first, at most `limit` (max 500); `pending` only: not yet processed. */
  list(tenantId: string, options?: { pending?: boolean; limit?: number }): Promise<OutboxRow[]>;
  /** Unprocessed rows not yet relayed, oldest first, at most `limit`, every tenant. */
  listUnrelayed(limit: number): Promise<OutboxRow[]>;
  markRelayed(ids: readonly string[], at: string): Promise<void>;
  /** Sets processedAt, outcome and expiresAt (the retention) unless already processed. */
  markProcessed(tenantId: string, id: string, at: string, outcome: Record<string, unknown>, expiresAt: string | null): Promise<void>;
  /** Records what the last attempt did (an error) on a row still pending; a processed row is left alone. */
  recordOutcome(tenantId: string, id: string, outcome: Record<string, unknown>): Promise<void>;
  /** Live (not tombstoned) links of an entity, oldest first. */
  pushTargets(tenantId: string, entityId: string): Promise<PushTarget[]>;
  /** Records a push on the link (version, base, pushed hash; lastSyncedAt = at). */
  recordPush(tenantId: string, linkId: string, push: PushRecord): Promise<void>;
  beginCreate(intent: CreateIntent): Promise<CreateIntent | null>;
  endCreate(tenantId: string, entityId: string, integrationId: string): Promise<void>;
}
