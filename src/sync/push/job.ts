/** The payload of a `sync-outbound` job: one outbox row to push. */
export interface PushJobPayload {
  readonly tenantId: string;
  readonly outboxId: string;
  readonly entityId: string;
}

/** One live job per outbox row: the queue's idempotency key (the relay may enqueue a row twice). */
export const pushJobKey = (outboxId: string): string => `push:${outboxId}`;

/** Outbox row ids: time-ordered like the other write-path ids, prefixed `obx_`. */
export const OUTBOX_ID_PREFIX = 'obx';
