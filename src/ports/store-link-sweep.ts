import type { LinkedEntity } from './store-sync.ts';

/**
 * Store repository of deletion inference: which links a complete read of a provider
 * object saw. For providers that report deletions only by webhook (or not at all), a full
 * resync that completed is the one proof that a record is gone. See store.ts for the
 * Store contract; tenant-scoped like the entity store.
 */

export interface UnseenLinksQuery {
  readonly tenantId: string;
  readonly connectionId: string;
  readonly object: string;
  /** Links synced at or after this ISO time were seen. */
  readonly seenSince: string;
  /** Keyset paging by external id: the last one of the previous call, or null. */
  readonly afterExternalId: string | null;
  readonly limit: number;
}

export interface LinkSweepRepository {
  /**
   * Records that a read saw these records: lastSyncedAt becomes `at` on the links of
   * (connection, object) with these external ids, where it is older. Unknown ids are
   * ignored (a new record's link is written with lastSyncedAt = its page's time). One
   * statement, whatever the number of ids.
   */
  markSeen(tenantId: string, connectionId: string, object: string, externalIds: readonly string[], at: string): Promise<void>;
  /** Live links of (connection, object) not synced since `seenSince`, joined with their entities, by external id. */
  listUnseen(query: UnseenLinksQuery): Promise<LinkedEntity[]>;
}
