/**
 * The verifier contract (STYLE.md 16): `(rawBody, headers, secrets, now) -> event or
 * reason`, pure. One verifier per scheme; the provider folders hold theirs
 * (`providers/<id>/webhooks.ts`), Standard Webhooks lives here. `secrets` are every
 * secret valid now (two during a rotation's overlap); `now` is epoch milliseconds.
 * Raw bytes are verified before anything is parsed; comparisons are constant-time.
 */
import { verifyGithubWebhook } from '../providers/github/webhooks.ts';
import { verifyGoogleWebhook } from '../providers/google/webhooks.ts';
import { verifyNotionWebhook } from '../providers/notion/webhooks.ts';
import { verifySalesforceWebhook } from '../providers/salesforce/webhooks.ts';
import { verifySlackWebhook } from '../providers/slack/webhooks.ts';
import { verifyStandardWebhook } from './standard-webhooks.ts';
import type { WebhookVerifier } from './verification-types.ts';

export type { VerifiedWebhookEvent, WebhookHeaders, WebhookVerification, WebhookVerifier } from './verification-types.ts';

export const WEBHOOK_SCHEMES = ['github', 'slack', 'notion', 'google', 'salesforce', 'standard'] as const;
export type WebhookScheme = (typeof WEBHOOK_SCHEMES)[number];

const VERIFIERS: Readonly<Record<WebhookScheme, WebhookVerifier>> = Object.freeze({
  github: verifyGithubWebhook,
  slack: verifySlackWebhook,
  notion: verifyNotionWebhook,
  google: verifyGoogleWebhook,
  salesforce: verifySalesforceWebhook,
  standard: verifyStandardWebhook,
});

export function isWebhookScheme(value: string): value is WebhookScheme {
  return (WEBHOOK_SCHEMES as readonly string[]).includes(value);
}

/** The verifier the receiver runs for a scheme (the CLI's `webhooks verify` runs the same). */
export function verifierFor(scheme: WebhookScheme): WebhookVerifier {
  return VERIFIERS[scheme];
}

/**
 * Reasons that mean "the request was not from the sender" (answer 401) as opposed to a
 * sender's well-signed but unusable body (`malformed_body`, `unsupported_content_type`:
 * 400). Stale timestamps are 401: a replay is an unauthenticated request.
 */
export function isBadInputReason(reason: string): boolean {
  return reason === 'malformed_body' || reason === 'unsupported_content_type';
}
