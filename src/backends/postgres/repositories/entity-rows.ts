import type { Entity, EntityLink } from '../../../domain/entity.ts';

/** Row shapes and converters shared by the entity repository's read and write halves. */
export interface EntityRow {
  [column: string]: unknown;
  id: string;
  tenant_id: string;
  type: string;
  fields: Record<string, unknown>;
  version: number;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  merged_into: string | null;
}

export const ENTITY_COLUMNS = 'id, tenant_id, type, fields, version, created_at, updated_at, deleted_at, merged_into';

export function toEntity(row: EntityRow): Entity {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    type: row.type,
    fields: row.fields,
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
    mergedInto: row.merged_into,
  };
}

export interface LinkRow {
  [column: string]: unknown;
  id: string;
  tenant_id: string;
  entity_id: string;
  connection_id: string;
  integration_id: string | null;
  object: string;
  external_id: string;
  record_id: string | null;
  remote_version: string | null;
  base_snapshot: Record<string, unknown> | null;
  pushed_hash: string | null;
  last_synced_at: string | null;
  tombstoned_at: string | null;
  created_at: string;
}

export const LINK_COLUMNS = `id, tenant_id, entity_id, connection_id, integration_id, object, external_id, record_id, remote_version,
  base_snapshot, pushed_hash, last_synced_at, tombstoned_at, created_at`;

export function toLink(row: LinkRow): EntityLink {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    entityId: row.entity_id,
    connectionId: row.connection_id,
    integrationId: row.integration_id,
    object: row.object,
    externalId: row.external_id,
    remoteVersion: row.remote_version,
    baseSnapshot: row.base_snapshot,
    pushedHash: row.pushed_hash,
    lastSyncedAt: row.last_synced_at,
    tombstonedAt: row.tombstoned_at,
    createdAt: row.created_at,
  };
}
