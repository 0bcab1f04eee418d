/**
 * Webhooks feature: verification per scheme, durable intake, registration and
 * processing. Other folders import this index only.
 */
export { IntakeBatcher, WEBHOOK_EVENTS_QUEUE, webhookJobKey, type WebhookEventJob } from './intake-batcher.ts';
export { WebhookReceiver, schemeOf, type IntakeScheme, type IncomingWebhook, type IntakeAnswer, type WebhookReceiverOptions } from './receiver.ts';
export { activeSecrets, generateSigningSecret, SigningSecrets, type SigningSecretBundle } from './signing-secrets.ts';
export { verifyStandardWebhook, standardWebhookKey } from './standard-webhooks.ts';
export { GOOGLE_CERTS_URL, PUBSUB_SCHEME, remotePubSubKeys, type PubSubKeys } from './pubsub.ts';
export {
  isWebhookScheme,
  verifierFor,
  WEBHOOK_SCHEMES,
  type VerifiedWebhookEvent,
  type WebhookHeaders,
  type WebhookScheme,
  type WebhookVerification,
  type WebhookVerifier,
} from './verification.ts';
export { createWebhookEventHandler, sweepPendingWebhookEvents, type WebhookWorkerDeps } from './worker.ts';
export { eventWork, type EventWork, type RecordChange } from './event-work.ts';
export {
  WebhookRegistrations,
  webhookPath,
  type RegisterWebhookInput,
  type WebhookRegistrationsDeps,
  type WebhookRegistrationView,
} from './registration.ts';
export { formatVerifyOutcome, runWebhookVerify, type WebhookVerifyCommand, type WebhookVerifyOutcome } from './verify-command.ts';
export { WebhookDeliveryReplay, type WebhookReplayContext, type WebhookReplayDeps, type WebhookReplayResult } from './delivery-replay.ts';
