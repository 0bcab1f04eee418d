/**
 * GitHub webhook deliveries: which hooks an event goes to, the payload, and the headers
 * GitHub sends (`X-GitHub-Event`, `X-GitHub-Delivery` GUID, `X-Hub-Signature-256` =
 * `sha256=` + hex HMAC-SHA256 of the raw body keyed by the hook secret, legacy
 * `X-Hub-Signature` sha1, `X-GitHub-Hook-ID`, the installation-target headers and
 * `User-Agent: GitHub-Hookshot/...`). GitHub does not retry a failed delivery; a
 * redelivery (through the deliveries API) resends the same body with the same GUID.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { SandboxContext } from '../core/types.ts';
import type { GhDelivery, GhHook, GhRepo, GhUser, GithubStore } from './data.ts';
import { isoSeconds } from './data.ts';
import { hookJson, orgJson, repoJson, simpleUser } from './representations.ts';
import type { Urls } from './representations.ts';

const HOOKSHOT = 'GitHub-Hookshot/5f2e3a1';
const ZENS = ['Keep it logically awesome.', 'Design for failure.', 'Speak like a human.', 'Practicality beats purity.', 'Non-blocking is better than blocking.'];

export class GithubWebhooks {
  constructor(
    private readonly ctx: SandboxContext,
    private readonly store: GithubStore,
    private readonly urls: () => Urls,
  ) {}

  /**
   * Sends `event` (with `action`) about `repo` to every active hook of the repo and of
   * its org that subscribes to it (`events` holds the name or `*`).
   */
  fire(repo: GhRepo, event: string, action: string | null, fields: Record<string, unknown>, sender: GhUser | undefined): void {
    for (const hook of this.store.hooksFor(repo)) {
      if (!hook.active || !(hook.events.includes('*') || hook.events.includes(event))) continue;
      const payload: Record<string, unknown> = action === null ? {} : { action };
      Object.assign(payload, fields);
      payload.repository = repoJson(this.urls(), this.store, repo);
      const org = repo.ownerType === 'Organization' ? this.store.orgs.get(repo.ownerId) : undefined;
      if (org) payload.organization = orgJson(this.urls(), org);
      if (sender) payload.sender = simpleUser(this.urls(), sender);
      this.send(hook, event, action, payload, repo.id);
    }
  }

  /** The `ping` event GitHub sends when a hook is created. */
  ping(hook: GhHook, sender: GhUser | undefined): GhDelivery {
    const payload: Record<string, unknown> = {
      zen: ZENS[hook.id % ZENS.length],
      hook_id: hook.id,
      hook: hookJson(this.urls(), this.store, hook),
    };
    let repositoryId: number | null = null;
    if (hook.scope.kind === 'repo') {
      const repo = this.store.repos.get(hook.scope.id);
      if (repo) {
        payload.repository = repoJson(this.urls(), this.store, repo);
        repositoryId = repo.id;
      }
    } else {
      const org = this.store.orgs.get(hook.scope.id);
      if (org) payload.organization = orgJson(this.urls(), org);
    }
    if (sender) payload.sender = simpleUser(this.urls(), sender);
    return this.send(hook, 'ping', null, payload, repositoryId);
  }

  /** Resends a delivery: same body, same GUID, a new delivery id, `redelivery: true`. */
  redeliver(original: GhDelivery): GhDelivery {
    const hook = this.store.hooks.get(original.hookId);
    const record = this.ctx.webhooks.deliver({ provider: 'github', url: hook?.url ?? '', headers: original.headers, body: original.body, retryDelaysMs: [], timeoutMs: 10_000 });
    const delivery: GhDelivery = { ...original, id: this.store.nextId('delivery'), deliveredAt: this.ctx.clock.now(), redelivery: true, record };
    this.store.deliveries.set(delivery.id, delivery);
    return delivery;
  }

  private send(hook: GhHook, event: string, action: string | null, payload: Record<string, unknown>, repositoryId: number | null): GhDelivery {
    const json = JSON.stringify(payload);
    const body = hook.contentType === 'form' ? `payload=${encodeURIComponent(json)}` : json;
    const guid = randomUUID();
    const target = hook.scope.kind === 'repo' ? 'repository' : 'organization';
    const headers: Record<string, string> = {
      'user-agent': HOOKSHOT,
      'content-type': hook.contentType === 'form' ? 'application/x-www-form-urlencoded' : 'application/json',
      'x-github-event': event,
      'x-github-delivery': guid,
      'x-github-hook-id': String(hook.id),
      'x-github-hook-installation-target-type': target,
      'x-github-hook-installation-target-id': String(hook.scope.id),
    };
    if (hook.secret !== null) {
      headers['x-hub-signature'] = `sha1=${createHmac('sha1', hook.secret).update(body).digest('hex')}`;
      headers['x-hub-signature-256'] = `sha256=${createHmac('sha256', hook.secret).update(body).digest('hex')}`;
    }
    const record = this.ctx.webhooks.deliver({ provider: 'github', url: hook.url, headers, body, retryDelaysMs: [], timeoutMs: 10_000 });
    const delivery: GhDelivery = {
      id: this.store.nextId('delivery'),
      guid,
      hookId: hook.id,
      event,
      action,
      body,
      headers,
      deliveredAt: this.ctx.clock.now(),
      redelivery: false,
      repositoryId,
      record,
    };
    this.store.deliveries.set(delivery.id, delivery);
    return delivery;
  }
}

/** A delivery as `GET .../hooks/{id}/deliveries` lists it. */
export function deliveryJson(delivery: GhDelivery): Record<string, unknown> {
  const last = delivery.record.attempts.at(-1);
  const statusCode = last?.status ?? 0;
  return {
    id: delivery.id,
    guid: delivery.guid,
    delivered_at: isoSeconds(delivery.deliveredAt),
    redelivery: delivery.redelivery,
    duration: 0.05,
    status: last === undefined ? 'pending' : statusCode >= 200 && statusCode < 300 ? 'OK' : last.status === null ? (last.error ?? 'failed') : 'Invalid HTTP Response: ' + statusCode,
    status_code: statusCode,
    event: delivery.event,
    action: delivery.action,
    installation_id: null,
    repository_id: delivery.repositoryId,
    throttled_at: null,
  };
}

/** A hook's `last_response`, from its most recent delivery. */
export function lastResponse(store: GithubStore, hook: GhHook): GhHook['lastResponse'] {
  let latest: GhDelivery | undefined;
  for (const delivery of store.deliveries.values()) if (delivery.hookId === hook.id && (!latest || delivery.id > latest.id)) latest = delivery;
  const attempt = latest?.record.attempts.at(-1);
  if (!latest || !attempt) return hook.lastResponse;
  if (attempt.status !== null && attempt.status >= 200 && attempt.status < 300) return { code: attempt.status, status: 'active', message: 'OK' };
  return { code: attempt.status, status: 'failed', message: attempt.error ?? `Invalid HTTP Response: ${attempt.status}` };
}
