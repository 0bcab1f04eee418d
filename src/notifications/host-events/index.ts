export { HostEventDeliverer } from './deliverer.ts';
export { resolveHostEventOptions } from './options.ts';
export type { HostEventSettings, ResolvedHostEventOptions } from './options.ts';
export { DEFAULT_RETRY_SCHEDULE_MS, nextRetryDelay } from './schedule.ts';
export { newWhsecSecret, signStandardWebhook } from './signing.ts';
export { EventSubscriptions } from './subscriptions.ts';
export type { DeliveryView, SubscriptionInput, SubscriptionUpdate, SubscriptionView } from './subscriptions.ts';
export { HOST_EVENT_TYPES, isHostEventType } from './types.ts';
export type { HostEvent, HostEventJob, HostEventSink, HostEventType } from './types.ts';
