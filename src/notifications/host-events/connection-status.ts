/**
 * `connection.status_changed` for the host product, from one place: a Store whose
 * `connections.update` reports a status that changed (pending -> active, active ->
 * needs_reauth, -> error, ...). Every writer of a connection's status (the connections
 * feature's validation, the credentials refresher marking `needs_reauth`, the OAuth
 * callback) goes through the store it was given, so decorating that store covers them
 * all without a hook in each. Writes inside `store.transaction` are not seen (none
 * changes a status today). The event is emitted after the write resolved.
 */
import type { ConnectionRepository, Store } from '../../ports/store.ts';
import type { HostEventSink } from './types.ts';

export function withConnectionStatusEvents<S extends Store>(store: S, sink: HostEventSink, now: () => number): S {
  const connections = store.connections;
  const update: ConnectionRepository['update'] = async (tenantId, id, patch, updatedAt) => {
    if (patch.status === undefined) return connections.update(tenantId, id, patch, updatedAt);
    const before = await connections.get(tenantId, id);
    const after = await connections.update(tenantId, id, patch, updatedAt);
    if (before !== null && after !== null && before.status !== after.status) {
      try {
        sink({
          type: 'connection.status_changed',
          tenantId,
          at: now(),
          data: { connectionId: id, provider: after.provider, name: after.name, previousStatus: before.status, status: after.status },
        });
      } catch {
        // The sink records and enqueues only; its failure must not fail the write that raised it.
      }
    }
    return after;
  };
  const decorated = new Proxy(connections, {
    get(target, property) {
      if (property === 'update') return update;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return new Proxy(store, {
    get(target, property) {
      if (property === 'connections') return decorated;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
