import type { ConflictReview, ConflictStatus } from '../../domain/review.ts';
import type { RunConflictCounts } from '../../ports/store.ts';
import type { ColumnDecoders, ColumnTypes } from './columns.ts';

/** Rows of `conflicts` and their mapping, shared by the SQLite and PostgreSQL conflict repositories. */
export interface ConflictRow<C extends ColumnTypes> {
  id: string;
  tenant_id: string;
  entity_id: string | null;
  integration_id: string | null;
  status: ConflictStatus;
  payload: C['json'];
  resolution: C['json'] | null;
  created_at: string;
  resolved_at: string | null;
}

export const CONFLICT_COLUMNS = 'id, tenant_id, entity_id, integration_id, status, payload, resolution, created_at, resolved_at';

export function conflictFromRow<C extends ColumnTypes>(columns: ColumnDecoders<C>): (row: ConflictRow<C>) => ConflictReview {
  return (row) => ({
    id: row.id,
    tenantId: row.tenant_id,
    entityId: row.entity_id,
    integrationId: row.integration_id,
    status: row.status,
    payload: columns.json<Record<string, unknown>>(row.payload),
    resolution: row.resolution === null ? null : columns.json<Record<string, unknown>>(row.resolution),
    createdAt: row.created_at,
    resolvedAt: row.resolved_at,
  });
}

/**
 * Counts a run's conflicts from its rows: each row is one record's conflicting fields;
 * a field counts once as detected, and as resolved when its row was decided during the
 * sync (`resolution.kind === 'automatic'`).
 */
export function countRunConflicts(rows: readonly ConflictReview[]): RunConflictCounts {
  let detected = 0;
  let resolved = 0;
  let open = 0;
  for (const row of rows) {
    const fields = Object.keys((row.payload.fields as Record<string, unknown> | undefined) ?? {}).length;
    detected += fields;
    if (row.status === 'open') open += fields;
    else if (row.resolution?.kind === 'automatic') resolved += fields;
  }
  return { detected, resolved, open };
}
