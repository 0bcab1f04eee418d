import type { RateLimitObservation } from '../types.ts';
import { defined, header, type HeaderSource, jsonBody, numericHeader, pick, retryAfter } from './headers.ts';

/** GitHub asks for at least a minute when a secondary limit names no time (providers.md). */
export const GITHUB_SECONDARY_MIN_WAIT_MS = 60_000;

/**
 * GitHub REST: `x-ratelimit-limit/-remaining/-used/-reset/-resource` on every answer.
 * A 403 or 429 is a rate refusal when remaining is 0 (primary: wait for reset) or the
 * message speaks of a secondary rate limit (honour retry-after, else wait >= 60 s).
 * Any other 403 is a permission error, not a limit.
 */
export function parseGithub(status: number, headers: HeaderSource, body: unknown): RateLimitObservation {
  const limit = numericHeader(headers, 'x-ratelimit-limit');
  const remaining = numericHeader(headers, 'x-ratelimit-remaining');
  const used = numericHeader(headers, 'x-ratelimit-used');
  const reset = numericHeader(headers, 'x-ratelimit-reset');
  const resource = header(headers, 'x-ratelimit-resource') ?? (limit !== undefined ? 'core' : undefined);
  const resetsAt = reset === undefined ? undefined : reset * 1000;
  const wait = retryAfter(headers);
  const message = String(pick(jsonBody(body), 'message') ?? '').toLowerCase();
  const secondary = message.includes('secondary rate limit') || message.includes('abuse detection');
  const refused = status === 403 || status === 429;
  const primary = refused && !secondary && (remaining === 0 || message.includes('api rate limit exceeded'));
  if (refused && secondary) {
    const retryAfterMs = wait.retryAfterMs ?? (wait.retryAt === undefined && remaining !== 0 ? GITHUB_SECONDARY_MIN_WAIT_MS : undefined);
    return defined({
      provider: 'github', status, limited: true, resource: 'secondary', scope: 'connection', limit, remaining, used, resetsAt,
      retryAfterMs, retryAt: wait.retryAt ?? (remaining === 0 ? resetsAt : undefined), reason: 'secondary_rate_limit', serverError: false,
    });
  }
  if (primary || (status === 429 && !secondary)) {
    return defined({
      provider: 'github', status, limited: true, resource, scope: 'connection', limit, remaining, used, resetsAt,
      retryAfterMs: wait.retryAfterMs, retryAt: wait.retryAt ?? resetsAt, reason: 'primary_rate_limit', serverError: false,
    });
  }
  return defined({ provider: 'github', status, limited: false, resource, limit, remaining, used, resetsAt, serverError: status >= 500 });
}
