/**
 * Events to the host product: what the product that runs Tributary hears about without
 * polling, delivered to the endpoints a tenant subscribes (`/v1/event-subscriptions`),
 * signed with Standard Webhooks.
 */

export const HOST_EVENT_TYPES = ['entity.created', 'entity.updated', 'entity.deleted', 'run.completed', 'connection.status_changed'] as const;
export type HostEventType = (typeof HOST_EVENT_TYPES)[number];

export interface HostEvent {
  readonly type: HostEventType;
  readonly tenantId: string;
  /** Epoch ms when it happened. */
  readonly at: number;
  /** The event's data as the host sees it (entity id and fields, run summary, connection status); JSON. */
  readonly data: Readonly<Record<string, unknown>>;
}

/** Where features hand host events; never throws into the emitter. */
export type HostEventSink = (event: HostEvent) => void;

/** The `notifications` queue job of one host-event delivery attempt. */
export interface HostEventJob {
  readonly kind: 'host_event';
  readonly tenantId: string;
  readonly deliveryId: string;
}

export function isHostEventType(value: string): value is HostEventType {
  return (HOST_EVENT_TYPES as readonly string[]).includes(value);
}
