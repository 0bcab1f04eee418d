/**
 * The Events API: one request URL per sandbox (set through the control API), verified
 * with Slack's `url_verification` handshake (the endpoint must echo `challenge`), then
 * every event in the `event_callback` envelope, signed as Slack signs:
 * `X-Slack-Signature: v0=` + hex HMAC-SHA256(signing secret, `v0:<timestamp>:<body>`)
 * with `X-Slack-Request-Timestamp`. A failed delivery is retried up to 3 times
 * (immediately, after 1 minute, after 5 minutes; scaled by the core's webhook delay
 * scale) with `X-Slack-Retry-Num` and `X-Slack-Retry-Reason`, re-signed with a fresh
 * timestamp each time; an answer carrying `X-Slack-No-Retry: 1` stops the retries.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { DeliveryRecord, SandboxContext } from '../core/types.ts';
import type { SlackChannel, SlackStore } from './data.ts';

export const SLACK_RETRY_DELAYS_MS = [0, 60_000, 300_000];
const ACK_TIMEOUT_MS = 3_000;

export interface EventSubscription {
  url: string;
  signingSecret: string;
  verified: boolean;
  /** Subscribed event types (`message`, `channel_created`, ...); null = every type. */
  events: string[] | null;
}

export interface VerificationResult {
  verified: boolean;
  status: number | null;
  body: string;
  error?: string;
}

/** Slack's request signature, for the headers the sandbox sends. */
function sign(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export class SlackEvents {
  subscription: EventSubscription | null = null;
  /** Every event envelope sent, with its delivery record, oldest first. */
  readonly sent: { eventId: string; type: string; record: DeliveryRecord }[] = [];

  constructor(
    private readonly ctx: SandboxContext,
    private readonly store: SlackStore,
  ) {}

  private headers(body: string, secret: string): Record<string, string> {
    const timestamp = Math.floor(this.ctx.clock.now() / 1000);
    return {
      'content-type': 'application/json',
      'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': sign(secret, timestamp, body),
    };
  }

  /**
   * Sets the request URL and runs the handshake: POSTs a signed `url_verification` and
   * accepts the URL only when the answer is 200 and carries the challenge (as plain text,
   * JSON `{challenge}` or form `challenge=`).
   */
  async subscribe(url: string, signingSecret: string, events: string[] | null = null): Promise<VerificationResult> {
    this.subscription = { url, signingSecret, verified: false, events };
    const challenge = randomBytes(24).toString('base64url');
    const body = JSON.stringify({ token: this.store.app.verificationToken, challenge, type: 'url_verification' });
    try {
      const response = await fetch(url, { method: 'POST', headers: this.headers(body, signingSecret), body, signal: AbortSignal.timeout(ACK_TIMEOUT_MS), redirect: 'manual' });
      const text = await response.text();
      const verified = response.status === 200 && echoes(text, challenge);
      this.subscription.verified = verified;
      return { verified, status: response.status, body: text.slice(0, 500) };
    } catch (error) {
      return { verified: false, status: null, body: '', error: (error as Error).message };
    }
  }

  unsubscribe(): void {
    this.subscription = null;
  }

  /**
   * Wraps `event` in the `event_callback` envelope and delivers it, if a verified URL is
   * set and subscribes to the type. Message events only reach the app for channels its
   * bot is a member of (`inChannel`), as with Slack's `message.channels` subscription.
   */
  emit(event: Record<string, unknown>, inChannel?: SlackChannel): void {
    const subscription = this.subscription;
    if (!subscription?.verified) return;
    if (subscription.events !== null && !subscription.events.includes(String(event.type))) return;
    if (inChannel && !inChannel.memberIds.includes(this.store.app.botUserId)) return;
    const eventId = `Ev${randomBytes(8).toString('hex').toUpperCase().slice(0, 10)}`;
    const envelope = {
      token: this.store.app.verificationToken,
      team_id: this.store.team.id,
      context_team_id: this.store.team.id,
      context_enterprise_id: null,
      api_app_id: this.store.app.id,
      event,
      type: 'event_callback',
      event_id: eventId,
      event_time: Math.floor(this.ctx.clock.now() / 1000),
      authorizations: [{ enterprise_id: null, team_id: this.store.team.id, user_id: this.store.app.botUserId, is_bot: true, is_enterprise_install: false }],
      is_ext_shared_channel: false,
      event_context: `4-${Buffer.from(JSON.stringify({ et: event.type, tid: this.store.team.id, aid: this.store.app.id })).toString('base64url')}`,
    };
    const body = JSON.stringify(envelope);
    const record = this.ctx.webhooks.deliver({
      provider: 'slack',
      url: subscription.url,
      headers: {},
      body,
      retryDelaysMs: SLACK_RETRY_DELAYS_MS,
      resign: () => this.headers(body, subscription.signingSecret),
      retryHeaders: (retryNumber, reason) => ({ 'x-slack-retry-num': String(retryNumber), 'x-slack-retry-reason': reason }),
      classify: (response) => {
        if (response.status >= 200 && response.status < 300) return 'delivered';
        return response.headers['x-slack-no-retry'] === '1' ? 'give_up' : 'retry';
      },
      timeoutMs: ACK_TIMEOUT_MS,
    });
    this.sent.push({ eventId, type: String(event.type), record });
  }
}

function echoes(text: string, challenge: string): boolean {
  if (text.trim() === challenge) return true;
  try {
    const parsed = JSON.parse(text) as { challenge?: unknown };
    if (parsed.challenge === challenge) return true;
  } catch {
    // not JSON
  }
  return new URLSearchParams(text).get('challenge') === challenge;
}
