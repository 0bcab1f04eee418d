/**
 * GitHub error classification. Every error carries `details.provider`, `details.status`
 * and GitHub's `message`, and 422s their `errors[]`, so adapter code can react to one
 * case (a 404 or 410 on a read) without parsing text.
 *
 * Rate limits: the primary limit answers 403 or 429 with `x-ratelimit-remaining: 0`; a
 * secondary limit answers 403 or 429 with a message about it and maybe `retry-after`.
 * The wait is `retry-after` when given, else until `x-ratelimit-reset`, else 60 s.
 */
import { TributaryError } from '../../domain/errors.ts';
import type { HttpRequest, HttpResponse } from '../provider.ts';
import { tokenErrorOf } from './auth.ts';

export const DEFAULT_RATE_LIMIT_WAIT_MS = 60_000;

function messageOf(body: unknown): string | undefined {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const message = (body as Record<string, unknown>).message;
    if (typeof message === 'string') return message;
  }
  return typeof body === 'string' && body.length < 200 ? body : undefined;
}

/** How long a rate-limited answer asks us to wait. `now` is for the reset header (epoch ms). */
export function githubRetryAfterMs(headers: Record<string, string>, now: number = Date.now()): number {
  const retryAfter = Number(headers['retry-after']);
  if (headers['retry-after'] !== undefined && Number.isFinite(retryAfter) && retryAfter >= 0) return Math.max(1_000, retryAfter * 1000);
  const reset = Number(headers['x-ratelimit-reset']);
  if (headers['x-ratelimit-remaining'] === '0' && Number.isFinite(reset) && reset > 0) return Math.max(1_000, reset * 1000 - now);
  return DEFAULT_RATE_LIMIT_WAIT_MS;
}

function isRateLimited(response: HttpResponse, message: string | undefined): boolean {
  if (response.status === 429) return true;
  if (response.status !== 403) return false;
  if (response.headers['x-ratelimit-remaining'] === '0') return true;
  return /rate limit|abuse detection/i.test(message ?? '') || response.headers['retry-after'] !== undefined;
}

/** Turn a GitHub response into the error it means, or null for a success (2xx, 304). */
export function classifyGithubError(response: HttpResponse, request: HttpRequest): TributaryError | null {
  const { status } = response;
  const message = messageOf(response.body);
  const details: Record<string, unknown> = { provider: 'github', status, operation: request.operation };
  if (message) details.message = message;

  if (status >= 200 && status < 300) {
    // The OAuth token endpoint says "no" with a 200 and an `error` field.
    const tokenError = /login\/oauth\/access_token/.test(request.path) ? tokenErrorOf(response.body) : null;
    if (!tokenError) return null;
    return new TributaryError(/bad_refresh_token|bad_verification_code|incorrect_client_credentials/.test(tokenError.error) ? 'PROVIDER_AUTH_FAILED' : 'PROVIDER_REJECTED', `GitHub token endpoint: ${tokenError.error}`, {
      details: { ...details, oauthError: tokenError.error },
    });
  }
  if (status === 304) return null;
  const said = message ? `${status} ${message}` : `HTTP ${status}`;
  if (status === 401) return new TributaryError('PROVIDER_AUTH_FAILED', `GitHub refused the credentials (${said})`, { details });
  if (isRateLimited(response, message)) {
    return new TributaryError('PROVIDER_RATE_LIMITED', `GitHub rate limit (${said})`, { retryAfterMs: githubRetryAfterMs(response.headers), details });
  }
  if (status === 422) {
    const errors = Array.isArray((response.body as Record<string, unknown> | null)?.errors) ? ((response.body as Record<string, unknown>).errors as Record<string, unknown>[]) : [];
    const field = errors.map((e) => e.field).find((f): f is string => typeof f === 'string');
    const described = errors.map((e) => [e.resource, e.field, e.code, e.message].filter((x) => typeof x === 'string').join(' ')).join('; ');
    return new TributaryError('PROVIDER_BAD_DATA', `GitHub rejected the data: ${message ?? 'Validation Failed'}${described ? ` (${described})` : ''}`, {
      details: { ...details, errors },
      ...(field === undefined ? {} : { field }),
    });
  }
  if (status === 400) return new TributaryError('PROVIDER_BAD_DATA', `GitHub rejected the request: ${said}`, { details });
  if (status >= 500) return new TributaryError('PROVIDER_UNAVAILABLE', `GitHub is unavailable (${said})`, { details });
  return new TributaryError('PROVIDER_REJECTED', `GitHub refused the request (${said})`, { details });
}

/** The HTTP status a classified provider error came from, if it came from one. */
export function statusOfError(error: unknown): number | undefined {
  if (!(error instanceof TributaryError)) return undefined;
  const status = error.details?.status;
  return typeof status === 'number' ? status : undefined;
}
