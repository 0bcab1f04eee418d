/**
 * The `webhook-events` job handler: turns a stored event into the smallest correct work.
 *
 * - A record change (GitHub issue edited, Slack message, Salesforce notification): for
 *   each enabled pull integration of the registration's connection on that object, a
 *   targeted `fetchOne` of the record, applied through the sync engine's `applyChanges`
 *   (mapping, dedup, conflicts, as a `webhook` run, cursor untouched); a record the
 *   provider no longer has, or a deletion event, becomes a tombstone. Concurrent events
 *   for the same record are coalesced (see Coalescer).
 * - A signal (Notion, Google channels, Pub/Sub messages, Standard Webhooks senders): an
 *   incremental run on `sync-inbound` under the integration's idempotency key, so signals
 *   coalesce into the run already waiting.
 * The integrations concerned are the registration's connection's pull integrations, only
 * its own one when it names one (`integrationId`), only those of `config.object` when set.
 * - Anything else (pings, events we do not sync): nothing.
 *
 * Idempotent: an event already `processed` is skipped, writes are upserts keyed by the
 * record, and runs are named after the event. The event row ends `processed` (kept 7
 * days) or, on the job's last attempt, `failed` with the error.
 */
import { createHash } from 'node:crypto';
import type { Connection } from '../domain/connection.ts';
import { TributaryError } from '../domain/errors.ts';
import type { Integration } from '../domain/integration.ts';
import type { Clock } from '../ports/clock.ts';
import type { Job, JobHandler, JobQueue } from '../ports/job-queue.ts';
import type { Logger } from '../ports/logger.ts';
import type { Store } from '../ports/store.ts';
import type { Provider, ProviderContext } from '../providers/provider.ts';
import { applyChanges, mappingOf, objectOf, syncJobKey, type ResolverRegistry, type SyncJobPayload } from '../sync/index.ts';
import { recordPathsOf } from '../mapping/index.ts';
import { Coalescer } from './coalescer.ts';
import { eventWork, type RecordChange } from './event-work.ts';
import { WEBHOOK_EVENTS_QUEUE, webhookJobKey, type WebhookEventJob } from './intake-batcher.ts';
import { schemeOf } from './receiver.ts';

export interface WebhookWorkerDeps {
  readonly store: Store;
  readonly queue: JobQueue;
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly providerFor: (id: string) => Provider | undefined;
  /** The connections feature's context: credential (refreshing), limiter, egress. */
  readonly contextFor: (connection: Connection, signal: AbortSignal) => ProviderContext;
  /** How long processed events are kept. Default 7 days. */
  readonly processedRetentionMs?: number;
  /** Resolvers registered in code, for integrations whose conflict strategy is `custom` with a `resolver`. */
  readonly resolvers?: ResolverRegistry;
}

const DAY_MS = 86_400_000;

export function createWebhookEventHandler(deps: WebhookWorkerDeps): JobHandler<WebhookEventJob> {
  const coalescer = new Coalescer();
  const retention = deps.processedRetentionMs ?? 7 * DAY_MS;
  return async (job: Job<WebhookEventJob>, signal: AbortSignal) => {
    const { tenantId, eventId, registrationId } = job.payload;
    const event = await deps.store.webhooks.getEvent(tenantId, eventId);
    if (event === null || event.status === 'processed') return;
    const finish = (status: 'processed' | 'failed', error: { code: string; message: string } | null) => {
      const now = deps.clock.now();
      return deps.store.webhooks.updateEvent(tenantId, eventId, {
        status, attempts: job.attempt, processedAt: new Date(now).toISOString(), error, expiresAt: new Date(now + retention).toISOString(),
      });
    };
    try {
      const registration = await deps.store.webhooks.get(tenantId, registrationId);
      const scheme = registration && schemeOf(registration);
      if (registration === null || !scheme) {
        await finish('processed', { code: 'NOT_FOUND', message: 'The registration no longer exists' });
        return;
      }
      const work = eventWork(scheme, event.eventType ?? '', event.payload);
      if (work.kind !== 'ignore') {
        const object = typeof registration.config['object'] === 'string' ? registration.config['object'] : null;
        const integrations = (await pullIntegrations(deps.store, tenantId, registration.connectionId, registration.integrationId)).filter((i) => object === null || sameObject(i.object, object));
        if (work.kind === 'signal') {
          await Promise.all(integrations.map((i) => deps.queue.enqueue<SyncJobPayload>('sync-inbound', { tenantId, integrationId: i.id, trigger: 'webhook' }, { idempotencyKey: syncJobKey(i.id), priority: i.priority === 'high' ? 'high' : 'normal', correlationId: eventId })));
        } else {
          const connection = await deps.store.connections.get(tenantId, registration.connectionId);
          if (connection === null) throw new TributaryError('NOT_FOUND', "The registration's connection no longer exists");
          const provider = deps.providerFor(connection.provider);
          if (provider === undefined) throw new TributaryError('VALIDATION_FAILED', `Unknown provider ${connection.provider}`);
          for (const change of work.changes) {
            for (const integration of integrations.filter((i) => change.object === '*' || sameObject(i.object, change.object))) {
              const key = `${integration.id}:${change.object}:${change.id}`;
              await coalescer.run(key, () => applyOne(deps, { integration, connection, provider, change, eventId, signal }));
            }
          }
        }
      }
      await finish('processed', null);
    } catch (error) {
      // The queue dead-letters non-retryable errors at once (ports/job-queue.ts): the event fails with it.
      const final = job.attempt >= job.maxAttempts || (error instanceof TributaryError && error.category !== 'transient' && error.category !== 'rate_limit');
      if (final) {
        const code = error instanceof TributaryError ? error.code : 'JOB_FAILED';
        await finish('failed', { code, message: error instanceof Error ? error.message : String(error) }).catch(() => undefined);
      }
      throw error;
    }
  };
}

function sameObject(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

async function pullIntegrations(store: Store, tenantId: string, connectionId: string, only: string | null): Promise<Integration[]> {
  const found: Integration[] = [];
  let cursor: string | null = null;
  do {
    const page = await store.integrations.list(tenantId, { connectionId, limit: 200, cursor });
    found.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return found.filter((i) => i.enabled && i.direction !== 'push' && (only === null || i.id === only));
}

async function applyOne(
  deps: WebhookWorkerDeps,
  input: { integration: Integration; connection: Connection; provider: Provider; change: RecordChange; eventId: string; signal: AbortSignal },
): Promise<void> {
  const { integration, connection, provider, change } = input;
  const object = objectOf(provider, integration.object);
  if (object === undefined) return;
  const mapping = mappingOf(integration, provider.id);
  let record = null;
  if (!change.deleted) record = await object.fetchOne(deps.contextFor(connection, input.signal), change.id, { paths: recordPathsOf(mapping) });
  const runId = `run_${createHash('sha256').update(`${input.eventId}:${integration.id}:${change.id}`).digest('hex').slice(0, 32)}`;
  await applyChanges({
    store: deps.store,
    clock: deps.clock,
    integration,
    mapping,
    runId,
    records: record === null ? [] : [record],
    deletions: record === null ? [change.id] : [],
    resolvers: deps.resolvers,
  });
}

/**
 * The recovery sweep: events still pending or processing that were received more than
 * `olderThanMs` ago get their job again (a no-op while it is live, thanks to the
 * idempotency key). Covers a crash between an event's commit and its job's commit on
 * backends where the two are separate, and jobs dead-lettered by an outage. Returns how
 * many were re-enqueued or found live.
 */
export async function sweepPendingWebhookEvents(deps: { store: Store; queue: JobQueue; clock: Clock }, olderThanMs = 60_000, limit = 500): Promise<number> {
  const before = new Date(deps.clock.now() - olderThanMs).toISOString();
  const pending = await deps.store.webhooks.listPendingEvents(before, limit);
  if (pending.length === 0) return 0;
  await deps.queue.enqueueMany<WebhookEventJob>(
    WEBHOOK_EVENTS_QUEUE,
    pending.map((e) => ({
      payload: { eventId: e.id, tenantId: e.tenantId, registrationId: e.registrationId },
      options: { idempotencyKey: webhookJobKey(e.registrationId, e.id), correlationId: e.id },
    })),
  );
  return pending.length;
}
