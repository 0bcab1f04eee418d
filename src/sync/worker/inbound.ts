/**
 * The `sync-inbound` job handler: per-integration lease from Locks (renewed while the
 * run lasts; losing it aborts the run), the provider context for the connection, then
 * `runPull` under the run id the job names, fenced by the lease's token (a worker whose lease
 * lapsed cannot regress a run another took over). Retryable failures are rethrown for the queue
 * (which honours retryAfterMs); on the last attempt the run is ended as failed first. A
 * run that ends failed is rethrown as its error so the job is dead-lettered, classified.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Connection } from '../../domain/connection.ts';
import { ERROR_CATALOG, TributaryError, categoryOf, type ErrorCode } from '../../domain/errors.ts';
import type { Integration } from '../../domain/integration.ts';
import type { MappingDocument } from '../../domain/mapping.ts';
import { defaultMapping } from '../../mapping/index.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Job, JobHandler } from '../../ports/job-queue.ts';
import type { Locks } from '../../ports/locks.ts';
import type { Logger } from '../../ports/logger.ts';
import type { Store } from '../../ports/store.ts';
import type { ObjectDefinition, Provider, ProviderContext } from '../../providers/provider.ts';
import { runPull, toStoredError, type RunPullOptions } from '../pull/run-pull.ts';
import { finishRun } from '../runs/finish.ts';
import { runIdOfJob, type SyncJobPayload } from './job.ts';

const RETENTION = { resultTtlSeconds: 30 * 86_400, runRetentionMs: 30 * 86_400_000 };

export interface InboundDeps {
  readonly store: Store;
  readonly locks: Locks;
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly providerFor: (id: string) => Provider | undefined;
  /** The connections feature's context: credential (refreshing), limiter, egress. */
  readonly contextFor: (connection: Connection, signal: AbortSignal) => ProviderContext;
  readonly pageSize?: number;
  /** Lease length of the per-integration lock; renewed at a third of it. Default 60 s. */
  readonly lockTtlMs?: number;
  /** Told when a run left conflicts waiting for review (runPull's `onConflictsWaiting`). */
  readonly onConflictsWaiting?: RunPullOptions['onConflictsWaiting'];
  /** Resolvers registered in code, for integrations whose conflict strategy is `custom` with a `resolver`. */
  readonly resolvers?: RunPullOptions['resolvers'];
}

/** The object definition an integration names, by exact or case-insensitive name. */
export function objectOf(provider: Provider, name: string): ObjectDefinition | undefined {
  return provider.objectFor?.(name) ?? provider.objects.find((o) => o.name.toLowerCase() === name.toLowerCase());
}

/** The integration's mapping, or the provider object's default when it stores none. */
export function mappingOf(integration: Integration, providerId: string): MappingDocument {
  const stored = integration.mapping as unknown as MappingDocument;
  if (Array.isArray(stored.targets) && stored.targets.length > 0) return stored;
  const fallback = defaultMapping(providerId, integration.object);
  if (!fallback) throw new TributaryError('VALIDATION_FAILED', `No mapping for ${providerId} ${integration.object}`, { field: 'mapping' });
  return fallback;
}

export function createInboundHandler(deps: InboundDeps): JobHandler<SyncJobPayload> {
  const owner = `${hostname()}:${process.pid}:${randomUUID()}`;
  const ttl = deps.lockTtlMs ?? 60_000;
  return async (job: Job<SyncJobPayload>, signal: AbortSignal) => {
    const { tenantId, integrationId } = job.payload;
    const integration = await deps.store.integrations.get(tenantId, integrationId);
    if (integration === null || !integration.enabled || integration.direction === 'push') {
      deps.logger?.info({ integrationId }, 'sync job skipped: integration gone, disabled or push-only');
      // A manual run the API already announced must not stay `queued` for ever.
      const announced = integration === null ? null : await deps.store.runs.get(tenantId, runIdOfJob(job.id));
      if (announced && announced.finishedAt === null) {
        await finishRun(deps.store, {
          tenantId, integrationId, runId: announced.id, status: 'failed', error: { code: 'VALIDATION_FAILED', message: 'The integration is disabled or push-only' },
          counts: announced.counts, records: 0, startedMs: Date.parse(announced.startedAt), finishedMs: deps.clock.now(), retention: RETENTION,
        });
      }
      return;
    }
    const connection = await deps.store.connections.get(tenantId, integration.connectionId);
    if (connection === null) throw new TributaryError('NOT_FOUND', 'The integration\'s connection no longer exists');
    const provider = deps.providerFor(connection.provider);
    const object = provider && objectOf(provider, integration.object);
    if (!provider || !object) throw new TributaryError('VALIDATION_FAILED', `Unknown provider object ${connection.provider} ${integration.object}`, { field: 'object' });

    let lease = await deps.locks.acquire(`sync:${integrationId}`, owner, ttl);
    if (lease === null) throw new TributaryError('LOCK_NOT_HELD', 'Another worker is running this integration', { retryAfterMs: Math.ceil(ttl / 2) });
    const aborter = new AbortController();
    const stopOnJobAbort = (): void => aborter.abort();
    signal.addEventListener('abort', stopOnJobAbort, { once: true });
    const renewer = setInterval(() => {
      deps.locks.renew(lease!, ttl).then((renewed) => (lease = renewed), () => aborter.abort());
    }, Math.max(1000, Math.floor(ttl / 3)));
    const runId = runIdOfJob(job.id);
    try {
      const outcome = await runPull({
        store: deps.store, clock: deps.clock, integration, mapping: mappingOf(integration, provider.id), object,
        ctx: deps.contextFor(connection, aborter.signal), runId, trigger: job.payload.trigger, fullResync: job.payload.fullResync, fence: lease.token,
        pageSize: deps.pageSize, signal: aborter.signal, logger: deps.logger, onConflictsWaiting: deps.onConflictsWaiting, resolvers: deps.resolvers,
      });
      // An error ended the run (failed, or partial after some pages): dead-letter the job with it.
      if (outcome.error) throw new TributaryError(isCode(outcome.error.code) ? outcome.error.code : 'INTERNAL', outcome.error.message);
    } catch (error) {
      const retryable = categoryOf(error) === 'transient' || categoryOf(error) === 'rate_limit';
      if (retryable && job.attempt >= job.maxAttempts) {
        const run = await deps.store.runs.get(tenantId, runId);
        if (run && run.finishedAt === null) {
          const now = deps.clock.now();
          await finishRun(deps.store, {
            tenantId, integrationId, runId, status: run.pages > 0 ? 'partial' : 'failed', error: toStoredError(error), counts: run.counts,
            records: run.recordsSoFar, startedMs: Date.parse(run.startedAt), finishedMs: now, retention: RETENTION, fence: lease.token,
          });
        }
      }
      throw error;
    } finally {
      clearInterval(renewer);
      signal.removeEventListener('abort', stopOnJobAbort);
      await deps.locks.release(lease).catch(() => undefined);
    }
  };
}

function isCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CATALOG, code);
}
