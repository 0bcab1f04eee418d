import type { RateCall, RateLimitPolicy } from '../types.ts';

const HOUR = 3_600_000;
const MINUTE = 60_000;
const isRead = (call: RateCall): boolean => call.operation !== 'write' && !/^(POST|PUT|PATCH|DELETE)\b/i.test(call.endpoint ?? '');

/**
 * GitHub REST (providers.md §1): 5,000 requests an hour per token (`core`, reported in
 * the x-ratelimit headers), search 30 a minute; secondary limits: at most 100 requests in
 * flight, 900 points a minute per endpoint (reads 1, writes 5), about 80 content-creating
 * requests a minute and 500 an hour. Installation tokens get more (up to 12,500/h): the
 * headers correct the budget after the first answer. A secondary-limit refusal blocks
 * `core`, so the whole connection pauses as GitHub asks.
 */
export const githubPolicy: RateLimitPolicy = {
  provider: 'github',
  rules: [
    { name: 'core', level: 'connection', per: 'connection', limit: 5_000, windowMs: HOUR, observes: ['core'], blockScopes: ['secondary'], appliesTo: (c) => c.operation !== 'search' },
    { name: 'search', level: 'operation', per: 'connection', limit: 30, windowMs: MINUTE, observes: ['search'], appliesTo: (c) => c.operation === 'search' },
    { name: 'points', level: 'operation', per: 'connection-endpoint', limit: 900, windowMs: MINUTE, cost: (c) => (isRead(c) ? 1 : 5) },
    { name: 'content-minute', level: 'operation', per: 'connection', limit: 80, windowMs: MINUTE, appliesTo: (c) => !isRead(c) },
    { name: 'content-hour', level: 'operation', per: 'connection', limit: 500, windowMs: HOUR, appliesTo: (c) => !isRead(c) },
  ],
  concurrency: [{ name: 'in-flight', per: 'connection', limit: 100, leaseMs: 5 * MINUTE }],
  defaultRetryAfterMs: MINUTE,
  observationTtlMs: MINUTE,
};
