/**
 * The `sync-outbound` job handler (the reference's SyncOutboundWorker): one outbox row
 * pushes its entity's CURRENT state to every external record linked to it whose
 * integration allows push (direction push or bidirectional, enabled), under a
 * per-entity lease so that two rows of one entity never push at once. Reading the current
 * state, not the row's values, makes rows of one entity order-free and a replay a no-op
 * (links already in sync write nothing).
 *
 * - updates: push-link.ts (precondition, re-read and conflict resolution on 412);
 * - creates: a host-made entity (`source.kind: api`) is created at each integration with
 *   `push.createInProvider` that has no link for it yet (create-remote.ts);
 * - deletes: a host delete deletes the linked records where `push.deleteInProvider`.
 * A change that came from one provider (a pull) reaches the other linked providers the
 * same way: the pull adds an outbox row (propagate.ts); its own link is already in sync.
 *
 * Retryable errors (rate limits, 5xx, a lease held elsewhere) fail the job for the
 * queue to retry, honouring retryAfterMs. Permanent ones (the provider refused the data)
 * are recorded on the row (`outcome`, visible through `GET /v1/outbox`) after the other
 * links were pushed, and the job is dead-lettered with the provider's message; a replay
 * pushes again. A processed row is never pushed twice.
 */
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import type { Connection } from '../../domain/connection.ts';
import { TributaryError, categoryOf, isTributaryError, type ErrorCode } from '../../domain/errors.ts';
import type { Entity } from '../../domain/entity.ts';
import type { Integration } from '../../domain/integration.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Job, JobHandler } from '../../ports/job-queue.ts';
import type { Locks } from '../../ports/locks.ts';
import type { Logger } from '../../ports/logger.ts';
import type { OutboxRow, PushTarget, Store } from '../../ports/store.ts';
import { entityWriteBatch } from '../../ports/store-sync.ts';
import type { ObjectDefinition, Provider, ProviderContext } from '../../providers/provider.ts';
import { parseConflictPolicy, type ConflictPolicy, type ResolverRegistry } from '../conflicts/index.ts';
import { mappingOf, objectOf } from '../worker/inbound.ts';
import { createRemote, type CreateOutcome } from './create-remote.ts';
import type { PushJobPayload } from './job.ts';
import { pushLink, type LinkOutcome } from './push-link.ts';
import { pushMappingOf, type PushMapping } from './record-view.ts';
import { allowsPush, pushSettingsOf, type PushSettings } from './settings.ts';

export interface OutboundDeps {
  readonly store: Store;
  readonly locks: Locks;
  readonly clock: Clock;
  readonly logger?: Logger;
  readonly providerFor: (id: string) => Provider | undefined;
  /** The connections feature's context: credential (refreshing), rate limiter, retries, egress. */
  readonly contextFor: (connection: Connection, signal: AbortSignal) => ProviderContext;
  readonly resolvers?: ResolverRegistry;
  /** How long processed outbox rows are kept. Default 7 days. */
  readonly retentionMs?: number;
  /** Lease of the per-entity lock. Default 60 s. */
  readonly lockTtlMs?: number;
}

/** Everything a push through one integration needs, built once per job. */
interface PushEnv {
  readonly integration: Integration;
  readonly connection: Connection;
  readonly provider: Provider;
  readonly object: ObjectDefinition;
  readonly mapping: PushMapping;
  readonly policy: ConflictPolicy;
  readonly settings: PushSettings;
  readonly ctx: ProviderContext;
}

export interface PushOutcome {
  readonly status: 'done' | 'entity_gone' | 'merged';
  readonly links: LinkOutcome[];
  readonly creates: CreateOutcome[];
  readonly deletes: { integrationId: string; externalId: string }[];
  readonly errors: { linkId?: string; integrationId: string; code: ErrorCode; message: string }[];
}

const DEFAULT_RETENTION_MS = 7 * 86_400_000;

export function createOutboundHandler(deps: OutboundDeps): JobHandler<PushJobPayload> {
  const owner = `${hostname()}:${process.pid}:${randomUUID()}`;
  const ttl = deps.lockTtlMs ?? 60_000;
  return async (job: Job<PushJobPayload>, signal: AbortSignal) => {
    const { tenantId, outboxId, entityId } = job.payload;
    const row = await deps.store.outbox.get(tenantId, outboxId);
    if (row === null || row.processedAt !== null) return;
    const lease = await deps.locks.acquire(`push:${entityId}`, owner, ttl);
    if (lease === null) throw new TributaryError('LOCK_NOT_HELD', `Entity ${entityId} is being pushed by another worker`, { retryAfterMs: 1_000 });
    try {
      const outcome = await pushEntity(deps, row, signal);
      const first = outcome.errors[0];
      if (first !== undefined) {
        await deps.store.outbox.recordOutcome(tenantId, outboxId, { ...outcome, attempt: job.attempt });
        throw new TributaryError(first.code, first.message, { details: { outboxId, failed: outcome.errors.length } });
      }
      const now = deps.clock.now();
      await deps.store.outbox.markProcessed(tenantId, outboxId, new Date(now).toISOString(), { ...outcome }, new Date(now + (deps.retentionMs ?? DEFAULT_RETENTION_MS)).toISOString());
    } finally {
      await deps.locks.release(lease).catch(() => undefined);
    }
  };
}

/** Pushes one outbox row's entity to all its push targets (see the module comment). */
export async function pushEntity(deps: OutboundDeps, row: OutboxRow, signal: AbortSignal): Promise<PushOutcome> {
  const outcome: PushOutcome = { status: 'done', links: [], creates: [], deletes: [], errors: [] };
  const entity = await deps.store.entities.get(row.tenantId, row.entityId);
  if (entity === null) return { ...outcome, status: 'entity_gone' };
  if (entity.mergedInto !== null) return { ...outcome, status: 'merged' };
  const envs = new Map<string, PushEnv | null>();
  const envFor = async (integrationId: string): Promise<PushEnv | null> => {
    if (!envs.has(integrationId)) {
      envs.set(integrationId, null);
      // An integration whose settings do not parse is reported; the others still push.
      await guarded(integrationId, undefined, async () => void envs.set(integrationId, await buildEnv(deps, row.tenantId, integrationId, signal)));
    }
    return envs.get(integrationId)!;
  };
  async function guarded(integrationId: string, linkId: string | undefined, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      const category = categoryOf(error);
      if (category === 'transient' || category === 'rate_limit' || !isTributaryError(error)) throw error;
      outcome.errors.push({ ...(linkId === undefined ? {} : { linkId }), integrationId, code: error.code, message: error.message });
      deps.logger?.warn({ integrationId, linkId, code: error.code }, 'push refused for good');
    }
  }
  const targets = await deps.store.outbox.pushTargets(row.tenantId, row.entityId);
  for (const target of targets) {
    if (target.integrationId === null) continue;
    const env = await envFor(target.integrationId);
    if (env === null || target.object !== env.mapping.object) continue;
    await guarded(env.integration.id, target.linkId, async () => {
      if (entity.deletedAt !== null) {
        if (row.change.op === 'delete' && env.settings.deleteInProvider) outcome.deletes.push(await deleteRemote(deps, env, target, row));
        return;
      }
      if (target.baseSnapshot === null || !env.object.update) return;
      outcome.links.push(await pushLink({ ...env, store: deps.store, clock: deps.clock, providerId: env.provider.id, resolvers: deps.resolvers, outboxId: row.id }, target, entity));
    });
  }
  const source = row.change.source as { kind?: string } | undefined;
  if (row.change.op === 'create' && source?.kind === 'api' && entity.deletedAt === null) {
    for (const env of await createTargets(deps, envFor, entity, targets)) {
      await guarded(env.integration.id, undefined, async () => {
        outcome.creates.push(await createRemote({ ...env, store: deps.store, clock: deps.clock, connectionId: env.connection.id, outboxId: row.id }, entity));
      });
    }
  }
  return outcome;
}

/** Integrations that create this entity at their provider: createInProvider, the entity's type, no link yet. */
async function createTargets(deps: OutboundDeps, envFor: (id: string) => Promise<PushEnv | null>, entity: Entity, targets: readonly PushTarget[]): Promise<PushEnv[]> {
  const out: PushEnv[] = [];
  let cursor: string | null | undefined;
  do {
    const page = await deps.store.integrations.list(entity.tenantId, { limit: 100, ...(cursor ? { cursor } : {}) });
    for (const integration of page.items) {
      if (!allowsPush(integration) || integration.conflictStrategy.push === undefined) continue;
      const env = await envFor(integration.id);
      if (env === null || !env.settings.createInProvider || env.mapping.entityType !== entity.type || !env.object.create) continue;
      if (targets.some((t) => t.connectionId === env.connection.id && t.object === env.mapping.object)) continue;
      out.push(env);
    }
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

async function deleteRemote(deps: OutboundDeps, env: PushEnv, target: PushTarget, row: OutboxRow): Promise<{ integrationId: string; externalId: string }> {
  if (!env.object.delete) throw new TributaryError('PROVIDER_REJECTED', `${env.provider.label} ${env.object.name} cannot be deleted through its API`);
  await env.object.delete(env.ctx, target.recordId ?? target.externalId);
  const at = new Date(deps.clock.now()).toISOString();
  await deps.store.entities.applyBatch(entityWriteBatch(row.tenantId, at, {
    linkUpdates: [{ id: target.linkId, recordId: target.recordId, remoteVersion: target.remoteVersion, baseSnapshot: target.baseSnapshot, tombstonedAt: at }],
  }));
  return { integrationId: env.integration.id, externalId: target.externalId };
}

/** Null when the integration is gone, disabled, pull-only, or its provider object unknown. */
async function buildEnv(deps: OutboundDeps, tenantId: string, integrationId: string, signal: AbortSignal): Promise<PushEnv | null> {
  const integration = await deps.store.integrations.get(tenantId, integrationId);
  if (integration === null || !allowsPush(integration)) return null;
  const connection = await deps.store.connections.get(tenantId, integration.connectionId);
  const provider = connection && deps.providerFor(connection.provider);
  const object = provider && objectOf(provider, integration.object);
  if (!connection || !provider || !object) return null;
  const mapping = cachedMapping(integration, provider.id);
  const policy = parseConflictPolicy(integration.conflictStrategy, integration.fieldOwnership);
  return { integration, connection, provider, object, mapping, policy, settings: pushSettingsOf(integration), ctx: deps.contextFor(connection, signal) };
}

/**
 * Compiled push mappings by integration and revision: every job reads the integration
 * afresh (a new mapping object each time), and compiling per job would cost more than
 * the job's store work. Bounded: the oldest entry goes first.
 */
const mappings = new Map<string, PushMapping>();
const MAX_CACHED_MAPPINGS = 500;

function cachedMapping(integration: Integration, providerId: string): PushMapping {
  const key = `${integration.id}\u0000${integration.mappingVersion}\u0000${integration.updatedAt}`;
  let mapping = mappings.get(key);
  if (mapping === undefined) {
    mapping = pushMappingOf(mappingOf(integration, providerId));
    if (mappings.size >= MAX_CACHED_MAPPINGS) mappings.delete(mappings.keys().next().value!);
    mappings.set(key, mapping);
  }
  return mapping;
}
