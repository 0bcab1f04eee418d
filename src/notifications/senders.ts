/**
 * The HTTP calls that deliver one rendered message, and what their answers mean. Every
 * failure is a TributaryError whose category tells the queue what to do (STYLE.md 7):
 *
 * - 429 (Slack, Teams throttling) -> PROVIDER_RATE_LIMITED with `retryAfterMs` from Retry-After;
 * - 5xx, timeouts, refused connections -> PROVIDER_UNAVAILABLE (transient, retried);
 * - 404 / 410 (Slack `no_service`, `channel_not_found`, `channel_is_archived`; a deleted
 *   workflow) and 401 (a wrong `sig`) -> permanent, `details.disable: true`: the target is gone;
 * - 403 `action_prohibited` -> PROVIDER_REJECTED (an admin restriction; the channel fails);
 * - 400 -> PROVIDER_BAD_DATA (our message was refused).
 *
 * Messages and details never carry the URL or the token: only the status and the
 * provider's error word.
 */
import { TributaryError } from '../domain/errors.ts';

export type DeliveryTarget =
  | { readonly kind: 'slack_webhook' | 'teams_workflow'; readonly url: string }
  | { readonly kind: 'slack_app'; readonly apiBaseUrl: string; readonly accessToken: string; readonly channel: string };

export interface SendOptions {
  readonly timeoutMs: number;
  readonly fetch: typeof fetch;
  /** Wait when a 429 carries no Retry-After. */
  readonly defaultRetryAfterMs: number;
}

const LABEL = { slack_webhook: 'Slack webhook', teams_workflow: 'Teams workflow', slack_app: 'Slack chat.postMessage' } as const;

/** Slack app errors that mean the target channel is gone or closed to us. */
const SLACK_GONE = new Set(['channel_not_found', 'is_archived', 'not_in_channel', 'channel_is_archived']);
const SLACK_AUTH = new Set(['not_authed', 'invalid_auth', 'account_inactive', 'token_revoked', 'token_expired', 'missing_scope', 'no_permission']);

/** A provider's short error word, when the body is one (`no_service`); never free text that could echo input. */
function errorWord(body: string): string | null {
  const word = body.trim().slice(0, 64);
  return /^[a-z][a-z0-9_.-]*$/i.test(word) ? word : null;
}

/** Retry-After in seconds or as an HTTP date; null when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (header === null || header.trim() === '') return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

function failure(kind: DeliveryTarget['kind'], status: number, reason: string | null, retryAfter: number | null, options: SendOptions): TributaryError {
  const what = `${LABEL[kind]} answered ${status}${reason ? ` ${reason}` : ''}`;
  const details = { status, reason, disable: false };
  if (status === 429) return new TributaryError('PROVIDER_RATE_LIMITED', what, { retryAfterMs: retryAfter ?? options.defaultRetryAfterMs, details });
  if (status >= 500) return new TributaryError('PROVIDER_UNAVAILABLE', what, { details, ...(retryAfter !== null ? { retryAfterMs: retryAfter } : {}) });
  if (status === 404 || status === 410) return new TributaryError('PROVIDER_REJECTED', what, { details: { ...details, disable: true } });
  if (status === 401) return new TributaryError('PROVIDER_AUTH_FAILED', what, { details: { ...details, disable: true } });
  if (status === 400 || status === 413) return new TributaryError('PROVIDER_BAD_DATA', what, { details });
  return new TributaryError('PROVIDER_REJECTED', what, { details });
}

/** Sends `body` (JSON) to the target; resolves on acceptance, throws a classified TributaryError otherwise. */
export async function sendMessage(target: DeliveryTarget, body: unknown, options: SendOptions): Promise<void> {
  const url = target.kind === 'slack_app' ? `${target.apiBaseUrl.replace(/\/+$/, '')}/chat.postMessage` : target.url;
  const payload = target.kind === 'slack_app' ? { ...(body as Record<string, unknown>), channel: target.channel } : body;
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (target.kind === 'slack_app') headers.authorization = `Bearer ${target.accessToken}`;
  let response: Response;
  let text: string;
  try {
    response = await options.fetch(url, { method: 'POST', headers, body: JSON.stringify(payload), signal: AbortSignal.timeout(options.timeoutMs), redirect: 'error' });
    text = await response.text();
  } catch (cause) {
    const timedOut = cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError');
    // The cause is dropped on purpose: undici's errors can quote the URL.
    throw new TributaryError('PROVIDER_UNAVAILABLE', `${LABEL[target.kind]} ${timedOut ? 'timed out' : 'could not be reached'}`, { details: { status: null, reason: timedOut ? 'timeout' : 'network', disable: false } });
  }
  const retryAfter = retryAfterMs(response.headers.get('retry-after'), Date.now());
  if (target.kind !== 'slack_app') {
    if (response.status >= 200 && response.status < 300) return;
    throw failure(target.kind, response.status, target.kind === 'teams_workflow' ? teamsErrorCode(text) : errorWord(text), retryAfter, options);
  }
  if (response.status !== 200) throw failure(target.kind, response.status, parseSlackError(text), retryAfter, options);
  const error = parseSlackError(text);
  if (error === null) return;
  if (error === 'ratelimited') throw failure(target.kind, 429, error, retryAfter, options);
  if (SLACK_GONE.has(error)) throw failure(target.kind, 404, error, null, options);
  if (SLACK_AUTH.has(error)) throw new TributaryError('PROVIDER_AUTH_FAILED', `${LABEL[target.kind]} refused the token: ${error}`, { details: { status: 200, reason: error, disable: false } });
  throw failure(target.kind, 400, error, null, options);
}

/** `{"ok":false,"error":"x"}` -> `x`; `{"ok":true}` -> null; anything unreadable -> `invalid_response`. */
function parseSlackError(text: string): string | null {
  try {
    const json = JSON.parse(text) as { ok?: unknown; error?: unknown };
    if (json.ok === true) return null;
    return typeof json.error === 'string' ? errorWord(json.error) ?? 'unknown_error' : 'unknown_error';
  } catch {
    return errorWord(text) ?? 'invalid_response';
  }
}

/** Workflows errors are `{"error":{"code":"WorkflowNotFound","message":...}}`: the code only. */
function teamsErrorCode(text: string): string | null {
  try {
    const json = JSON.parse(text) as { error?: { code?: unknown } };
    return typeof json.error?.code === 'string' ? errorWord(json.error.code) : null;
  } catch {
    return errorWord(text);
  }
}
