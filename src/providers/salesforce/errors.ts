/**
 * Salesforce error classification: turns a REST answer (a JSON array of
 * `{message, errorCode, fields?}`), an OAuth endpoint answer (`{error,
 * error_description}`) or an identity-URL answer (`Bad_OAuth_Token`) into the
 * TributaryError it means. Every error carries `details.provider`, `details.status` and,
 * when Salesforce gave one, `details.errorCode`, so adapter code can react to one case
 * (an expired query locator, a 404) without parsing messages.
 */
import { TributaryError } from '../../domain/errors.ts';
import type { HttpRequest, HttpResponse } from '../provider.ts';

/** Retry delay for REQUEST_LIMIT_EXCEEDED when the usage header does not tell more. */
export const DEFAULT_LIMIT_RETRY_MS = 15 * 60_000;
/** Longest estimate we give for the rolling 24 h allocation to free room. */
const MAX_LIMIT_RETRY_MS = 60 * 60_000;
const MIN_LIMIT_RETRY_MS = 60_000;
const DAY_MS = 86_400_000;

/** Error codes that mean the credential (or the connected app) is no good, whatever the status. */
const AUTH_CODES = new Set(['INVALID_SESSION_ID', 'Bad_OAuth_Token', 'invalid_grant', 'invalid_client', 'invalid_client_id', 'inactive_user', 'inactive_org', 'INVALID_AUTH_HEADER']);

interface SfErrorItem {
  message: string;
  errorCode: string;
  fields?: string[];
}

/** The first `{message, errorCode, fields}` of a REST error body, when it has that shape. */
export function salesforceErrorOf(body: unknown): SfErrorItem | null {
  const first: unknown = Array.isArray(body) ? body[0] : body;
  if (!first || typeof first !== 'object') return null;
  const item = first as Record<string, unknown>;
  if (typeof item.errorCode === 'string') {
    const out: SfErrorItem = { errorCode: item.errorCode, message: typeof item.message === 'string' ? item.message : item.errorCode };
    if (Array.isArray(item.fields)) out.fields = item.fields.map(String);
    return out;
  }
  if (typeof item.error === 'string') {
    return { errorCode: item.error, message: typeof item.error_description === 'string' ? item.error_description : item.error };
  }
  return null;
}

/**
 * How long until the rolling 24 h allocation frees a call, estimated from
 * `Sforce-Limit-Info: api-usage=USED/MAX`: with calls spread evenly over the day, one
 * call ages out every 24 h / MAX, and USED - MAX + 1 must age out. Clamped to 1-60 min;
 * without the header, DEFAULT_LIMIT_RETRY_MS.
 */
export function limitRetryAfterMs(headers: Record<string, string>): number {
  const match = /api-usage=(\d+)\/(\d+)/.exec(headers['sforce-limit-info'] ?? '');
  if (!match) return DEFAULT_LIMIT_RETRY_MS;
  const used = Number(match[1]);
  const max = Number(match[2]);
  if (!(max > 0)) return DEFAULT_LIMIT_RETRY_MS;
  const estimate = (Math.max(1, used - max + 1) * DAY_MS) / max;
  return Math.round(Math.min(MAX_LIMIT_RETRY_MS, Math.max(MIN_LIMIT_RETRY_MS, estimate)));
}

/** Turn a Salesforce response into the error it means, or null for a success (2xx, 304). */
export function classifySalesforceError(response: HttpResponse, request: HttpRequest): TributaryError | null {
  const { status } = response;
  if ((status >= 200 && status < 300) || status === 304) return null;
  const item = salesforceErrorOf(response.body);
  const errorCode = item?.errorCode ?? (typeof response.body === 'string' ? response.body.trim().slice(0, 60) : undefined);
  const details: Record<string, unknown> = { provider: 'salesforce', status, operation: request.operation };
  if (errorCode) details.errorCode = errorCode;
  if (item?.fields && item.fields.length > 0) details.fields = item.fields;
  const said = item ? `${item.errorCode}: ${item.message}` : `HTTP ${status}`;
  const field = item?.fields?.[0];

  if (status === 401 || (errorCode !== undefined && AUTH_CODES.has(errorCode))) {
    return new TributaryError('PROVIDER_AUTH_FAILED', `Salesforce refused the credentials (${errorCode ?? status})`, { details });
  }
  if (errorCode === 'REQUEST_LIMIT_EXCEEDED' || status === 429) {
    return new TributaryError('PROVIDER_RATE_LIMITED', `Salesforce API limit reached (${said})`, {
      retryAfterMs: limitRetryAfterMs(response.headers),
      details,
    });
  }
  if (status === 412 || status === 409) {
    return new TributaryError('CONFLICT', `Salesforce record changed since the given version (${said})`, { details });
  }
  if (status >= 500) {
    return new TributaryError('PROVIDER_UNAVAILABLE', `Salesforce is unavailable (${said})`, { details });
  }
  if (status === 400 || status === 300) {
    return new TributaryError('PROVIDER_BAD_DATA', `Salesforce rejected the data: ${item?.message ?? `HTTP ${status}`}`, field === undefined ? { details } : { details, field });
  }
  return new TributaryError('PROVIDER_REJECTED', `Salesforce refused the request (${said})`, { details });
}

/** The HTTP status a classified provider error came from, if it came from one. */
export function statusOfError(error: unknown): number | undefined {
  if (!(error instanceof TributaryError)) return undefined;
  const status = error.details?.status;
  return typeof status === 'number' ? status : undefined;
}

/** Salesforce's errorCode a classified provider error carried, if any. */
export function errorCodeOfError(error: unknown): string | undefined {
  if (!(error instanceof TributaryError)) return undefined;
  const code = error.details?.errorCode;
  return typeof code === 'string' ? code : undefined;
}
