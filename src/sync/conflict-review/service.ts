/**
 * The conflict review queue as the API serves it: conflicts with their base, local and
 * remote values side by side; a person's decision, after which the sync of those fields
 * completes in ONE transaction (the entity updated with a feed entry, the link's base
 * and version advanced, an outbox row queued so the chosen value reaches the provider,
 * the conflict closed); dismissal; and bulk decisions.
 */
import { TributaryError, isTributaryError } from '../../domain/errors.ts';
import type { ConflictFieldRecord, ConflictPayload, ConflictResolutionRecord } from '../../domain/conflict.ts';
import type { ConflictReview, ConflictStatus } from '../../domain/review.ts';
import type { Clock } from '../../ports/clock.ts';
import type { ConflictFilter, Page, Repositories, Store } from '../../ports/store.ts';
import { choicesFor, decideReview, isEmpty, type FieldEquals, type ReviewRequest } from '../conflicts/index.ts';
import { orderedId } from '../pull/ordered-id.ts';
import { OUTBOX_ID_PREFIX } from '../push/job.ts';

/** One field of a conflict, the three values side by side. */
export interface ConflictFieldView extends ConflictFieldRecord {
  readonly field: string;
}

export interface ConflictView {
  readonly id: string;
  readonly status: ConflictStatus;
  readonly entityId: string | null;
  readonly integrationId: string | null;
  readonly provider: string | null;
  readonly connectionId: string | null;
  readonly object: string | null;
  readonly externalId: string | null;
  readonly remoteVersion: string | null;
  /** The run that found it (null: found by a push). */
  readonly runId: string | null;
  readonly fields: ConflictFieldView[];
  readonly resolution: Record<string, unknown> | null;
  readonly createdAt: string;
  readonly resolvedAt: string | null;
}

export interface BulkResolution {
  readonly ids: readonly string[];
  /** A side for every field of every conflict, or `dismiss`. */
  readonly resolution: 'local' | 'remote' | 'dismiss';
}

export interface BulkItemResult {
  readonly id: string;
  readonly status: 'resolved' | 'dismissed' | 'failed';
  readonly error?: { readonly code: string; readonly message: string };
}

/** At most this many ids in one bulk request. */
export const MAX_BULK_CONFLICTS = 100;

/** The payload as stored, read defensively (rows written by the pull step or the push). */
function payloadOf(row: ConflictReview): Partial<ConflictPayload> {
  return row.payload as Partial<ConflictPayload>;
}

export function conflictView(row: ConflictReview): ConflictView {
  const p = payloadOf(row);
  const fields = Object.entries(p.fields ?? {}).map(([field, f]) => ({ field, ...f }));
  return {
    id: row.id, status: row.status, entityId: row.entityId, integrationId: row.integrationId, provider: p.provider ?? null,
    connectionId: p.connectionId ?? null, object: p.object ?? null, externalId: p.externalId ?? null, remoteVersion: p.remoteVersion ?? null,
    runId: p.runId ?? null, fields, resolution: row.resolution, createdAt: row.createdAt, resolvedAt: row.resolvedAt,
  };
}

const notFound = (id: string): TributaryError => new TributaryError('NOT_FOUND', `Conflict ${id} not found`, { field: 'params.conflictId' });

export class ConflictReviewService {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #equals: FieldEquals | undefined;

  constructor(deps: { readonly store: Store; readonly clock: Clock; readonly equals?: FieldEquals }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#equals = deps.equals;
  }

  async list(tenantId: string, filter: ConflictFilter): Promise<Page<ConflictView>> {
    const page = await this.#store.conflicts.list(tenantId, filter);
    return { items: page.items.map(conflictView), nextCursor: page.nextCursor };
  }

  async get(tenantId: string, id: string): Promise<ConflictView> {
    const row = await this.#store.conflicts.get(tenantId, id);
    if (row === null) throw notFound(id);
    return conflictView(row);
  }

  /**
   * Decides an open conflict. Errors: NOT_FOUND (no such conflict in this tenant),
   * VALIDATION_FAILED naming `body.resolution` / `body.fields.<name>`, CONFLICT (already
   * closed; or the entity, the link or a field changed since it was recorded).
   */
  async resolve(tenantId: string, id: string, request: ReviewRequest, by: string): Promise<ConflictView> {
    const row = await this.#store.conflicts.get(tenantId, id);
    if (row === null) throw notFound(id);
    // Bad input is refused before anything is locked; inside, the row as it is now decides.
    choicesOf(row, request);
    return this.#store.transaction(async (tx) => {
      const current = await open(tx, tenantId, id);
      const payload = payloadOf(current);
      const fields = payload.fields ?? {};
      const choices = choicesOf(current, request);
      if (current.entityId === null || payload.linkId === undefined) throw new TributaryError('CONFLICT', `Conflict ${id} names no entity link; dismiss it`);
      const entity = await tx.entities.get(tenantId, current.entityId);
      if (entity === null || entity.deletedAt !== null) throw new TributaryError('CONFLICT', `The entity of conflict ${id} was deleted; dismiss the conflict`);
      const link = (await tx.entities.linksOf(tenantId, entity.id)).find((l) => l.id === payload.linkId);
      if (link === undefined || link.tombstonedAt !== null) throw new TributaryError('CONFLICT', `The external record of conflict ${id} is gone; dismiss the conflict`);
      const outcome = decideReview({ fields, choices, currentLocal: entity.fields, by, equals: this.#equals });

      const at = new Date(this.#clock.now()).toISOString();
      const baseSnapshot: Record<string, unknown> = { ...(link.baseSnapshot ?? {}) };
      for (const [field, value] of Object.entries(outcome.base)) {
        if (isEmpty(value)) delete baseSnapshot[field];
        else baseSnapshot[field] = value;
      }
      const changed = Object.keys(outcome.toLocal).length > 0;
      const entityFields = { ...entity.fields };
      for (const [field, value] of Object.entries(outcome.toLocal)) {
        if (value === null) delete entityFields[field];
        else entityFields[field] = value;
      }
      const version = changed ? entity.version + 1 : entity.version;
      const source = { kind: 'conflict', conflictId: id, integrationId: current.integrationId };
      // Local changes reach every linked system; chosen local values reach this provider.
      const outgoing = { ...outcome.toRemote, ...outcome.toLocal };
      const outboxId = Object.keys(outgoing).length > 0 ? orderedId(OUTBOX_ID_PREFIX) : null;
      const change = { op: 'update', type: entity.type, fields: outgoing, version, source };
      await tx.entities.applyBatch({
        tenantId, at, entityInserts: [],
        entityUpdates: changed ? [{ id: entity.id, fields: entityFields, version, deletedAt: null }] : [],
        linkInserts: [],
        // The remote values recorded came with this version; while the conflict was open the link kept the older one.
        linkUpdates: [{ id: link.id, recordId: null, remoteVersion: versionAfter(payload, link.remoteVersion), baseSnapshot, tombstonedAt: null }],
        relationships: [],
        changes: changed ? [{ entityId: entity.id, change: { ...change, fields: outcome.toLocal } }] : [],
        matchKeys: [], reviews: [],
        outbox: outboxId === null ? [] : [{ id: outboxId, entityId: entity.id, change }],
      });
      const resolution: ConflictResolutionRecord = { kind: 'manual', by, at, fields: outcome.decisions, outboxId };
      const closed = await tx.conflicts.close(tenantId, id, { status: 'resolved', resolution: resolution as unknown as Record<string, unknown>, resolvedAt: at });
      if (closed === null) throw alreadyClosed(id);
      return conflictView(closed);
    });
  }

  /** Closes an open conflict without a decision: values stay as they are; a later change of the record raises it again. */
  async dismiss(tenantId: string, id: string, by: string): Promise<ConflictView> {
    const at = new Date(this.#clock.now()).toISOString();
    const resolution: ConflictResolutionRecord = { kind: 'dismissed', by, at, fields: {} };
    const closed = await this.#store.conflicts.close(tenantId, id, { status: 'dismissed', resolution: resolution as unknown as Record<string, unknown>, resolvedAt: at });
    if (closed !== null) return conflictView(closed);
    const row = await this.#store.conflicts.get(tenantId, id);
    if (row === null) throw notFound(id);
    throw alreadyClosed(id);
  }

  /** Decides or dismisses each conflict on its own: one failing (already closed, stale, foreign) does not stop the others. */
  async resolveMany(tenantId: string, bulk: BulkResolution, by: string): Promise<BulkItemResult[]> {
    if (bulk.ids.length === 0 || bulk.ids.length > MAX_BULK_CONFLICTS) {
      throw new TributaryError('VALIDATION_FAILED', `ids: between 1 and ${MAX_BULK_CONFLICTS} conflict ids`, { field: 'body.ids' });
    }
    const results: BulkItemResult[] = [];
    for (const id of new Set(bulk.ids)) {
      try {
        if (bulk.resolution === 'dismiss') await this.dismiss(tenantId, id, by);
        else await this.resolve(tenantId, id, { resolution: bulk.resolution }, by);
        results.push({ id, status: bulk.resolution === 'dismiss' ? 'dismissed' : 'resolved' });
      } catch (error) {
        if (!isTributaryError(error)) throw error;
        results.push({ id, status: 'failed', error: { code: error.code, message: error.message } });
      }
    }
    return results;
  }
}

/**
 * The link's version after a decision: the version the conflict's remote values came
 * with, unless the link moved on since (a push or another sync recorded a newer one).
 */
function versionAfter(payload: Partial<ConflictPayload>, current: string | null): string | null {
  if (payload.remoteVersion === undefined || payload.remoteVersion === null) return current;
  if (payload.linkVersion !== undefined && payload.linkVersion !== current && payload.remoteVersion !== current) return current;
  return payload.remoteVersion;
}

async function open(tx: Repositories, tenantId: string, id: string): Promise<ConflictReview> {
  const row = await tx.conflicts.get(tenantId, id);
  if (row === null) throw notFound(id);
  if (row.status !== 'open') throw alreadyClosed(id);
  return row;
}

function alreadyClosed(id: string): TributaryError {
  return new TributaryError('CONFLICT', `Conflict ${id} is already closed`, { field: 'params.conflictId' });
}

/** The choice per field of the conflict; validation errors name the request field (`body.fields.x`). */
function choicesOf(row: ConflictReview, request: ReviewRequest): ReturnType<typeof choicesFor> {
  try {
    return choicesFor(Object.keys(payloadOf(row).fields ?? {}), request);
  } catch (error) {
    throw prefixed(error, 'body.');
  }
}

/** The same validation error with its field named as the API sees it (`body.fields.x`). */
function prefixed(error: unknown, prefix: string): unknown {
  if (!isTributaryError(error) || error.code !== 'VALIDATION_FAILED' || error.field === undefined) return error;
  return new TributaryError('VALIDATION_FAILED', error.message, { field: `${prefix}${error.field}` });
}
