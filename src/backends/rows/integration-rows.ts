import type { Integration, SyncPriority, SyncSchedule } from '../../domain/integration.ts';
import type { IntegrationPatch } from '../../ports/store.ts';
import type { ColumnDecoders, ColumnTypes } from './columns.ts';

/**
 * Rows of `integrations` and their mapping to domain records, shared by the SQLite and
 * PostgreSQL integration repositories.
 */
export interface IntegrationRow<C extends ColumnTypes> {
  id: string;
  tenant_id: string;
  connection_id: string;
  object: string;
  direction: Integration['direction'];
  mapping: C['json'];
  mapping_version: number;
  schedule: C['json'] | null;
  priority: SyncPriority;
  dedup_rules: C['json'];
  conflict_strategy: C['json'];
  field_ownership: C['json'];
  enabled: C['bool'];
  cursor: C['json'] | null;
  cursor_updated_at: string | null;
  created_at: string;
  updated_at: string;
}

/** The integration mapper for a backend's column decoders. */
export function integrationFromRow<C extends ColumnTypes>(columns: ColumnDecoders<C>): (row: IntegrationRow<C>) => Integration {
  return (row) => ({
    id: row.id,
    tenantId: row.tenant_id,
    connectionId: row.connection_id,
    object: row.object,
    direction: row.direction,
    mapping: columns.json<Record<string, unknown>>(row.mapping),
    mappingVersion: row.mapping_version,
    schedule: row.schedule === null ? null : columns.json<SyncSchedule>(row.schedule),
    priority: row.priority,
    dedupRules: columns.json<Record<string, unknown>>(row.dedup_rules),
    conflictStrategy: columns.json<Record<string, unknown>>(row.conflict_strategy),
    fieldOwnership: columns.json<Record<string, unknown>>(row.field_ownership),
    enabled: columns.bool(row.enabled),
    cursor: row.cursor === null ? null : columns.json<unknown>(row.cursor),
    cursorUpdatedAt: row.cursor_updated_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
}

/** The column each patchable field is stored in. */
export const INTEGRATION_PATCH_COLUMNS: Readonly<Record<keyof IntegrationPatch, string>> = {
  direction: 'direction',
  mapping: 'mapping',
  mappingVersion: 'mapping_version',
  schedule: 'schedule',
  priority: 'priority',
  dedupRules: 'dedup_rules',
  conflictStrategy: 'conflict_strategy',
  fieldOwnership: 'field_ownership',
  enabled: 'enabled',
};
