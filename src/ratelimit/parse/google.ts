import type { RateLimitObservation } from '../types.ts';
import { defined, type HeaderSource, jsonBody, pick, retryAfter } from './headers.ts';

const RATE_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'dailyLimitExceeded', 'quotaExceeded']);

/**
 * Google APIs: classic `{"error":{"errors":[{"domain":"usageLimits","reason":...}],"code":403|429}}`
 * with reasons rateLimitExceeded / userRateLimitExceeded / dailyLimitExceeded / quotaExceeded,
 * and the v1 shape `{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","details":[...]}}`.
 * A 403 with another reason (forbidden, insufficientPermissions) is not a limit.
 * `userRateLimitExceeded` and per-user quota metrics block the user; the rest the project.
 */
export function parseGoogle(status: number, headers: HeaderSource, body: unknown): RateLimitObservation {
  const error = pick(jsonBody(body), 'error');
  const errors = pick(error, 'errors');
  const reasons: string[] = Array.isArray(errors) ? errors.map((e: unknown) => String(pick(e, 'reason') ?? '')) : [];
  const details = pick(error, 'details');
  for (const detail of Array.isArray(details) ? details : []) {
    const r = pick(detail, 'reason');
    if (typeof r === 'string') reasons.push(r);
    const limitName = pick(detail, 'metadata', 'quota_limit');
    if (typeof limitName === 'string' && /PerUser/i.test(limitName)) reasons.push('userRateLimitExceeded');
  }
  const statusText = pick(error, 'status');
  const rateReason = reasons.find((r) => RATE_REASONS.has(r));
  const limited = status === 429 || statusText === 'RESOURCE_EXHAUSTED' || ((status === 403 || status === 429) && rateReason !== undefined);
  const userScoped = reasons.includes('userRateLimitExceeded');
  return defined({
    provider: 'google', status, limited, scope: limited ? (userScoped ? 'user' : 'project') : undefined, ...retryAfter(headers),
    reason: limited ? (userScoped ? 'userRateLimitExceeded' : rateReason ?? (typeof statusText === 'string' ? statusText : 'rateLimitExceeded')) : undefined,
    serverError: status >= 500,
  });
}
