/**
 * Pushing one entity to one linked external record (the update half of the reference's
 * SyncOutboundWorker):
 *
 * 1. Three-way against what the link last agreed on: `resolve` with the link's base as
 *    the remote value (the provider is assumed unchanged since, which its precondition
 *    then checks). The patch is every synced field the entity changed since the base,
 *    never a field owned by the provider.
 * 2. Write through the inverse mapping with the provider's precondition (the link's
 *    remote version: Google etag, Salesforce If-Unmodified-Since / If-Match).
 * 3. The precondition failed (CONFLICT): the provider changed the record. Read it, detect
 *    again with its real values and version, resolve with the integration's strategy,
 *    write what the provider must change (again with a precondition), and apply to the
 *    entity what it must change. At most MAX_ROUNDS rounds, then a retryable error.
 * 4. ONE transaction records the outcome: the link's new base (the provider's view of
 *    its record after the write: the next pull maps the same and sees nothing new), its
 *    version and pushed hash; the entity's remote-won fields with a feed entry and an
 *    outbox row (so they reach the entity's other links); the conflicts found.
 *
 * Idempotent: a retry after a crash between the provider write and step 4 finds the
 * provider's version moved, re-reads, sees both sides equal, writes nothing and records.
 */
import { TributaryError, isTributaryError } from '../../domain/errors.ts';
import type { ConflictPolicy } from '../../domain/conflict.ts';
import type { Entity } from '../../domain/entity.ts';
import type { Integration } from '../../domain/integration.ts';
import type { Clock } from '../../ports/clock.ts';
import type { PushTarget, Store } from '../../ports/store.ts';
import type { ObjectDefinition, ProviderContext } from '../../providers/provider.ts';
import { pushedHash, resolve, type ResolverRegistry, type Resolution } from '../conflicts/index.ts';
import { orderedId } from '../pull/ordered-id.ts';
import { recordConflicts } from './conflict-records.ts';
import { OUTBOX_ID_PREFIX } from './job.ts';
import { baseAfterPush, patchFor, viewOf, type PushMapping, type RecordView } from './record-view.ts';

/** Read-detect-resolve-write rounds before giving up for now (the job retries later). */
export const MAX_ROUNDS = 3;

export interface LinkPush {
  readonly store: Store;
  readonly clock: Clock;
  readonly integration: Integration;
  readonly providerId: string;
  readonly object: ObjectDefinition;
  readonly ctx: ProviderContext;
  readonly mapping: PushMapping;
  readonly policy: ConflictPolicy;
  readonly resolvers?: ResolverRegistry;
  readonly outboxId: string;
}

export interface LinkOutcome {
  readonly linkId: string;
  readonly integrationId: string;
  readonly externalId: string;
  /** `in_sync`: nothing to write; `pushed`: the provider was written; `remote_gone`: the record no longer exists. */
  readonly status: 'in_sync' | 'pushed' | 'remote_gone';
  /** Fields sent to the provider (entity names). */
  readonly pushed: readonly string[];
  /** Fields the provider won and that were written to the entity. */
  readonly pulled: readonly string[];
  readonly conflicts: { readonly detected: number; readonly resolved: number; readonly pending: number };
  /** Precondition failures met (each one a re-read). */
  readonly preconditionFailures: number;
}

const isPreconditionFailure = (error: unknown): boolean => isTributaryError(error) && error.code === 'CONFLICT';

/** Pushes `entity` to the record of `target` (see the module comment). */
export async function pushLink(push: LinkPush, target: PushTarget, entity: Entity): Promise<LinkOutcome> {
  const { mapping } = push;
  const synced = [...mapping.writable.keys()];
  const recordId = target.recordId ?? target.externalId;
  const base = target.baseSnapshot ?? {};
  let remote: RecordView | null = null;
  let failures = 0;
  for (let round = 1; ; round += 1) {
    const resolution = resolve({
      base,
      local: entity.fields,
      remote: remote?.fields ?? base,
      fields: synced,
      policy: push.policy,
      remoteSystem: push.providerId,
      baseVersion: target.remoteVersion,
      remoteVersion: remote === null ? target.remoteVersion : remote.version,
      localModifiedAt: Date.parse(entity.updatedAt),
      remoteModifiedAt: remote?.modifiedAt ? Date.parse(remote.modifiedAt) : null,
      resolvers: push.resolvers,
      // Before the re-read only the provider's side can be written (nothing is known of it yet).
      direction: remote === null ? 'push' : push.integration.direction,
    });
    const changed = Object.keys(resolution.toRemote);
    if (changed.length === 0 && remote === null) {
      return outcome(target, 'in_sync', [], [], resolution, failures);
    }
    let after: RecordView | null = remote;
    if (changed.length > 0) {
      const patch = patchFor(mapping, changed, resolution.merged);
      try {
        const version = remote === null ? target.remoteVersion : remote.version;
        after = viewOf(mapping, await push.object.update!(push.ctx, recordId, patch, version === null ? {} : { expectedVersion: version }));
      } catch (error) {
        if (!isPreconditionFailure(error)) throw error;
        failures += 1;
        if (round >= MAX_ROUNDS) {
          throw new TributaryError('PROVIDER_UNAVAILABLE', `The ${push.providerId} record ${target.externalId} kept changing during ${MAX_ROUNDS} pushes; retrying later`, {
            retryAfterMs: 5_000, details: { linkId: target.linkId, preconditionFailures: failures },
          });
        }
        const current = await push.object.fetchOne(push.ctx, recordId);
        if (current === null) return outcome(target, 'remote_gone', [], [], resolution, failures);
        remote = viewOf(mapping, current);
        continue;
      }
    }
    await record(push, target, entity, resolution, after!);
    return outcome(target, changed.length > 0 ? 'pushed' : 'in_sync', changed, Object.keys(resolution.toLocal), resolution, failures);
  }
}

function outcome(target: PushTarget, status: LinkOutcome['status'], pushed: string[], pulled: string[], resolution: Resolution, failures: number): LinkOutcome {
  return {
    linkId: target.linkId, integrationId: target.integrationId ?? '', externalId: target.externalId, status, pushed, pulled,
    conflicts: resolution.counts, preconditionFailures: failures,
  };
}

/** Step 4: link, entity (remote-won fields), feed, outbox and conflicts in one transaction. */
async function record(push: LinkPush, target: PushTarget, read: Entity, resolution: Resolution, after: RecordView): Promise<void> {
  const at = new Date(push.clock.now()).toISOString();
  const pending = new Set(resolution.conflicts.filter((c) => c.decision === 'pending').map((c) => c.field));
  const baseSnapshot = baseAfterPush(push.mapping, after.fields, target.baseSnapshot, pending);
  const tenantId = read.tenantId;
  await push.store.transaction(async (tx) => {
    await tx.outbox.recordPush(tenantId, target.linkId, { remoteVersion: after.version, baseSnapshot, pushedHash: pushedHash(resolution.remoteAfter), at, remoteModifiedAt: after.modifiedAt ?? null });
    const toLocal = Object.entries(resolution.toLocal);
    if (toLocal.length > 0) {
      const current = await tx.entities.get(tenantId, read.id);
      if (current !== null && current.deletedAt === null) {
        // Fields the host changed since this push read the entity keep the newer value (their own outbox row pushes it).
        const fields = { ...current.fields };
        const applied: Record<string, unknown> = {};
        for (const [field, value] of toLocal) {
          if (JSON.stringify(current.fields[field]) !== JSON.stringify(read.fields[field])) continue;
          if (value === null) delete fields[field];
          else fields[field] = value;
          applied[field] = value;
        }
        if (Object.keys(applied).length > 0) {
          const version = current.version + 1;
          const change = { op: 'update', type: current.type, fields: applied, version, source: { kind: 'push', connectionId: target.connectionId, integrationId: push.integration.id, outboxId: push.outboxId } };
          await tx.entities.applyBatch({
            tenantId, at, entityInserts: [], entityUpdates: [{ id: current.id, fields, version, deletedAt: null }], linkInserts: [], linkUpdates: [],
            relationships: [], changes: [{ entityId: current.id, change }], matchKeys: [], reviews: [], outbox: [{ id: orderedId(OUTBOX_ID_PREFIX), entityId: current.id, change }],
          });
        }
      }
    }
    await recordConflicts(tx, { tenantId, entityId: read.id, integrationId: push.integration.id, providerId: push.providerId, target, remoteVersion: after.version, conflicts: resolution.conflicts, at, outboxId: push.outboxId });
  });
}
