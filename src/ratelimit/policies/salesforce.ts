import type { RateLimitPolicy } from '../types.ts';

const DAY = 86_400_000;

/**
 * Salesforce (providers.md §4): one daily API allowance per org over a rolling 24 h
 * (Enterprise Edition base 100,000 plus per-licence allotments), reported on every answer
 * as `Sforce-Limit-Info: api-usage=N/M`, which replaces our count; at most 25 long-running
 * requests at once per org.
 */
export const salesforcePolicy: RateLimitPolicy = {
  provider: 'salesforce',
  rules: [{ name: 'daily', level: 'connection', per: 'account', limit: 100_000, windowMs: DAY, observes: ['api-usage'], rolling: true, blockScopes: ['account'] }],
  concurrency: [{ name: 'long-running', per: 'account', limit: 25, leaseMs: 10 * 60_000 }],
  defaultRetryAfterMs: 60_000,
  observationTtlMs: 60_000,
};
