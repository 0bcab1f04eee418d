/**
 * Conflicts a push found, stored in the review queue (`conflicts`, shared with the pull
 * side): one `open` row with the fields waiting for a person (strategy `manual`, or a
 * resolver that said so), one `resolved` row with the fields the strategy decided. The
 * payload follows `ConflictPayload` (domain/conflict.ts) with `runId: null`: a push is
 * no run; `outboxId` says which change found it.
 */
import type { ConflictFieldRecord, ConflictPayload, ConflictRecord } from '../../domain/conflict.ts';
import type { ConflictReview } from '../../domain/review.ts';
import type { PushTarget, Repositories } from '../../ports/store.ts';
import { orderedId } from '../pull/ordered-id.ts';

export interface PushConflicts {
  readonly tenantId: string;
  readonly entityId: string;
  readonly integrationId: string;
  readonly providerId: string;
  readonly target: PushTarget;
  readonly remoteVersion: string | null;
  readonly conflicts: readonly ConflictRecord[];
  readonly at: string;
  readonly outboxId?: string;
}

function fieldsOf(conflicts: readonly ConflictRecord[]): Record<string, ConflictFieldRecord> {
  const out: Record<string, ConflictFieldRecord> = {};
  for (const c of conflicts) {
    out[c.field] = { base: c.base, local: c.local, remote: c.remote, decision: c.decision, ...(c.decision === 'pending' ? {} : { value: c.value }), strategy: c.strategy, reason: c.reason };
  }
  return out;
}

/** Inserts the rows (none when there were no conflicts), inside the caller's transaction. */
export async function recordConflicts(tx: Repositories, found: PushConflicts): Promise<void> {
  if (found.conflicts.length === 0) return;
  const payload = (conflicts: readonly ConflictRecord[]): ConflictPayload & { source: string } => ({
    runId: null, linkId: found.target.linkId, connectionId: found.target.connectionId, object: found.target.object, externalId: found.target.externalId,
    provider: found.providerId, remoteVersion: found.remoteVersion, fields: fieldsOf(conflicts), source: 'push',
    ...(found.outboxId === undefined ? {} : { outboxId: found.outboxId }),
  });
  const rows: ConflictReview[] = [];
  const pending = found.conflicts.filter((c) => c.decision === 'pending');
  const decided = found.conflicts.filter((c) => c.decision !== 'pending');
  const row = (status: 'open' | 'resolved', conflicts: readonly ConflictRecord[]): ConflictReview => ({
    id: orderedId('cfl'), tenantId: found.tenantId, entityId: found.entityId, integrationId: found.integrationId, status,
    payload: payload(conflicts) as unknown as Record<string, unknown>,
    resolution: status === 'open' ? null : {
      kind: 'automatic', by: 'strategy', at: found.at, fields: Object.fromEntries(conflicts.map((c) => [c.field, { decision: c.decision, value: c.value ?? null }])),
    },
    createdAt: found.at, resolvedAt: status === 'open' ? null : found.at,
  });
  if (pending.length > 0) rows.push(row('open', pending));
  if (decided.length > 0) rows.push(row('resolved', decided));
  await tx.conflicts.insertMany(rows);
}
