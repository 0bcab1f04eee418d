/**
 * Propagation: a change a pull brings in from one provider reaches the entity's other
 * linked systems. The pull's page transaction adds one outbox row per entity update it
 * writes (the same change object as its feed entry), so the outbound worker pushes the
 * entity to every other link whose integration allows push, exactly as for a host
 * write. The pulling link itself is in sync (its base is what it just read), so it gets
 * no write: no echo.
 *
 * Only when the tenant has an integration that pushes at all: otherwise the rows would
 * be processed for nothing.
 */
import type { EntityWriteBatch, Store } from '../../ports/store.ts';
import { orderedId } from '../pull/ordered-id.ts';
import { OUTBOX_ID_PREFIX } from './job.ts';
import { allowsPush } from './settings.ts';

/**
 * The batch with one outbox row per entity UPDATE it writes. A pull's creates and deletes
 * need none: a new entity is linked to this source only (a record deduplicated into an
 * existing entity is an update of it), and an entity is deleted only when no live link
 * is left to push to. This keeps a large first sync from queueing a push per record.
 */
export function withPropagation(batch: EntityWriteBatch): EntityWriteBatch {
  const outbox = batch.changes
    .filter((c) => c.change.op === 'update')
    .map((c) => ({ id: orderedId(OUTBOX_ID_PREFIX), entityId: c.entityId, change: c.change }));
  return outbox.length === 0 ? batch : { ...batch, outbox: [...(batch.outbox ?? []), ...outbox] };
}

/** True when some integration of the tenant pushes (direction push or bidirectional, enabled): pulls then propagate. */
export async function tenantPushes(store: Store, tenantId: string): Promise<boolean> {
  let cursor: string | null | undefined;
  do {
    const page = await store.integrations.list(tenantId, { limit: 100, ...(cursor ? { cursor } : {}) });
    if (page.items.some(allowsPush)) return true;
    cursor = page.nextCursor;
  } while (cursor);
  return false;
}
