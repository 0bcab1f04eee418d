import { createHmac } from 'node:crypto';
import type { DeliveryRecord, SandboxContext } from '../core/types.ts';
import { LATEST_NOTION_VERSION } from './auth.ts';
import type { NotionIds } from './ids.ts';
import { isDataSourceEra } from './data/serialize.ts';
import type { NotionChange, NotionStore } from './data/store.ts';

/** Notion makes up to 8 delivery attempts per event (`attempt_number` 1-8). */
export const NOTION_MAX_ATTEMPTS = 8;

/** Retry schedule between attempts; Notion does not publish one, so this is ours (tests shorten it). */
/** Multiplied by the sandbox's `webhookDelayScale`. */
export const DEFAULT_NOTION_RETRY_DELAYS_MS = [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000];

export interface NotionSubscription {
  id: string;
  url: string;
  verificationToken: string;
  /** Events flow only once the token has been confirmed (pasted back, in Notion's UI). */
  verified: boolean;
  /** Event types subscribed to; null = all. */
  eventTypes: string[] | null;
  /** The API version the subscription was made with: before 2025-09-03, data source events read as database events. */
  apiVersion: string;
}

/** `sha256=<hex HMAC-SHA256(key = verification_token, message = raw body)>`. */
export function notionSignature(rawBody: string, verificationToken: string): string {
  return `sha256=${createHmac('sha256', verificationToken).update(rawBody).digest('hex')}`;
}

/**
 * Notion webhook subscriptions: the one-time `{"verification_token": …}` POST, then thin
 * event signals signed with `X-Notion-Signature`, retried on failure with a new body each
 * time (`attempt_number` grows, so each attempt is signed anew).
 */
export class NotionWebhooks {
  readonly subscriptions = new Map<string, NotionSubscription>();
  readonly integrationId: string;
  private inFlight = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(
    private readonly ctx: SandboxContext,
    private readonly store: NotionStore,
    private ids: NotionIds,
    private readonly retryDelaysMs: number[],
  ) {
    this.integrationId = ids.uuid();
    store.onChange((change) => this.publish(change));
  }

  /** Forgets every subscription (a reseed starts a fresh workspace). */
  reset(ids: NotionIds): void {
    this.ids = ids;
    this.subscriptions.clear();
  }

  /** Creates a subscription and POSTs the verification token to its URL. */
  subscribe(url: string, options: { eventTypes?: string[]; verified?: boolean; apiVersion?: string } = {}): NotionSubscription {
    const subscription: NotionSubscription = {
      id: this.ids.uuid(),
      url,
      verificationToken: this.ids.secret('secret_'),
      verified: options.verified === true,
      eventTypes: options.eventTypes ?? null,
      apiVersion: options.apiVersion ?? LATEST_NOTION_VERSION,
    };
    this.subscriptions.set(subscription.id, subscription);
    const body = JSON.stringify({ verification_token: subscription.verificationToken });
    this.ctx.webhooks.deliver({
      provider: 'notion',
      url,
      headers: this.headers(body, subscription.verificationToken),
      body,
      retryDelaysMs: [],
    });
    return subscription;
  }

  /** Activates a subscription when `token` is its verification token. */
  verify(id: string, token: string): boolean {
    const subscription = this.subscriptions.get(id);
    if (!subscription || subscription.verificationToken !== token) return false;
    subscription.verified = true;
    return true;
  }

  /** Resolves when every event attempt (including scheduled retries) has finished. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private headers(body: string, token: string): Record<string, string> {
    return { 'content-type': 'application/json', 'user-agent': 'notion-api', 'x-notion-signature': notionSignature(body, token) };
  }

  private publish(original: NotionChange): void {
    for (const subscription of this.subscriptions.values()) {
      if (!subscription.verified) continue;
      const change = isDataSourceEra(subscription.apiVersion) ? original : asDatabaseEvent(this.store, original);
      if (subscription.eventTypes && !subscription.eventTypes.includes(change.type)) continue;
      const author = this.store.users.get(change.authorId);
      const event = {
        id: this.ids.uuid(),
        timestamp: new Date(change.at).toISOString(),
        workspace_id: this.store.workspaceId,
        workspace_name: this.store.workspaceName,
        subscription_id: subscription.id,
        integration_id: this.integrationId,
        authors: [{ id: change.authorId, type: author?.type ?? 'bot' }],
        attempt_number: 1,
        entity: change.entity,
        type: change.type,
        data: change.data,
      };
      this.inFlight++;
      void this.attempt(subscription, event).finally(() => this.settle());
    }
  }

  private settle(): void {
    this.inFlight--;
    if (this.inFlight === 0) for (const resolve of this.waiters.splice(0)) resolve();
  }

  private async attempt(subscription: NotionSubscription, event: Record<string, unknown> & { attempt_number: number }): Promise<void> {
    for (let attempt = 1; attempt <= NOTION_MAX_ATTEMPTS; attempt++) {
      const body = JSON.stringify({ ...event, attempt_number: attempt });
      const record = this.ctx.webhooks.deliver({
        provider: 'notion',
        url: subscription.url,
        headers: this.headers(body, subscription.verificationToken),
        body,
        retryDelaysMs: [],
      });
      if (await settled(record)) return;
      const delay = this.retryDelaysMs[attempt - 1];
      if (delay === undefined) return;
      await sleep(Math.round(delay * (this.ctx.options.webhookDelayScale ?? 1)));
    }
  }
}

/** Before 2025-09-03 there are no data sources: their events are the database's. */
function asDatabaseEvent(store: NotionStore, change: NotionChange): NotionChange {
  if (!change.type.startsWith('data_source.')) return change;
  const ds = store.dataSources.get(change.entity.id);
  return {
    ...change,
    type: change.type.replace('data_source.', 'database.') as NotionChange['type'],
    entity: { id: ds?.databaseId ?? change.entity.id, type: 'database' },
    data: { ...change.data, parent: { id: store.workspaceId, type: 'workspace' } },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * Waits for the dispatcher's single attempt to finish and answers whether it was
 * delivered. The core's DeliveryRequest cannot change the body between retries, which
 * Notion's `attempt_number` needs, so the simulator runs its own retry loop.
 */
async function settled(record: DeliveryRecord): Promise<boolean> {
  const deadline = Date.now() + 15_000;
  while (record.attempts.length === 0 && !record.delivered && Date.now() < deadline) await sleep(5);
  return record.delivered;
}
