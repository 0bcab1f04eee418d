import type { Entity, EntityChange, EntityLink, Relationship } from '../../domain/entity.ts';
import type { DedupReview, DedupReviewStatus } from '../../domain/review.ts';
import type { LinkedEntity } from '../../ports/store.ts';
import type { ColumnDecoders, ColumnTypes } from './columns.ts';

/**
 * Rows of `entities`, `entity_links`, `relationships`, `entity_changes` and `dedup_reviews`
 * and their mapping to domain
 * records, shared by the SQLite and PostgreSQL entity repositories.
 */
export interface EntityRow<C extends ColumnTypes> {
  id: string;
  tenant_id: string;
  type: string;
  fields: C['json'];
  version: number;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
  merged_into: string | null;
}

export const ENTITY_COLUMNS = 'id, tenant_id, type, fields, version, created_at, updated_at, deleted_at, merged_into';

export interface LinkRow<C extends ColumnTypes> {
  id: string;
  tenant_id: string;
  entity_id: string;
  connection_id: string;
  integration_id: string | null;
  object: string;
  external_id: string;
  record_id: string | null;
  remote_version: string | null;
  base_snapshot: C['json'] | null;
  pushed_hash: string | null;
  last_synced_at: string | null;
  tombstoned_at: string | null;
  created_at: string;
}

export const LINK_COLUMNS = `id, tenant_id, entity_id, connection_id, integration_id, object, external_id, record_id, remote_version,
  base_snapshot, pushed_hash, last_synced_at, tombstoned_at, created_at`;

/** An entity row joined with the link through which it was found. */
export type LinkedRow<C extends ColumnTypes> = EntityRow<C> & {
  link_id: string;
  object: string;
  external_id: string;
  record_id: string | null;
  remote_version: string | null;
  base_snapshot: C['json'] | null;
  tombstoned_at: string | null;
  remote_modified_at: string | null;
};

export interface RelationshipRow {
  tenant_id: string;
  from_entity_id: string;
  kind: string;
  to_entity_id: string;
  created_at: string;
}

export function toRelationship(r: RelationshipRow): Relationship {
  return { tenantId: r.tenant_id, fromEntityId: r.from_entity_id, kind: r.kind, toEntityId: r.to_entity_id, createdAt: r.created_at };
}

export interface ChangeRow<C extends ColumnTypes> {
  seq: number;
  tenant_id: string;
  entity_id: string;
  change: C['json'];
  at: string;
}

export interface ReviewRow<C extends ColumnTypes> {
  id: string;
  tenant_id: string;
  status: DedupReviewStatus;
  payload: C['json'];
  resolution: C['json'] | null;
  created_at: string;
  resolved_at: string | null;
}

export interface EntityRowMappers<C extends ColumnTypes> {
  toEntity(row: EntityRow<C>): Entity;
  toLink(row: LinkRow<C>): EntityLink;
  toLinked(row: LinkedRow<C>): LinkedEntity;
  toChange(row: ChangeRow<C>): EntityChange;
  toReview(row: ReviewRow<C>): DedupReview;
}

/** The row mappers for a backend's column decoders. */
export function entityRowMappers<C extends ColumnTypes>(columns: ColumnDecoders<C>): EntityRowMappers<C> {
  const snapshot = (value: C['json'] | null): Record<string, unknown> | null => (value === null ? null : columns.json<Record<string, unknown>>(value));
  const toEntity = (row: EntityRow<C>): Entity => ({
    id: row.id,
    tenantId: row.tenant_id,
    type: row.type,
    fields: columns.json<Record<string, unknown>>(row.fields),
    version: row.version,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deletedAt: row.deleted_at,
    mergedInto: row.merged_into,
  });
  return {
    toEntity,
    toLink: (row) => ({
      id: row.id,
      tenantId: row.tenant_id,
      entityId: row.entity_id,
      connectionId: row.connection_id,
      integrationId: row.integration_id,
      object: row.object,
      externalId: row.external_id,
      remoteVersion: row.remote_version,
      baseSnapshot: snapshot(row.base_snapshot),
      pushedHash: row.pushed_hash,
      lastSyncedAt: row.last_synced_at,
      tombstonedAt: row.tombstoned_at,
      createdAt: row.created_at,
    }),
    toLinked: (row) => ({
      linkId: row.link_id,
      object: row.object,
      externalId: row.external_id,
      recordId: row.record_id,
      remoteVersion: row.remote_version,
      baseSnapshot: snapshot(row.base_snapshot),
      tombstonedAt: row.tombstoned_at,
      remoteModifiedAt: row.remote_modified_at,
      entity: toEntity(row),
    }),
    toChange: (r) => ({ seq: r.seq, tenantId: r.tenant_id, entityId: r.entity_id, change: columns.json<Record<string, unknown>>(r.change), at: r.at }),
    toReview: (r) => ({
      id: r.id,
      tenantId: r.tenant_id,
      status: r.status,
      payload: columns.json<Record<string, unknown>>(r.payload),
      resolution: snapshot(r.resolution),
      createdAt: r.created_at,
      resolvedAt: r.resolved_at,
    }),
  };
}
