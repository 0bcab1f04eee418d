/**
 * GitHub's REST rate limits, on top of the core's counters (ctx.limits, which scale the
 * real numbers by `rateLimitScale`):
 *
 * - primary: 60 requests an hour per IP without a token; 5,000 an hour per user (every
 *   token of the user shares it), and for an installation 5,000 + 50 per repository and per org member above 20, capped at
 *   12,500. Every response to an authenticated call carries `x-ratelimit-limit`,
 *   `-remaining`, `-used`, `-reset` (epoch s) and `-resource`. Exceeded: 403 (or 429, a
 *   setting) with remaining 0 and GitHub's message. A 304 answer to a conditional request
 *   is not counted; `GET /rate_limit` is free.
 * - secondary: at most 100 requests in flight per identity (not scaled: it is a property
 *   of parallelism, not a budget), 900 points a minute per endpoint (GET 1, writes 5),
 *   80 content-creating requests a minute and 500 an hour. Exceeded: 403 (or 429) with
 *   `retry-after`.
 *
 * Counter keys (for `PUT /_sandbox/limits` overrides): `github:core:<identity>`,
 * `github:secondary:points:<identity>:<METHOD route>`, `github:secondary:content-minute:
 * <identity>`, `github:secondary:content-hour:<identity>`; identity is `user:<id>` or
 * `installation:<id>`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LimitDecision, SandboxContext } from '../core/types.ts';
import { isoSeconds } from './data.ts';
import { GithubHttpError } from './errors.ts';

export interface GithubLimitSettings {
  primaryStatus: 403 | 429;
  secondaryStatus: 403 | 429;
  maxConcurrent: number;
}

/** Who a call is counted against. */
export interface LimitIdentity {
  /** `user:583231`, `installation:41000001` or `ip:127.0.0.1`. */
  key: string;
  kind: 'user' | 'installation' | 'ip';
  id: number;
  ip?: string;
  /** The real hourly primary limit for this identity. */
  hourlyLimit: number;
}

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const PRIMARY_DOCS = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api';
const SECONDARY_DOCS = 'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits';

export class GithubRateLimiter {
  private readonly inFlight = new Map<string, number>();
  private readonly inFlightKeys = new WeakMap<FastifyRequest, string>();
  private requestCounter = 0;

  constructor(
    private readonly ctx: SandboxContext,
    readonly settings: GithubLimitSettings,
  ) {}

  /** A request id in GitHub's `X-GitHub-Request-Id` format, unique per response. */
  nextRequestId(): string {
    this.requestCounter += 1;
    const n = this.requestCounter;
    const hex = (value: number, width: number): string => value.toString(16).toUpperCase().padStart(width, '0').slice(-width);
    return `${hex(n * 7919, 4)}:${hex(n * 104_729, 5)}:${hex(n, 6)}:${hex(n * 31, 6)}:${hex(Math.floor(this.ctx.clock.now() / 1000), 8)}`;
  }

  private primaryRule(identity: LimitIdentity): { key: string; limit: number; windowMs: number } {
    return { key: `github:core:${identity.key}`, limit: identity.hourlyLimit, windowMs: HOUR_MS };
  }

  /** Current primary budget without spending it. */
  peekPrimary(identity: LimitIdentity): LimitDecision {
    return this.ctx.limits.peek(this.primaryRule(identity));
  }

  /**
   * Spends one primary request; throws GitHub's answer when the budget is gone. The
   * headers are set on the reply either way.
   */
  takePrimary(identity: LimitIdentity, reply: FastifyReply): void {
    const decision = this.ctx.limits.take(this.primaryRule(identity));
    setHeaders(reply, decision);
    if (!decision.allowed) {
      this.ctx.limits.recordRejection('github');
      const requestId = String(reply.getHeader('x-github-request-id') ?? '');
      const support = `If you reach out to GitHub Support for help, please include the request ID ${requestId} and timestamp ${isoSeconds(this.ctx.clock.now()).replace('T', ' ').replace('Z', ' UTC')}.`;
      const message =
        identity.kind === 'ip'
          ? `API rate limit exceeded for ${identity.ip ?? ''}. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.) ${support}`
          : `API rate limit exceeded for ${identity.kind === 'user' ? 'user' : 'installation'} ID ${identity.id}. ${support}`;
      throw new GithubHttpError(
        this.settings.primaryStatus,
        message,
        PRIMARY_DOCS,
        undefined,
        { 'x-ratelimit-remaining': '0' },
      );
    }
  }

  /** Sets the primary headers for an answer that did not spend the budget (304, /rate_limit). */
  showPrimary(identity: LimitIdentity, reply: FastifyReply): LimitDecision {
    const decision = this.peekPrimary(identity);
    setHeaders(reply, decision);
    return decision;
  }

  /**
   * Enters a request into the secondary limits: concurrency, endpoint points, content
   * creation. Throws the secondary-limit answer when one is exceeded. Call `leave` when
   * the response is sent (index.ts does it in onResponse).
   */
  enter(identity: LimitIdentity, request: FastifyRequest, endpoint: string, createsContent: boolean): void {
    const busy = this.inFlight.get(identity.key) ?? 0;
    if (busy >= this.settings.maxConcurrent) throw this.secondary(60, request, identity);
    this.inFlight.set(identity.key, busy + 1);
    this.inFlightKeys.set(request, identity.key);
    const isRead = ['GET', 'HEAD', 'OPTIONS'].includes(request.method);
    const points = this.ctx.limits.take({ key: `github:secondary:points:${identity.key}:${endpoint}`, limit: 900, windowMs: MINUTE_MS, cost: isRead ? 1 : 5 });
    if (!points.allowed) throw this.secondary(points.retryAfterSeconds, request, identity);
    if (createsContent) {
      const perMinute = this.ctx.limits.take({ key: `github:secondary:content-minute:${identity.key}`, limit: 80, windowMs: MINUTE_MS });
      if (!perMinute.allowed) throw this.secondary(perMinute.retryAfterSeconds, request, identity);
      const perHour = this.ctx.limits.take({ key: `github:secondary:content-hour:${identity.key}`, limit: 500, windowMs: HOUR_MS });
      if (!perHour.allowed) throw this.secondary(perHour.retryAfterSeconds, request, identity);
    }
  }

  leave(request: FastifyRequest): void {
    const key = this.inFlightKeys.get(request);
    if (key === undefined) return;
    this.inFlightKeys.delete(request);
    const busy = (this.inFlight.get(key) ?? 1) - 1;
    if (busy <= 0) this.inFlight.delete(key);
    else this.inFlight.set(key, busy);
  }

  private secondary(retryAfterSeconds: number, request: FastifyRequest, identity: LimitIdentity): GithubHttpError {
    this.ctx.limits.recordRejection('github');
    const primary = this.peekPrimary(identity);
    const requestId = String(request.id);
    return new GithubHttpError(
      this.settings.secondaryStatus,
      `You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID ${requestId}.`,
      SECONDARY_DOCS,
      undefined,
      { ...headersOf(primary), 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) },
    );
  }

  /** The `resources.core` (and `rate`) object of `GET /rate_limit`. */
  rateLimitBody(identity: LimitIdentity): Record<string, unknown> {
    const core = this.peekPrimary(identity);
    const toJson = (decision: LimitDecision): Record<string, number> => ({
      limit: decision.limit,
      used: decision.used,
      remaining: decision.remaining,
      reset: Math.ceil(decision.resetAt / 1000),
    });
    const reset = Math.ceil((this.ctx.clock.now() + HOUR_MS) / 1000);
    const untouched = (limit: number): Record<string, number> => ({ limit, used: 0, remaining: limit, reset });
    return {
      resources: {
        core: toJson(core),
        search: untouched(30),
        graphql: untouched(5000),
        integration_manifest: untouched(5000),
        code_search: untouched(10),
      },
      rate: toJson(core),
    };
  }
}

function headersOf(decision: LimitDecision): Record<string, string> {
  return {
    'x-ratelimit-limit': String(decision.limit),
    'x-ratelimit-remaining': String(Math.max(0, decision.remaining)),
    'x-ratelimit-used': String(decision.used),
    'x-ratelimit-reset': String(Math.ceil(decision.resetAt / 1000)),
    'x-ratelimit-resource': 'core',
  };
}

function setHeaders(reply: FastifyReply, decision: LimitDecision): void {
  for (const [name, value] of Object.entries(headersOf(decision))) reply.header(name, value);
}

/** GitHub's installation limit: 5,000 + 50 per repo and per member above 20, at most 12,500. */
export function installationHourlyLimit(repoCount: number, memberCount: number): number {
  return Math.min(12_500, 5_000 + 50 * Math.max(0, repoCount - 20) + 50 * Math.max(0, memberCount - 20));
}
