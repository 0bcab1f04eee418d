/**
 * What `tributary webhooks verify` runs: exactly the receiver's verifier for a scheme,
 * over a body and `Name: value` header arguments, at `--now` (Unix seconds) or the
 * clock's time. The CLI prints `valid` (exit 0) or `invalid: REASON` (exit 1).
 */
import { isWebhookScheme, verifierFor, WEBHOOK_SCHEMES } from './verification.ts';

export interface WebhookVerifyCommand {
  /** github, slack, notion, google, salesforce or standard. */
  readonly provider: string;
  /** One or more (a rotation's overlap). */
  readonly secrets: readonly string[];
  /** `Name: value`, as given to `--header`. */
  readonly headers: readonly string[];
  readonly body: Buffer;
  readonly nowSeconds?: number;
}

export type WebhookVerifyOutcome = { readonly valid: true; readonly deliveryId: string | null; readonly type: string } | { readonly valid: false; readonly reason: string };

export function runWebhookVerify(command: WebhookVerifyCommand, nowMs: number): WebhookVerifyOutcome {
  if (!isWebhookScheme(command.provider)) return { valid: false, reason: `unknown provider (expected one of: ${WEBHOOK_SCHEMES.join(', ')})` };
  const headers: Record<string, string> = {};
  for (const line of command.headers) {
    const colon = line.indexOf(':');
    if (colon <= 0) return { valid: false, reason: `bad header argument ${JSON.stringify(line)} (expected "Name: value")` };
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const now = command.nowSeconds === undefined ? nowMs : command.nowSeconds * 1000;
  const result = verifierFor(command.provider)(command.body, headers, command.secrets, now);
  return result.ok ? { valid: true, deliveryId: result.deliveryId, type: result.event.type } : { valid: false, reason: result.reason };
}

/** The line the CLI prints. */
export function formatVerifyOutcome(outcome: WebhookVerifyOutcome): string {
  return outcome.valid ? 'valid' : `invalid: ${outcome.reason}`;
}
