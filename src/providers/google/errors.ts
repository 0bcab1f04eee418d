/**
 * Google error classification, for both of Google's error dialects:
 * v1 APIs (People) answer `{error:{code, message, status, details:[{@type, reason}]}}`,
 * classic APIs (Calendar, Drive) `{error:{errors:[{domain, reason, message}], code, message}}`.
 * Every error carries `details.provider`, `details.status` and, when Google gave them,
 * `details.reason` (classic reason or ErrorInfo reason) and `details.grpcStatus`.
 *
 * Sync-token expiry is decided here too, because only the request tells it apart from
 * other failures: a read carrying `syncToken` answered 410 (Calendar `fullSyncRequired`)
 * or 400 FAILED_PRECONDITION (People `EXPIRED_SYNC_TOKEN`) becomes PROVIDER_REJECTED with
 * `details.reason = CURSOR_EXPIRED`, so the engine restarts with a full sync.
 */
import { TributaryError, type ErrorCode } from '../../domain/errors.ts';
import { CURSOR_EXPIRED, type HttpRequest, type HttpResponse } from '../provider.ts';

const RATE_LIMIT_REASONS = new Set(['rateLimitExceeded', 'userRateLimitExceeded', 'RATE_LIMIT_EXCEEDED']);
/** Daily quotas reset at midnight Pacific: wait long, the job goes back to the queue. */
const DAILY_REASONS = new Set(['dailyLimitExceeded', 'quotaExceeded']);
const DAILY_RETRY_MS = 60 * 60_000;

export interface GoogleErrorInfo {
  message: string;
  reason: string | null;
  grpcStatus: string | null;
}

/** The message, reason and canonical status of a Google error body, in either dialect. */
export function googleErrorOf(body: unknown): GoogleErrorInfo | null {
  if (!body || typeof body !== 'object') return null;
  const error = (body as { error?: unknown }).error;
  if (typeof error === 'string') {
    // OAuth endpoints: {"error":"invalid_grant","error_description":"..."}.
    const description = (body as { error_description?: unknown }).error_description;
    return { message: typeof description === 'string' ? description : error, reason: error, grpcStatus: null };
  }
  if (!error || typeof error !== 'object') return null;
  const e = error as { message?: unknown; status?: unknown; errors?: { reason?: unknown }[]; details?: { reason?: unknown }[] };
  const classic = Array.isArray(e.errors) ? e.errors.find((x) => typeof x.reason === 'string')?.reason : undefined;
  const info = Array.isArray(e.details) ? e.details.find((x) => typeof x.reason === 'string')?.reason : undefined;
  return {
    message: typeof e.message === 'string' ? e.message : 'error',
    reason: typeof classic === 'string' ? classic : typeof info === 'string' ? info : null,
    grpcStatus: typeof e.status === 'string' ? e.status : null,
  };
}

function retryAfterMs(headers: Record<string, string>): number | undefined {
  const raw = headers['retry-after'];
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds * 1000));
  const at = Date.parse(raw);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

function isWrite(request: HttpRequest): boolean {
  return request.method !== 'GET';
}

function hasSyncToken(request: HttpRequest): boolean {
  return request.method === 'GET' && typeof request.query?.syncToken === 'string';
}

function codeFor(status: number, info: GoogleErrorInfo | null, request: HttpRequest): { code: ErrorCode; cursorExpired?: boolean } {
  const reason = info?.reason ?? '';
  if (status === 401) return { code: 'PROVIDER_AUTH_FAILED' };
  if (status === 429 || (status === 403 && (RATE_LIMIT_REASONS.has(reason) || DAILY_REASONS.has(reason)))) return { code: 'PROVIDER_RATE_LIMITED' };
  if (status === 410) return hasSyncToken(request) ? { code: 'PROVIDER_REJECTED', cursorExpired: true } : { code: 'PROVIDER_REJECTED' };
  if (status === 412 || status === 409) return { code: 'CONFLICT' };
  if (status === 400 && (info?.grpcStatus === 'FAILED_PRECONDITION' || reason === 'EXPIRED_SYNC_TOKEN')) {
    if (hasSyncToken(request) || reason === 'EXPIRED_SYNC_TOKEN') return { code: 'PROVIDER_REJECTED', cursorExpired: true };
    return isWrite(request) ? { code: 'CONFLICT' } : { code: 'PROVIDER_REJECTED' };
  }
  if (status === 400) return { code: 'PROVIDER_BAD_DATA' };
  if (status >= 500) return { code: 'PROVIDER_UNAVAILABLE' };
  return { code: 'PROVIDER_REJECTED' };
}

/** Turn a Google response into the error it means, or null for a success (2xx, 304). */
export function classifyGoogleError(response: HttpResponse, request: HttpRequest): TributaryError | null {
  const { status } = response;
  if ((status >= 200 && status < 300) || status === 304) return null;
  const info = googleErrorOf(response.body);
  const { code, cursorExpired } = codeFor(status, info, request);
  const details: Record<string, unknown> = { provider: 'google', status, method: request.method, path: request.path };
  if (info?.reason) details.googleReason = info.reason;
  if (info?.grpcStatus) details.grpcStatus = info.grpcStatus;
  if (cursorExpired) details.reason = CURSOR_EXPIRED;
  const message = `Google ${request.method} ${request.path}: ${status} ${info?.message ?? 'error'}`;
  if (code === 'PROVIDER_RATE_LIMITED') {
    const wait = retryAfterMs(response.headers) ?? (DAILY_REASONS.has(info?.reason ?? '') ? DAILY_RETRY_MS : undefined);
    return new TributaryError(code, message, wait === undefined ? { details } : { retryAfterMs: wait, details });
  }
  return new TributaryError(code, message, { details });
}

/** True for an error classifyGoogleError made of a 404 (or a 410 without a sync token: gone). */
export function isGoogleGone(error: unknown): boolean {
  if (!(error instanceof TributaryError) || error.details?.provider !== 'google') return false;
  return error.details.status === 404 || (error.details.status === 410 && error.details.reason !== CURSOR_EXPIRED);
}
