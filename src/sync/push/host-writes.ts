/**
 * Writes of the host product through the API: create, patch and delete entities, one at
 * a time or in bulk. Each write is ONE store transaction that changes the entity, appends
 * the change-feed entry and adds the outbox row the outbound worker pushes from
 * (`EntityWriteBatch.outbox`); the row is handed to the queue right after the commit
 * (relay.ts; the worker's relay loop catches up if that fails).
 *
 * Optimistic concurrency: `expectedVersion` (the API's If-Match) must equal the stored
 * version, else CONFLICT with the current version in `details`. A patch that changes
 * nothing writes nothing (no version bump, no feed row, no outbox row), so retrying a
 * PATCH is harmless. Deletes are soft (the entity stays readable with `deletedAt`), and
 * deleting a deleted entity is a no-op.
 */
import { TributaryError } from '../../domain/errors.ts';
import type { Entity } from '../../domain/entity.ts';
import type { Clock } from '../../ports/clock.ts';
import type { JobQueue } from '../../ports/job-queue.ts';
import type { Logger } from '../../ports/logger.ts';
import type { EntityWriteBatch, OutboxRow, Repositories, Store } from '../../ports/store.ts';
import { DEDUP_ENTITY_TYPES, matchKeysOf } from '../pull/match-keys.ts';
import { orderedId } from '../pull/ordered-id.ts';
import { OUTBOX_ID_PREFIX } from './job.ts';
import { relayRows } from './relay.ts';
import { checkBulkItem, checkFields, checkType, type BulkItem } from './host-validation.ts';

export type { BulkItem } from './host-validation.ts';

/** Match keys of host-made entities are filed under this source, so pulls deduplicate against them. */
export const HOST_SOURCE = { connectionId: 'host', object: 'host' } as const;

/** The outcome of one bulk item: the entity written (or left as it was), or the error. */
export type BulkResult =
  | { readonly index: number; readonly status: 'created' | 'updated' | 'deleted' | 'unchanged'; readonly entity: Entity }
  | { readonly index: number; readonly status: 'failed'; readonly error: { readonly code: string; readonly message: string; readonly field?: string } };

export interface HostWriteDeps {
  readonly store: Store;
  readonly queue: JobQueue;
  readonly clock: Clock;
  readonly logger?: Logger;
}

/** At most this many items per bulk call. */
export const MAX_BULK_ITEMS = 500;

type Op = { kind: 'create'; type: string; fields: Record<string, unknown> } | { kind: 'update'; id: string; fields: Record<string, unknown>; expectedVersion?: number } | { kind: 'delete'; id: string; expectedVersion?: number };

/** Builds one transaction's batch from several operations, each checked against the entity as the transaction sees it. */
class HostBatch {
  readonly inserts: { id: string; type: string; fields: Record<string, unknown> }[] = [];
  readonly updates: { id: string; fields: Record<string, unknown>; version: number; deletedAt: string | null }[] = [];
  readonly changes: { entityId: string; change: Record<string, unknown> }[] = [];
  readonly outbox: { id: string; entityId: string; change: Record<string, unknown> }[] = [];
  readonly matchKeys: EntityWriteBatch['matchKeys'][number][] = [];
  /** Entities as this batch leaves them (a bulk may touch one entity twice). */
  readonly #seen = new Map<string, Entity>();
  readonly #tenantId: string;
  readonly #at: string;

  constructor(tenantId: string, at: string) {
    this.#tenantId = tenantId;
    this.#at = at;
  }

  async apply(tx: Repositories, op: Op): Promise<{ status: 'created' | 'updated' | 'deleted' | 'unchanged'; entity: Entity }> {
    if (op.kind === 'create') {
      const entity: Entity = { id: orderedId('ent'), tenantId: this.#tenantId, type: op.type, fields: withoutNulls(op.fields), version: 1, createdAt: this.#at, updatedAt: this.#at, deletedAt: null, mergedInto: null };
      this.inserts.push({ id: entity.id, type: entity.type, fields: entity.fields });
      this.#announce(entity, { op: 'create', type: entity.type, fields: entity.fields, version: 1 });
      this.#keys(entity);
      this.#seen.set(entity.id, entity);
      return { status: 'created', entity };
    }
    const current = await this.#current(tx, op.id);
    if (op.expectedVersion !== undefined && op.expectedVersion !== current.version) {
      throw new TributaryError('CONFLICT', `Entity ${op.id} is at version ${current.version}, not ${op.expectedVersion}`, {
        field: 'expectedVersion', details: { entityId: op.id, currentVersion: current.version, expectedVersion: op.expectedVersion },
      });
    }
    if (op.kind === 'delete') {
      if (current.deletedAt !== null) return { status: 'unchanged', entity: current };
      const entity: Entity = { ...current, version: current.version + 1, deletedAt: this.#at, updatedAt: this.#at };
      this.#update(entity);
      this.#announce(entity, { op: 'delete', type: entity.type, fields: {}, version: entity.version });
      return { status: 'deleted', entity };
    }
    if (current.deletedAt !== null) throw new TributaryError('NOT_FOUND', `Entity ${op.id} is deleted`, { field: 'params.entityId' });
    const fields = mergePatch(current.fields, op.fields);
    const changed = changedFields(current.fields, fields);
    if (Object.keys(changed).length === 0) return { status: 'unchanged', entity: current };
    const entity: Entity = { ...current, fields, version: current.version + 1, updatedAt: this.#at };
    this.#update(entity);
    this.#announce(entity, { op: 'update', type: entity.type, fields: changed, version: entity.version });
    this.#keys(entity);
    return { status: 'updated', entity };
  }

  batch(): EntityWriteBatch {
    return {
      tenantId: this.#tenantId, at: this.#at, entityInserts: this.inserts, entityUpdates: this.updates, linkInserts: [], linkUpdates: [],
      relationships: [], changes: this.changes, matchKeys: this.matchKeys, reviews: [], outbox: this.outbox,
    };
  }

  async #current(tx: Repositories, id: string): Promise<Entity> {
    const entity = this.#seen.get(id) ?? (await tx.entities.get(this.#tenantId, id));
    if (entity === null) throw new TributaryError('NOT_FOUND', `Entity ${id} not found`, { field: 'params.entityId' });
    if (entity.mergedInto !== null) {
      throw new TributaryError('CONFLICT', `Entity ${id} was merged into ${entity.mergedInto}; write to that one`, { field: 'params.entityId', details: { entityId: id, mergedInto: entity.mergedInto } });
    }
    return entity;
  }

  #update(entity: Entity): void {
    const inserted = this.inserts.find((e) => e.id === entity.id);
    if (inserted) inserted.fields = entity.fields;
    this.updates.push({ id: entity.id, fields: entity.fields, version: entity.version, deletedAt: entity.deletedAt });
    this.#seen.set(entity.id, entity);
  }

  #announce(entity: Entity, change: Record<string, unknown>): void {
    const full = { ...change, source: { kind: 'api' } };
    this.changes.push({ entityId: entity.id, change: full });
    this.outbox.push({ id: orderedId(OUTBOX_ID_PREFIX), entityId: entity.id, change: full });
  }

  #keys(entity: Entity): void {
    if (!DEDUP_ENTITY_TYPES.has(entity.type)) return;
    const keys = matchKeysOf(entity.type, entity.fields);
    for (const key of [...keys.exact, ...keys.block]) this.matchKeys.push({ entityType: entity.type, key, entityId: entity.id, ...HOST_SOURCE });
  }
}

/** The host product's entity writes (see the module comment). */
export class HostWriteService {
  readonly #deps: HostWriteDeps;

  constructor(deps: HostWriteDeps) {
    this.#deps = deps;
  }

  async create(tenantId: string, input: { type: unknown; fields: unknown }): Promise<Entity> {
    const op: Op = { kind: 'create', type: checkType(input.type, 'body.type'), fields: checkFields(input.fields, 'body.fields') };
    return (await this.#run(tenantId, [op]))[0]!.entity;
  }

  async update(tenantId: string, id: string, input: { fields: unknown; expectedVersion?: number }): Promise<Entity> {
    const op: Op = { kind: 'update', id, fields: checkFields(input.fields, 'body.fields'), ...(input.expectedVersion === undefined ? {} : { expectedVersion: input.expectedVersion }) };
    return (await this.#run(tenantId, [op]))[0]!.entity;
  }

  async delete(tenantId: string, id: string, expectedVersion?: number): Promise<Entity> {
    return (await this.#run(tenantId, [{ kind: 'delete', id, ...(expectedVersion === undefined ? {} : { expectedVersion }) }]))[0]!.entity;
  }

  /**
   * Several writes in ONE transaction, each with its own result: an item that fails
   * (bad input, not found, version conflict) is reported and skipped, the others commit.
   */
  async bulk(tenantId: string, items: readonly unknown[]): Promise<BulkResult[]> {
    if (items.length === 0 || items.length > MAX_BULK_ITEMS) {
      throw new TributaryError('VALIDATION_FAILED', `Give 1 to ${MAX_BULK_ITEMS} items`, { field: 'body.items' });
    }
    const results: BulkResult[] = [];
    const ops: { index: number; op: Op }[] = [];
    items.forEach((item, index) => {
      try {
        ops.push({ index, op: toOp(checkBulkItem(item, `body.items[${index}]`)) });
      } catch (error) {
        results.push(failure(index, error));
      }
    });
    const { batch, outcomes } = await this.#transaction(tenantId, async (tx, hostBatch) => {
      const out: BulkResult[] = [];
      for (const { index, op } of ops) {
        try {
          out.push({ index, ...(await hostBatch.apply(tx, op)) });
        } catch (error) {
          out.push(failure(index, error));
        }
      }
      return out;
    });
    await this.#relay(tenantId, batch);
    return [...results, ...outcomes].sort((a, b) => a.index - b.index);
  }

  /** The tenant's outbox rows, newest first (`pending`: not yet processed). */
  outbox(tenantId: string, options: { pending?: boolean; limit?: number } = {}): Promise<OutboxRow[]> {
    return this.#deps.store.outbox.list(tenantId, options);
  }

  async #run(tenantId: string, ops: Op[]): Promise<{ status: string; entity: Entity }[]> {
    const { batch, outcomes } = await this.#transaction(tenantId, async (tx, hostBatch) => {
      const out: { status: string; entity: Entity }[] = [];
      for (const op of ops) out.push(await hostBatch.apply(tx, op));
      return out;
    });
    await this.#relay(tenantId, batch);
    return outcomes;
  }

  async #transaction<T>(tenantId: string, work: (tx: Repositories, batch: HostBatch) => Promise<T>): Promise<{ at: string; batch: EntityWriteBatch; outcomes: T }> {
    const at = new Date(this.#deps.clock.now()).toISOString();
    return this.#deps.store.transaction(async (tx) => {
      const hostBatch = new HostBatch(tenantId, at);
      const outcomes = await work(tx, hostBatch);
      const batch = hostBatch.batch();
      if (batch.changes.length > 0) await tx.entities.applyBatch(batch);
      return { at, batch, outcomes };
    });
  }

  /** Hands the committed outbox rows to the queue; on failure the relay loop picks them up later. */
  async #relay(tenantId: string, batch: EntityWriteBatch): Promise<void> {
    const rows = (batch.outbox ?? []).map((o) => ({ id: o.id, tenantId, entityId: o.entityId }));
    try {
      await relayRows(this.#deps, rows);
    } catch (error) {
      this.#deps.logger?.warn({ err: error, rows: rows.length }, 'outbox rows not relayed now; the outbound worker relays them');
    }
  }
}

function toOp(item: BulkItem): Op {
  if (item.op === 'create') return { kind: 'create', type: item.type, fields: item.fields };
  const version = item.expectedVersion === undefined ? {} : { expectedVersion: item.expectedVersion };
  if (item.op === 'update') return { kind: 'update', id: item.id, fields: item.fields, ...version };
  return { kind: 'delete', id: item.id, ...version };
}

function failure(index: number, error: unknown): BulkResult {
  if (error instanceof TributaryError) {
    return { index, status: 'failed', error: { code: error.code, message: error.message, ...(error.field === undefined ? {} : { field: error.field }) } };
  }
  throw error;
}

/** A merge patch: a null removes the field, any other value replaces it; fields the patch leaves out stay as they are. */
function mergePatch(fields: Readonly<Record<string, unknown>>, patch: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out = { ...fields };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || value === undefined) delete out[key];
    else out[key] = value;
  }
  return out;
}

/** A created entity holds no nulls: a null says "no value", as an absent field does. */
function withoutNulls(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) if (value !== null && value !== undefined) out[key] = value;
  return out;
}

function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(after)) if (JSON.stringify(before[key]) !== JSON.stringify(value)) out[key] = value;
  for (const key of Object.keys(before)) if (!(key in after)) out[key] = null;
  return out;
}
