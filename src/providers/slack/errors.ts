/**
 * Slack error classification. Web API failures are mostly HTTP 200 with
 * `{"ok": false, "error": "<code>"}`, so the body decides; rate limiting is HTTP 429 with
 * `Retry-After` (seconds). Every error carries `details.provider`, `details.status`,
 * `details.method` and `details.slackError` (plus `needed`/`provided` for
 * `missing_scope`), so adapter code can react to one case (a `message_not_found`)
 * without parsing messages. An `invalid_cursor` is a cursor that expired: CURSOR_EXPIRED.
 */
import { TributaryError, type ErrorCode } from '../../domain/errors.ts';
import { CURSOR_EXPIRED, type HttpRequest, type HttpResponse } from '../provider.ts';

/** Retry-After when a 429 does not carry one (Slack windows are a minute). */
const DEFAULT_RETRY_AFTER_MS = 30_000;

const AUTH = new Set(['invalid_auth', 'not_authed', 'token_expired', 'token_revoked', 'account_inactive', 'no_such_token']);
const BAD_DATA = new Set([
  'invalid_arguments', 'invalid_arg_name', 'invalid_array_arg', 'invalid_blocks', 'invalid_blocks_format', 'invalid_attachments', 'invalid_metadata_format',
  'msg_too_long', 'no_text', 'too_many_attachments', 'invalid_ts_oldest', 'invalid_ts_latest', 'invalid_types', 'invalid_charset', 'invalid_form_data',
  'invalid_post_type', 'missing_post_type', 'invalid_json', 'json_not_object',
]);
const TRANSIENT = new Set(['internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);

function slackCode(error: string, status: number): ErrorCode {
  if (AUTH.has(error)) return 'PROVIDER_AUTH_FAILED';
  if (error === 'ratelimited' || error === 'rate_limited') return 'PROVIDER_RATE_LIMITED';
  if (BAD_DATA.has(error)) return 'PROVIDER_BAD_DATA';
  if (TRANSIENT.has(error) || status >= 500) return 'PROVIDER_UNAVAILABLE';
  return 'PROVIDER_REJECTED';
}

/** The Web API method a request calls (`chat.postMessage`), from its path. */
export function slackMethodOf(request: HttpRequest): string {
  return request.path.split('?')[0]?.split('/').pop() ?? request.path;
}

function retryAfterMsOf(headers: Record<string, string>): number {
  const seconds = Number(headers['retry-after']);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.ceil(seconds * 1000) : DEFAULT_RETRY_AFTER_MS;
}

/** Turn a Slack response into the error it means, or null for a success. */
export function classifySlackError(response: HttpResponse, request: HttpRequest): TributaryError | null {
  const { status } = response;
  const body = response.body && typeof response.body === 'object' ? (response.body as Record<string, unknown>) : null;
  const error = typeof body?.error === 'string' ? body.error : null;
  const failed = status === 429 || status >= 400 || body?.ok === false;
  if (!failed) return null;
  const method = slackMethodOf(request);
  const details: Record<string, unknown> = { provider: 'slack', status, method };
  if (error) details.slackError = error;
  if (error === 'missing_scope') {
    if (typeof body?.needed === 'string') details.needed = body.needed;
    if (typeof body?.provided === 'string') details.provided = body.provided;
  }
  const message = `Slack ${method}: ${error ?? `HTTP ${status}`}${error === 'missing_scope' && details.needed ? ` (needs ${String(details.needed)})` : ''}`;
  if (status === 429) return new TributaryError('PROVIDER_RATE_LIMITED', message, { retryAfterMs: retryAfterMsOf(response.headers), details });
  if (status >= 500) return new TributaryError('PROVIDER_UNAVAILABLE', message, { details });
  if (error === 'invalid_cursor') return new TributaryError('PROVIDER_REJECTED', message, { details: { ...details, reason: CURSOR_EXPIRED } });
  const code = error ? slackCode(error, status) : 'PROVIDER_REJECTED';
  if (code === 'PROVIDER_RATE_LIMITED') return new TributaryError(code, message, { retryAfterMs: retryAfterMsOf(response.headers), details });
  return new TributaryError(code, message, { details });
}

/** True when `error` is the classified Slack error `slackError` (`message_not_found`, ...). */
export function isSlackError(error: unknown, ...codes: string[]): boolean {
  return error instanceof TributaryError && error.details?.provider === 'slack' && codes.includes(String(error.details.slackError));
}
