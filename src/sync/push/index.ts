/**
 * The sync engine, push half: host writes with their outbox rows, the outbox relay, and
 * the `sync-outbound` handler that pushes entities to their linked records (preconditions,
 * conflict resolution on a failed precondition, creates and deletes), so that a change
 * reaches every linked system exactly once and comes back as no echo.
 */
export { HostWriteService, HOST_SOURCE, MAX_BULK_ITEMS } from './host-writes.ts';
export type { BulkItem, BulkResult, HostWriteDeps } from './host-writes.ts';
export { relayPending, relayRows } from './relay.ts';
export type { RelayDeps } from './relay.ts';
export { createOutboundHandler, pushEntity } from './outbound.ts';
export type { OutboundDeps, PushOutcome } from './outbound.ts';
export { pushJobKey } from './job.ts';
export type { PushJobPayload } from './job.ts';
export { pushSettingsOf, allowsPush } from './settings.ts';
export type { PushSettings } from './settings.ts';
export { withPropagation, tenantPushes } from './propagate.ts';
