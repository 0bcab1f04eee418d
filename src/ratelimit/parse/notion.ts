import type { RateLimitObservation } from '../types.ts';
import { defined, type HeaderSource, jsonBody, pick, retryAfter } from './headers.ts';

/**
 * Notion: 429 `{"object":"error","status":429,"code":"rate_limited",...}` with `Retry-After`
 * seconds; newer answers name the budget in `additional_data.rate_limit_reason`
 * (connection or workspace limit). 529 `service_overload` means slow down, not a budget.
 */
export function parseNotion(status: number, headers: HeaderSource, body: unknown): RateLimitObservation {
  const parsed = jsonBody(body);
  const code = pick(parsed, 'code');
  const reason = pick(parsed, 'additional_data', 'rate_limit_reason');
  const limited = status === 429 || code === 'rate_limited';
  const scope = typeof reason === 'string' && reason.includes('workspace') ? 'workspace' : 'connection';
  return defined({
    provider: 'notion', status, limited, scope: limited ? scope : undefined, ...retryAfter(headers),
    reason: limited ? (typeof reason === 'string' ? reason : 'rate_limited') : status === 529 ? 'service_overload' : undefined,
    serverError: status >= 500,
  });
}
