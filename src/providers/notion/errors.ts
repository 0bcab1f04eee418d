/**
 * Notion error classification. Notion answers errors as
 * `{object:"error", status, code, message, request_id, additional_data?}`; each becomes
 * a TributaryError carrying `details.provider`, `details.status` and `details.code`, so
 * adapter code can react to one case (a 404 in fetchOne) without parsing messages.
 *
 * `conflict_error` (409) is Notion's "the transaction could not be completed, potentially
 * due to a data collision": it is not a version mismatch we could resolve (Notion has no
 * preconditions) but a concurrent write inside Notion, and Notion's own guidance is to
 * retry. So it maps to PROVIDER_UNAVAILABLE (transient, retried with backoff) with
 * `details.code = 'conflict_error'`, not to CONFLICT (permanent), which would send a
 * retryable write to the dead-letter list.
 */
import { TributaryError, type ErrorCode } from '../../domain/errors.ts';
import type { HttpRequest, HttpResponse } from '../provider.ts';

/** Retry-After when a 429 does not carry one (Notion's average is 3 requests/s). */
const DEFAULT_RETRY_AFTER_MS = 1_000;

interface NotionErrorBody {
  code: string;
  message: string;
  additionalData?: Record<string, unknown>;
}

function errorBodyOf(body: unknown): NotionErrorBody | null {
  if (!body || typeof body !== 'object') return null;
  const b = body as Record<string, unknown>;
  if (b.object !== 'error' || typeof b.code !== 'string') return null;
  const out: NotionErrorBody = { code: b.code, message: typeof b.message === 'string' ? b.message : b.code };
  if (b.additional_data && typeof b.additional_data === 'object') out.additionalData = b.additional_data as Record<string, unknown>;
  return out;
}

/** Seconds (Notion sends integers) in a Retry-After header, as milliseconds. */
export function retryAfterMsOf(headers: Record<string, string>, fallbackMs = DEFAULT_RETRY_AFTER_MS): number {
  const raw = headers['retry-after'];
  const seconds = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds * 1000) : fallbackMs;
}

function codeFor(status: number, code: string | undefined): ErrorCode {
  switch (code) {
    case 'unauthorized':
      return 'PROVIDER_AUTH_FAILED';
    case 'rate_limited':
      return 'PROVIDER_RATE_LIMITED';
    case 'validation_error':
    case 'invalid_json':
    case 'invalid_request':
      return 'PROVIDER_BAD_DATA';
    case 'object_not_found':
    case 'restricted_resource':
    case 'invalid_request_url':
    case 'missing_version':
      return 'PROVIDER_REJECTED';
    case 'conflict_error':
    case 'service_overload':
    case 'internal_server_error':
    case 'service_unavailable':
    case 'database_connection_unavailable':
    case 'bad_gateway':
    case 'gateway_timeout':
      return 'PROVIDER_UNAVAILABLE';
    default:
      break;
  }
  if (status === 401) return 'PROVIDER_AUTH_FAILED';
  if (status === 429) return 'PROVIDER_RATE_LIMITED';
  if (status >= 500) return 'PROVIDER_UNAVAILABLE';
  if (status === 400) return 'PROVIDER_BAD_DATA';
  return 'PROVIDER_REJECTED';
}

/** Turn a Notion response into the error it means, or null for a success (2xx). */
export function classifyNotionError(response: HttpResponse, request: HttpRequest): TributaryError | null {
  const { status } = response;
  if (status >= 200 && status < 300) return null;
  const parsed = errorBodyOf(response.body);
  const code = codeFor(status, parsed?.code);
  const details: Record<string, unknown> = { provider: 'notion', status, method: request.method, path: request.path };
  if (parsed) details.code = parsed.code;
  const reason = parsed?.additionalData?.rate_limit_reason;
  if (typeof reason === 'string') details.rateLimitReason = reason;
  const message = `Notion ${request.method} ${request.path}: ${status} ${parsed ? `${parsed.code}: ${parsed.message}` : 'error'}`;
  if (code === 'PROVIDER_RATE_LIMITED') return new TributaryError(code, message, { retryAfterMs: retryAfterMsOf(response.headers), details });
  if (code === 'PROVIDER_UNAVAILABLE' && response.headers['retry-after'] !== undefined) {
    return new TributaryError(code, message, { retryAfterMs: retryAfterMsOf(response.headers), details });
  }
  return new TributaryError(code, message, { details });
}

/** True for the error classifyNotionError gives a 404 (`object_not_found`). */
export function isNotionNotFound(error: unknown): boolean {
  return error instanceof TributaryError && error.details?.provider === 'notion' && error.details.status === 404;
}
