import type { RateLimitObservation } from '../types.ts';
import { defined, type HeaderSource, jsonBody, pick, retryAfter } from './headers.ts';

/**
 * Slack Web API: limits are per method and workspace (tiers). Exceeded: HTTP 429 with
 * `Retry-After` seconds and `{"ok":false,"error":"ratelimited"}`. Slack sends no
 * remaining-count headers, so only refusals are observed.
 */
export function parseSlack(status: number, headers: HeaderSource, body: unknown): RateLimitObservation {
  const error = pick(jsonBody(body), 'error');
  const limited = status === 429 || error === 'ratelimited' || error === 'rate_limited';
  return defined({
    provider: 'slack', status, limited, resource: limited ? 'method' : undefined, scope: limited ? 'method' : undefined,
    ...retryAfter(headers), reason: limited ? (typeof error === 'string' ? error : 'ratelimited') : undefined, serverError: status >= 500,
  });
}
