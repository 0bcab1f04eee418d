import type { RateLimitObservation } from '../types.ts';
import { defined, header, type HeaderSource, jsonBody, retryAfter } from './headers.ts';

/**
 * Salesforce REST: `Sforce-Limit-Info: api-usage=10018/100000` (used/limit over the rolling
 * 24 h) on every answer. Over the daily limit: 403 with errorCode REQUEST_LIMIT_EXCEEDED.
 * 503 means the server is busy (too many requests): slow down.
 */
export function parseSalesforce(status: number, headers: HeaderSource, body: unknown): RateLimitObservation {
  const info = header(headers, 'sforce-limit-info');
  const match = info === undefined ? null : /(?:^|[\s,;])api-usage=(\d+)\/(\d+)/.exec(info);
  const used = match ? Number(match[1]) : undefined;
  const limit = match ? Number(match[2]) : undefined;
  const remaining = used !== undefined && limit !== undefined ? Math.max(0, limit - used) : undefined;
  const parsed = jsonBody(body);
  const errors = Array.isArray(parsed) ? parsed : [];
  const exceeded = errors.some((e: unknown) => (e as { errorCode?: unknown } | null)?.errorCode === 'REQUEST_LIMIT_EXCEEDED');
  const limited = (status === 403 && exceeded) || status === 429;
  return defined({
    provider: 'salesforce', status, limited, resource: match ? 'api-usage' : undefined, scope: limited ? 'account' : undefined,
    limit, used, remaining, ...retryAfter(headers), reason: exceeded ? 'REQUEST_LIMIT_EXCEEDED' : limited ? 'rate_limited' : undefined,
    serverError: status >= 500,
  });
}
