import type { RateLimitPolicy } from '../types.ts';

const MINUTE = 60_000;

/**
 * Google APIs (providers.md §5): quotas per user and per project. People API defaults:
 * 90 reads and 60 writes a minute per user; the project budget (3,000 a minute here) is
 * an assumption to tune per deployment. 403 userRateLimitExceeded blocks the user,
 * rateLimitExceeded / RESOURCE_EXHAUSTED the project.
 */
export const googlePolicy: RateLimitPolicy = {
  provider: 'google',
  rules: [
    { name: 'user-read', level: 'connection', per: 'connection', limit: 90, windowMs: MINUTE, appliesTo: (c) => c.operation !== 'write', blockScopes: ['user'] },
    { name: 'user-write', level: 'connection', per: 'connection', limit: 60, windowMs: MINUTE, appliesTo: (c) => c.operation === 'write', blockScopes: ['user'] },
    { name: 'project', level: 'connection', per: 'account', limit: 3_000, windowMs: MINUTE, blockScopes: ['project'] },
  ],
  concurrency: [],
  defaultRetryAfterMs: 10_000,
  observationTtlMs: MINUTE,
};
