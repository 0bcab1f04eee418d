/** The verifier contract's types (see verification.ts), apart so that verifiers can import them without a cycle. */

/** Request headers with lower-case names, as Node gives them. */
export type WebhookHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** A verified delivery, as the intake stores it. */
export interface VerifiedWebhookEvent {
  /** Scheme-specific: `issues.edited`, `event_callback:message`, `page.deleted`, `exists`, ... */
  readonly type: string;
  readonly payload: unknown;
  /** A handshake's or acknowledgement's answer body (Slack challenge, Salesforce Ack); absent: `{"ok":true}`. */
  readonly reply?: { readonly contentType: string; readonly body: string };
  /** Notion's handshake: the token to keep as the registration's secret. */
  readonly verificationToken?: string;
}

export type WebhookVerification =
  | { readonly ok: true; readonly deliveryId: string | null; readonly event: VerifiedWebhookEvent }
  | { readonly ok: false; readonly reason: string };

export type WebhookVerifier = (rawBody: Buffer, headers: WebhookHeaders, secrets: readonly string[], now: number) => WebhookVerification;
