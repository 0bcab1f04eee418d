import type { MergeLineage } from '../../domain/entity.ts';
import type { ColumnDecoders, ColumnTypes } from './columns.ts';

/**
 * Rows of `merge_lineage` and `dedup_dismissed_pairs` and their mapping to domain
 * records, shared by the SQLite and PostgreSQL dedup repositories.
 */
export interface MergeRow<C extends ColumnTypes> {
  id: string;
  tenant_id: string;
  survivor_id: string;
  merged_id: string;
  snapshot: C['json'];
  reason: C['json'];
  merged_at: string;
  undone_at: string | null;
}

export const MERGE_COLUMNS = 'id, tenant_id, survivor_id, merged_id, snapshot, reason, merged_at, undone_at';

export function mergeRowMapper<C extends ColumnTypes>(columns: ColumnDecoders<C>): (row: MergeRow<C>) => MergeLineage {
  return (row) => ({
    id: row.id,
    tenantId: row.tenant_id,
    survivorId: row.survivor_id,
    mergedId: row.merged_id,
    snapshot: columns.json<Record<string, unknown>>(row.snapshot),
    reason: columns.json<Record<string, unknown>>(row.reason),
    mergedAt: row.merged_at,
    undoneAt: row.undone_at,
  });
}

/** A dismissed pair is stored once, smaller id first, whichever order it is named in. */
export function orderedPair(a: string, b: string): [string, string] {
  return a < b ? [a, b] : [b, a];
}
