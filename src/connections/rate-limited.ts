import type { Connection } from '../domain/connection.ts';
import type { HttpRequest, HttpResponse } from '../providers/index.ts';
import { parseObservation } from '../ratelimit/index.ts';
import type { RateCall, RateLimitObservation, RateLimiter, RatePermit } from '../ratelimit/index.ts';
import type { CallLimiter } from './provider-http.ts';

/**
 * The rate limiter as one connection's provider HTTP client sees it (`CallLimiter`):
 * each attempt takes room at every level (global, provider, tenant, connection,
 * operation), the answer is parsed by the provider's observation parser (rate-limit
 * headers, 429s, Slack's `ratelimited`), and the permit is completed with it, so the
 * limiter learns the real budget and slows down before the provider refuses.
 *
 * The endpoint the limiter counts per: Slack's method name (its tiers are per method);
 * elsewhere the HTTP method and the adapter's bucket (GitHub `core`), which keeps the
 * number of counters bounded where paths carry ids.
 */
export function connectionLimiter(limiter: Pick<RateLimiter, 'acquire' | 'complete' | 'release'>, connection: Pick<Connection, 'id' | 'tenantId' | 'provider'>): CallLimiter {
  const permits = new Map<HttpRequest, { permit: RatePermit; observation: RateLimitObservation | null }>();
  const callOf = (request: HttpRequest): RateCall => ({
    provider: connection.provider,
    tenantId: connection.tenantId,
    connectionId: connection.id,
    operation: request.operation,
    endpoint: connection.provider === 'slack' ? (request.bucket ?? request.path) : `${request.method} ${request.bucket ?? request.path.split('?')[0] ?? ''}`,
  });
  return {
    async acquire(request, signal) {
      const permit = await limiter.acquire(callOf(request), signal === undefined ? {} : { signal });
      // Attempts of one request are sequential (the client waits for each answer), so one entry per request suffices.
      permits.set(request, { permit, observation: null });
      return () => {
        const held = permits.get(request);
        permits.delete(request);
        if (held === undefined) return;
        const settled = held.observation === null ? limiter.release(held.permit) : limiter.complete(held.permit, held.observation);
        settled.catch(() => undefined);
      };
    },
    observe(request: HttpRequest, response: HttpResponse) {
      const held = permits.get(request);
      if (held !== undefined) held.observation = parseObservation(connection.provider, response.status, response.headers, response.body);
    },
  };
}
