import type { LinkSweepRepository, LinkedEntity, UnseenLinksQuery } from '../../../ports/store.ts';
import { SQLITE_COLUMNS, type SqliteColumnTypes } from '../../rows/columns.ts';
import { entityRowMappers, type LinkedRow } from '../../rows/entity-rows.ts';
import { toJson, type SqlContext } from '../store-sql.ts';

const { toLinked } = entityRowMappers(SQLITE_COLUMNS);

// json_each drives the update, each id one lookup on the UNIQUE (connection, object, external id) index.
const MARK_SEEN = `UPDATE entity_links SET last_synced_at = @at
  WHERE connection_id = @connectionId AND object = @object AND external_id IN (SELECT value FROM json_each(@ids))
    AND tenant_id = @tenantId AND (last_synced_at IS NULL OR last_synced_at < @at)`;
const UNSEEN = `SELECT l.id AS link_id, l.object, l.external_id, l.record_id, l.remote_version, l.base_snapshot, l.tombstoned_at,
    e.id, e.tenant_id, e.type, e.fields, e.version, e.created_at, e.updated_at, e.deleted_at, e.merged_into
  FROM entity_links l JOIN entities e ON e.id = l.entity_id
  WHERE l.connection_id = @connectionId AND l.object = @object AND l.external_id > @after AND l.tenant_id = @tenantId
    AND l.tombstoned_at IS NULL AND (l.last_synced_at IS NULL OR l.last_synced_at < @seenSince)
  ORDER BY l.external_id LIMIT @limit`;

/** Deletion inference's reads and marks in SQLite. */
export class SqliteLinkSweepRepository implements LinkSweepRepository {
  readonly #sql: SqlContext;

  constructor(sql: SqlContext) {
    this.#sql = sql;
  }

  markSeen(tenantId: string, connectionId: string, object: string, externalIds: readonly string[], at: string): Promise<void> {
    if (externalIds.length === 0) return Promise.resolve();
    return this.#sql.run(() => {
      this.#sql.statements.get(MARK_SEEN).run({ at, connectionId, object, ids: toJson(externalIds), tenantId });
    });
  }

  listUnseen(q: UnseenLinksQuery): Promise<LinkedEntity[]> {
    return this.#sql.run(() =>
      this.#sql.statements
        .get<LinkedRow<SqliteColumnTypes>>(UNSEEN)
        .all({ connectionId: q.connectionId, object: q.object, after: q.afterExternalId ?? '', tenantId: q.tenantId, seenSince: q.seenSince, limit: Math.max(1, Math.floor(q.limit)) })
        .map(toLinked),
    );
  }
}
