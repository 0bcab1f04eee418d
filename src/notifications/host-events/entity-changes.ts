/**
 * Entity changes to the host product: the entity change feed (`store.entities.changes`,
 * every write by a pull, a push, a merge, a conflict decision or the host's own API
 * writes, in commit order) relayed as `entity.created|updated|deleted` host events to
 * the tenant's subscriptions that take them.
 *
 * One relay at a time should run (the notifier takes a lease around `check`). Its
 * position per tenant is kept in memory and recovered after a restart or a change of
 * relay from the newest entity delivery of the tenant's subscriptions (each delivery
 * carries its feed `seq`); a tenant without any starts at the beginning of the feed but
 * publishes only changes made after its oldest entity subscription was created. At most
 * `maxPerCheck` changes per tenant per check, so a long backlog is spread over checks.
 * A crash between publishing and the next check can publish a change twice: deliveries
 * are at-least-once, and the host tells repeats apart by `data.seq`.
 */
import type { EntityChange } from '../../domain/entity.ts';
import type { EventSubscriptionRecord, Store } from '../../ports/store.ts';
import type { Logger } from '../../ports/logger.ts';
import type { HostEvent, HostEventType } from './types.ts';

const ENTITY_TYPES: readonly HostEventType[] = ['entity.created', 'entity.updated', 'entity.deleted'];
const PAGE = 500;

export interface EntityChangeRelayDeps {
  readonly store: Store;
  /** Records and enqueues deliveries; resolves when they are durable (HostEventDeliverer.publish). */
  readonly publish: (event: HostEvent) => Promise<number>;
  readonly logger: Logger;
  /** Changes per tenant per check. Default 5,000. */
  readonly maxPerCheck?: number;
}

/** The host event of one feed entry (pure). Merges and other operations are updates of the entity. */
export function entityHostEvent(change: EntityChange): HostEvent {
  const op = typeof change.change['op'] === 'string' ? change.change['op'] : 'update';
  const type: HostEventType = op === 'create' ? 'entity.created' : op === 'delete' ? 'entity.deleted' : 'entity.updated';
  return { type, tenantId: change.tenantId, at: Date.parse(change.at), data: { seq: change.seq, entityId: change.entityId, ...change.change } };
}

function takesEntityEvents(subscription: EventSubscriptionRecord): boolean {
  return subscription.status === 'active' && (subscription.eventTypes.length === 0 || subscription.eventTypes.some((t) => (ENTITY_TYPES as readonly string[]).includes(t)));
}

export class EntityChangeRelay {
  readonly #deps: EntityChangeRelayDeps;
  readonly #cursors = new Map<string, number>();

  constructor(deps: EntityChangeRelayDeps) {
    this.#deps = deps;
  }

  /** Relays new feed entries of every tenant with an entity subscription; resolves with how many were published. */
  async check(): Promise<number> {
    const { store } = this.#deps;
    let published = 0;
    let cursor: string | null = null;
    do {
      const tenants = await store.tenants.list({ limit: 500, cursor });
      for (const tenant of tenants.items) published += await this.#relayTenant(tenant.id);
      cursor = tenants.nextCursor;
    } while (cursor !== null);
    return published;
  }

  async #relayTenant(tenantId: string): Promise<number> {
    const { store } = this.#deps;
    const subscriptions = (await store.eventSubscriptions.list(tenantId)).filter(takesEntityEvents);
    if (subscriptions.length === 0) {
      this.#cursors.delete(tenantId);
      return 0;
    }
    const notBefore = subscriptions.map((s) => s.createdAt).sort()[0]!;
    let seq = this.#cursors.get(tenantId) ?? (await this.#recoveredSeq(tenantId, subscriptions));
    const max = this.#deps.maxPerCheck ?? 5000;
    let published = 0;
    let read = 0;
    while (read < max) {
      const changes = await store.entities.changes(tenantId, seq, Math.min(PAGE, max - read));
      if (changes.length === 0) break;
      for (const change of changes) {
        if (change.at >= notBefore) {
          await this.#deps.publish(entityHostEvent(change));
          published += 1;
        }
        seq = change.seq;
        this.#cursors.set(tenantId, seq);
      }
      read += changes.length;
    }
    this.#cursors.set(tenantId, seq);
    return published;
  }

  /** The feed position of the newest entity delivery of these subscriptions; 0 when none. */
  async #recoveredSeq(tenantId: string, subscriptions: readonly EventSubscriptionRecord[]): Promise<number> {
    let seq = 0;
    for (const subscription of subscriptions) {
      const deliveries = await this.#deps.store.eventSubscriptions.listDeliveries(tenantId, subscription.id, 50);
      for (const delivery of deliveries) {
        if (!delivery.eventType.startsWith('entity.')) continue;
        const data = (JSON.parse(delivery.payload) as { data?: { seq?: unknown } }).data;
        if (typeof data?.seq === 'number' && data.seq > seq) seq = data.seq;
        break;
      }
    }
    return seq;
  }
}
