import type { RateLimitPolicy } from '../types.ts';

/**
 * Notion (providers.md §3): about three requests a second per connection, now a budget
 * per 60-second window (180 here), and a workspace budget shared by every connection
 * (2,700 per 5 minutes here, as the sandbox models it). A 429 names which one in
 * `additional_data.rate_limit_reason`; that one is blocked for Retry-After.
 */
export const notionPolicy: RateLimitPolicy = {
  provider: 'notion',
  rules: [
    { name: 'connection', level: 'connection', per: 'connection', limit: 180, windowMs: 60_000, blockScopes: ['connection'] },
    { name: 'workspace', level: 'connection', per: 'account', limit: 2_700, windowMs: 300_000, blockScopes: ['workspace'] },
  ],
  concurrency: [],
  defaultRetryAfterMs: 1_000,
  observationTtlMs: 60_000,
};
