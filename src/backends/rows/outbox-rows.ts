import type { CreateIntent, OutboxRow as OutboxEntryRow, PushTarget } from '../../ports/store.ts';
import type { ColumnDecoders, ColumnTypes } from './columns.ts';
import type { LinkRow } from './entity-rows.ts';

/** Rows of `outbox`, `push_creates` and the push view of `entity_links`, shared by the SQLite and PostgreSQL outbox repositories. */
export interface OutboxRow<C extends ColumnTypes> {
  id: string;
  tenant_id: string;
  entity_id: string;
  change: C['json'];
  created_at: string;
  processed_at: string | null;
  expires_at: string | null;
  relayed_at: string | null;
  outcome: C['json'] | null;
}

export const OUTBOX_COLUMNS = 'id, tenant_id, entity_id, change, created_at, processed_at, expires_at, relayed_at, outcome';

/** The columns of an `entity_links` row that a push reads (PUSH_TARGET_COLUMNS). */
export type PushTargetRow<C extends ColumnTypes> = Pick<LinkRow<C>, 'id' | 'connection_id' | 'integration_id' | 'object' | 'external_id' | 'record_id' | 'remote_version' | 'base_snapshot' | 'pushed_hash'>;

export const PUSH_TARGET_COLUMNS = 'id, connection_id, integration_id, object, external_id, record_id, remote_version, base_snapshot, pushed_hash';

export interface CreateIntentRow {
  tenant_id: string;
  entity_id: string;
  integration_id: string;
  outbox_id: string;
  started_at: string;
}

export function toCreateIntent(row: CreateIntentRow): CreateIntent {
  return { tenantId: row.tenant_id, entityId: row.entity_id, integrationId: row.integration_id, outboxId: row.outbox_id, startedAt: row.started_at };
}

/** The row mappers for one backend's column decoders. */
export function outboxRowMappers<C extends ColumnTypes>(columns: ColumnDecoders<C>) {
  return {
    toOutbox: (row: OutboxRow<C>): OutboxEntryRow => ({
      id: row.id,
      tenantId: row.tenant_id,
      entityId: row.entity_id,
      change: columns.json<Record<string, unknown>>(row.change),
      createdAt: row.created_at,
      processedAt: row.processed_at,
      expiresAt: row.expires_at,
      relayedAt: row.relayed_at,
      outcome: row.outcome === null ? null : columns.json<Record<string, unknown>>(row.outcome),
    }),
    toPushTarget: (row: PushTargetRow<C>): PushTarget => ({
      linkId: row.id,
      connectionId: row.connection_id,
      integrationId: row.integration_id,
      object: row.object,
      externalId: row.external_id,
      recordId: row.record_id,
      remoteVersion: row.remote_version,
      baseSnapshot: row.base_snapshot === null ? null : columns.json<Record<string, unknown>>(row.base_snapshot),
      pushedHash: row.pushed_hash,
    }),
  };
}

/** `list`'s limit, clamped to 1..500 (default 50). */
export function outboxListLimit(limit: number | undefined): number {
  return Math.max(1, Math.min(500, Math.floor(limit ?? 50)));
}
