import type { SandboxContext } from '../core/types.ts';
import { GoogleApiError } from './errors.ts';
import type { GoogleIds } from './ids.ts';

/** What a channel watches: a calendar's events or the Drive change log. */
export type WatchTarget = { api: 'calendar'; calendarId: string } | { api: 'drive' };

export interface Channel {
  id: string;
  resourceId: string;
  resourceUri: string;
  token: string | null;
  address: string;
  /** Epoch ms. */
  expiration: number;
  target: WatchTarget;
  messageNumber: number;
  account: string;
}

/**
 * Default and maximum channel lifetimes. Drive documents 3600 s default and one week for
 * changes; Calendar's are not published, so one week for both is this simulator's choice.
 */
export const CHANNEL_TTL_MS = {
  calendar: { default: 7 * 86_400_000, max: 30 * 86_400_000 },
  drive: { default: 3_600_000, max: 7 * 86_400_000 },
} as const;

/** Google retries notifications that fail with 500, 502, 503 or 504, with exponential backoff. */
export const NOTIFICATION_RETRY_DELAYS_MS = [1_000, 2_000, 4_000, 8_000, 16_000];

/**
 * Push notification channels (`events.watch`, `changes.watch`, `channels.stop`).
 * Notifications are POSTs with an empty body and the `X-Goog-*` headers: `sync` when
 * the channel opens, then `exists` (Calendar) or `change` (Drive) per change, with a
 * growing `X-Goog-Message-Number`, until the channel expires or is stopped.
 */
export class WatchChannels {
  readonly channels = new Map<string, Channel>();

  constructor(
    private readonly ctx: SandboxContext,
    private ids: GoogleIds,
  ) {}

  reset(ids: GoogleIds): void {
    this.ids = ids;
    this.channels.clear();
  }

  open(body: Record<string, unknown>, target: WatchTarget, resourceUri: string, account: string): Channel {
    if (typeof body.id !== 'string' || body.id === '' || body.id.length > 64) throw new GoogleApiError(400, 'Missing or invalid channel id.', { reason: 'required', location: 'id' });
    if (body.type !== 'web_hook' && body.type !== 'webhook') throw new GoogleApiError(400, `Invalid channel type: ${String(body.type)}`, { reason: 'invalid', location: 'type' });
    if (typeof body.address !== 'string' || !/^https?:\/\//.test(body.address)) {
      throw new GoogleApiError(400, 'WebHook callback must be HTTPS: ' + String(body.address), { reason: 'push.webhookUrlNotHttps' });
    }
    if (this.channels.has(body.id)) throw new GoogleApiError(400, `Channel id ${body.id} not unique`, { reason: 'channelIdNotUnique' });
    if (typeof body.token === 'string' && body.token.length > 256) throw new GoogleApiError(400, 'Channel token too long.', { reason: 'invalid', location: 'token' });
    const now = this.ctx.clock.now();
    const ttl = CHANNEL_TTL_MS[target.api];
    // `expiration` (epoch ms) or Calendar's `params.ttl` (seconds) ask for a lifetime; the maximum caps both.
    const params = (typeof body.params === 'object' && body.params !== null ? body.params : {}) as Record<string, unknown>;
    const requested = body.expiration !== undefined ? Number(body.expiration) : params.ttl !== undefined ? now + Number(params.ttl) * 1000 : null;
    if (requested !== null && (!Number.isFinite(requested) || requested <= now)) throw new GoogleApiError(400, 'Invalid expiration.', { reason: 'invalid', location: 'expiration' });
    const channel: Channel = {
      id: body.id,
      resourceId: this.ids.resourceId(),
      resourceUri,
      token: typeof body.token === 'string' ? body.token : null,
      address: body.address,
      expiration: Math.min(requested ?? now + ttl.default, now + ttl.max),
      target,
      messageNumber: 0,
      account,
    };
    this.channels.set(channel.id, channel);
    this.notify(channel, 'sync');
    return channel;
  }

  stop(id: unknown, resourceId: unknown): boolean {
    const channel = typeof id === 'string' ? this.channels.get(id) : undefined;
    if (!channel || channel.resourceId !== resourceId) return false;
    this.channels.delete(channel.id);
    return true;
  }

  /** Tells every live channel watching `target` that it changed. */
  changed(target: WatchTarget): void {
    const now = this.ctx.clock.now();
    for (const channel of [...this.channels.values()]) {
      if (channel.expiration <= now) {
        this.channels.delete(channel.id);
        continue;
      }
      if (channel.target.api !== target.api) continue;
      if (target.api === 'calendar' && channel.target.api === 'calendar' && channel.target.calendarId !== target.calendarId) continue;
      this.notify(channel, target.api === 'calendar' ? 'exists' : 'change');
    }
  }

  channelJson(channel: Channel): Record<string, unknown> {
    const out: Record<string, unknown> = {
      kind: 'api#channel',
      id: channel.id,
      resourceId: channel.resourceId,
      resourceUri: channel.resourceUri,
      expiration: String(channel.expiration),
    };
    if (channel.token !== null) out.token = channel.token;
    return out;
  }

  private notify(channel: Channel, state: string): void {
    channel.messageNumber++;
    const headers: Record<string, string> = {
      'x-goog-channel-id': channel.id,
      'x-goog-channel-expiration': new Date(channel.expiration).toUTCString(),
      'x-goog-resource-id': channel.resourceId,
      'x-goog-resource-uri': channel.resourceUri,
      'x-goog-resource-state': state,
      'x-goog-message-number': String(channel.messageNumber),
    };
    if (channel.token !== null) headers['x-goog-channel-token'] = channel.token;
    this.ctx.webhooks.deliver({
      provider: 'google',
      url: channel.address,
      headers,
      body: '',
      retryDelaysMs: NOTIFICATION_RETRY_DELAYS_MS,
      classify: ({ status }) => (status >= 200 && status < 300 ? 'delivered' : [500, 502, 503, 504].includes(status) ? 'retry' : 'give_up'),
    });
  }
}
