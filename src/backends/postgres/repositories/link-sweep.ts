import type { LinkSweepRepository, LinkedEntity, UnseenLinksQuery } from '../../../ports/store.ts';
import { PG_COLUMNS, type PgColumnTypes } from '../../rows/columns.ts';
import { ENTITY_COLUMNS, entityRowMappers, type LinkedRow } from '../../rows/entity-rows.ts';
import type { PgContext, PgRow } from '../sql.ts';

const { toLinked } = entityRowMappers(PG_COLUMNS);
const E_COLUMNS = ENTITY_COLUMNS.split(', ').map((c) => `e.${c}`).join(', ');

// Each id is one lookup on the UNIQUE (connection, object, external id) index.
const MARK_SEEN = `UPDATE entity_links SET last_synced_at = $5
  WHERE connection_id = $2 AND object = $3 AND external_id = ANY($4::text[]) AND tenant_id = $1
    AND (last_synced_at IS NULL OR last_synced_at < $5)`;
const UNSEEN = `SELECT l.id AS link_id, l.object, l.external_id, l.record_id, l.remote_version, l.base_snapshot, l.tombstoned_at, ${E_COLUMNS}
  FROM entity_links l JOIN entities e ON e.id = l.entity_id
  WHERE l.connection_id = $2 AND l.object = $3 AND l.external_id > $4 AND l.tenant_id = $1
    AND l.tombstoned_at IS NULL AND (l.last_synced_at IS NULL OR l.last_synced_at < $5)
  ORDER BY l.external_id LIMIT $6`;

/** Deletion inference's reads and marks in PostgreSQL. */
export class PgLinkSweepRepository implements LinkSweepRepository {
  readonly #sql: PgContext;

  constructor(sql: PgContext) {
    this.#sql = sql;
  }

  async markSeen(tenantId: string, connectionId: string, object: string, externalIds: readonly string[], at: string): Promise<void> {
    if (externalIds.length === 0) return;
    await this.#sql.query(MARK_SEEN, [tenantId, connectionId, object, [...externalIds], at]);
  }

  async listUnseen(q: UnseenLinksQuery): Promise<LinkedEntity[]> {
    const { rows } = await this.#sql.query<LinkedRow<PgColumnTypes> & PgRow>(UNSEEN, [
      q.tenantId, q.connectionId, q.object, q.afterExternalId ?? '', q.seenSince, Math.max(1, Math.floor(q.limit)),
    ]);
    return rows.map(toLinked);
  }
}
