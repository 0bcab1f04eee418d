/**
 * Creating an entity at a provider (integration setting `push.createInProvider`) and
 * linking the new record, created at most once:
 *
 * 1. `beginCreate` commits an intent for (entity, integration) BEFORE the provider call.
 * 2. The provider creates the record (the mapping's writable fields, through the inverse).
 * 3. ONE transaction inserts the link (base = the provider's view of the new record,
 *    version, pushed hash) and removes the intent.
 *
 * A provider answer that says the record was not made (bad data, auth, rate limit)
 * removes the intent, so a retry may create. Anything else (a crash, a timeout, a 5xx
 * after the request left) leaves the intent: the outcome is unknown, and the retry does
 * NOT create again (`create_unknown`). The record, if it was made, is then adopted by the
 * next pull: host entities carry match keys (host-writes.ts), so deduplication links the
 * provider's record to this entity by its email, phone or domain instead of duplicating.
 */
import { categoryOf } from '../../domain/errors.ts';
import type { Entity } from '../../domain/entity.ts';
import type { Integration } from '../../domain/integration.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Store } from '../../ports/store.ts';
import { entityWriteBatch } from '../../ports/store-sync.ts';
import type { ObjectDefinition, ProviderContext } from '../../providers/provider.ts';
import { pushedHash } from '../conflicts/index.ts';
import { orderedId } from '../pull/ordered-id.ts';
import { baseAfterPush, patchFor, viewOf, type PushMapping } from './record-view.ts';

export interface RemoteCreate {
  readonly store: Store;
  readonly clock: Clock;
  readonly integration: Integration;
  readonly connectionId: string;
  readonly object: ObjectDefinition;
  readonly ctx: ProviderContext;
  readonly mapping: PushMapping;
  readonly outboxId: string;
}

export interface CreateOutcome {
  readonly integrationId: string;
  /** `created`: made and linked; `create_unknown`: an earlier attempt may have made it (see the module comment). */
  readonly status: 'created' | 'create_unknown';
  readonly externalId?: string;
  readonly linkId?: string;
  readonly since?: string;
}

/** True when the provider's answer means nothing was created. */
const definitelyNotCreated = (error: unknown): boolean => ['bad_data', 'auth', 'rate_limit'].includes(categoryOf(error));

export async function createRemote(push: RemoteCreate, entity: Entity): Promise<CreateOutcome> {
  const { store, integration, mapping } = push;
  const at = (): string => new Date(push.clock.now()).toISOString();
  const earlier = await store.outbox.beginCreate({ tenantId: entity.tenantId, entityId: entity.id, integrationId: integration.id, outboxId: push.outboxId, startedAt: at() });
  if (earlier !== null) return { integrationId: integration.id, status: 'create_unknown', since: earlier.startedAt };
  const fields = [...mapping.writable.keys()].filter((field) => entity.fields[field] !== undefined && entity.fields[field] !== null);
  let record;
  try {
    record = await push.object.create!(push.ctx, patchFor(mapping, fields, entity.fields));
  } catch (error) {
    if (definitelyNotCreated(error)) await store.outbox.endCreate(entity.tenantId, entity.id, integration.id);
    throw error;
  }
  const view = viewOf(mapping, record);
  const linkId = orderedId('lnk');
  const now = at();
  const synced = Object.fromEntries([...mapping.writable.keys()].filter((f) => f in view.fields).map((f) => [f, view.fields[f]]));
  await store.transaction(async (tx) => {
    await tx.entities.applyBatch(entityWriteBatch(entity.tenantId, now, {
      linkInserts: [{
        id: linkId, entityId: entity.id, connectionId: push.connectionId, integrationId: integration.id, object: mapping.object, externalId: view.externalId,
        recordId: record.id, remoteVersion: view.version, baseSnapshot: baseAfterPush(mapping, view.fields, null), tombstonedAt: null,
      }],
    }));
    await tx.outbox.recordPush(entity.tenantId, linkId, { remoteVersion: view.version, baseSnapshot: baseAfterPush(mapping, view.fields, null), pushedHash: pushedHash(synced), at: now });
    await tx.outbox.endCreate(entity.tenantId, entity.id, integration.id);
  });
  return { integrationId: integration.id, status: 'created', externalId: view.externalId, linkId };
}
