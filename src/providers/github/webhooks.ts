/**
 * GitHub webhook verification and interpretation (pure; providers.md §1 Webhooks).
 *
 * GitHub signs the raw body: `X-Hub-Signature-256: sha256=` + hex(HMAC-SHA256(secret,
 * body)). There is no timestamp, so replays are caught by the intake's duplicate check
 * on `X-GitHub-Delivery` (a GUID that stays the same on redelivery). A `ping` arrives
 * when a hook is created or pinged. Only JSON deliveries (`content_type: json`) are
 * accepted; a form-encoded hook is refused as `unsupported_content_type`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Request headers as Node gives them: lower-case names. */
export type WebhookHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** What a GitHub delivery means to the sync: which record changed, or nothing to do. */
export interface GithubWebhookEvent {
  /** `X-GitHub-Event`, with `.action` when the payload has one (`issues.edited`). */
  readonly type: string;
  readonly payload: Record<string, unknown>;
  /** The answer for a handshake-only delivery (ping); absent: the default 200. */
  readonly reply?: { readonly contentType: string; readonly body: string };
}

export type GithubVerification =
  | { readonly ok: true; readonly deliveryId: string | null; readonly event: GithubWebhookEvent }
  | { readonly ok: false; readonly reason: string };

const PREFIX = 'sha256=';

function header(headers: WebhookHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Verifies a GitHub delivery against each of `secrets` (several during a rotation) in
 * constant time, then parses it. `now` is unused (GitHub signs no timestamp) but kept
 * so every verifier has the same signature. Reasons: `missing_signature`,
 * `missing_event`, `malformed_signature`, `no_secret`, `bad_signature`, `malformed_body`.
 */
export function verifyGithubWebhook(rawBody: Buffer, headers: WebhookHeaders, secrets: readonly string[], _now: number): GithubVerification {
  const signature = header(headers, 'x-hub-signature-256');
  if (signature === undefined) return { ok: false, reason: 'missing_signature' };
  const eventName = header(headers, 'x-github-event');
  if (eventName === undefined || eventName === '') return { ok: false, reason: 'missing_event' };
  if (!signature.startsWith(PREFIX) || !/^[0-9a-fA-F]{64}$/.test(signature.slice(PREFIX.length))) {
    return { ok: false, reason: 'malformed_signature' };
  }
  if (secrets.length === 0) return { ok: false, reason: 'no_secret' };
  const given = Buffer.from(signature.slice(PREFIX.length).toLowerCase(), 'hex');
  let matched = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(rawBody).digest();
    // Every secret is tried (no early exit) so timing says nothing about which matched.
    if (expected.length === given.length && timingSafeEqual(expected, given)) matched = true;
  }
  if (!matched) return { ok: false, reason: 'bad_signature' };
  const contentType = header(headers, 'content-type') ?? 'application/json';
  if (!contentType.toLowerCase().includes('json')) return { ok: false, reason: 'unsupported_content_type' };
  let payload: unknown;
  try {
    payload = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed_body' };
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return { ok: false, reason: 'malformed_body' };
  const body = payload as Record<string, unknown>;
  const action = typeof body['action'] === 'string' ? `.${body['action']}` : '';
  const deliveryId = header(headers, 'x-github-delivery') ?? null;
  const event: GithubWebhookEvent = {
    type: `${eventName}${action}`,
    payload: body,
    ...(eventName === 'ping' ? { reply: { contentType: 'application/json', body: '{"ok":true}' } } : {}),
  };
  return { ok: true, deliveryId: deliveryId === '' ? null : deliveryId, event };
}

/** The work a GitHub event asks for. */
export type GithubWebhookWork =
  | { readonly kind: 'record'; readonly object: string; readonly id: string; readonly deleted: boolean }
  | { readonly kind: 'ignore' };

/**
 * Which record an event is about, in the provider objects' id scheme: issues and pull
 * requests by `owner/repo#number`, comments by `owner/repo/comments/id`, repositories by full name.
 * Unknown events are ignored (ping, push, ...).
 */
export function githubWebhookWork(event: { readonly type: string; readonly payload: Record<string, unknown> }): GithubWebhookWork {
  const [name, action] = event.type.split('.');
  const p = event.payload;
  const repo = objectField(p['repository'], 'full_name');
  const deleted = action === 'deleted';
  if ((name === 'issues' || name === 'pull_request') && repo !== null) {
    const item = p[name === 'issues' ? 'issue' : 'pull_request'];
    const number = objectField(item, 'number');
    if (number !== null) return { kind: 'record', object: 'issues', id: `${repo}#${number}`, deleted };
  }
  if (name === 'issue_comment' && repo !== null) {
    const id = objectField(p['comment'], 'id');
    if (id !== null) return { kind: 'record', object: 'issue_comments', id: `${repo}/comments/${id}`, deleted };
  }
  if (name === 'repository' && repo !== null) return { kind: 'record', object: 'repositories', id: repo, deleted };
  return { kind: 'ignore' };
}

function objectField(value: unknown, key: string): string | null {
  if (typeof value !== 'object' || value === null) return null;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === 'string' || typeof field === 'number' ? String(field) : null;
}
