/**
 * The pull writer's conflict step: when a pulled record updates an entity whose values
 * changed since the link's base snapshot (a host-product write, or another provider's),
 * the record goes through three-way detection (`sync/conflicts`) instead of simply
 * overwriting the entity. Only fields changed on both sides since the base conflict; the
 * integration's strategy (per-field overrides, ownership) decides them; `manual` ones are
 * held in the review queue with the entity's value left as it is.
 *
 * Cost: a record whose entity still equals the link's base (the common case) is found
 * by an in-memory comparison and never reaches `resolve`; the one store read (open
 * conflicts of entities with local changes) is batched per page, and skipped when none.
 *
 * Echoes: a pulled record equal to the base (what the push recorded) is no remote change,
 * so it changes nothing on the entity; only the link's version moves.
 *
 * The step writes locally only (`direction: 'pull'` for `resolve`): a value that must go
 * out to the provider keeps the provider's value as the field's base, so the pending
 * local change is pushed by the outbound worker (the entity's write already queued it),
 * and is detected again, not lost, if the provider changes the field first.
 */
import type { ConflictFieldRecord, ConflictPayload, ConflictPolicy, ConflictRecord, ConflictResolutionRecord } from '../../domain/conflict.ts';
import type { Integration, SyncDirection } from '../../domain/integration.ts';
import type { MappingDocument } from '../../domain/mapping.ts';
import type { ConflictReview } from '../../domain/review.ts';
import type { LinkedEntity, Repositories } from '../../ports/store.ts';
import { entityWriteBatch } from '../../ports/store-sync.ts';
import { OUTBOX_ID_PREFIX } from '../push/job.ts';
import { orderedId } from './ordered-id.ts';
import { deepEqual, parseConflictPolicy, resolve, type FieldEquals, type FieldPatch, type ResolverRegistry } from '../conflicts/index.ts';

export interface ConflictStepOptions {
  readonly tenantId: string;
  readonly integrationId: string;
  readonly connectionId: string;
  readonly runId: string;
  readonly at: string;
  /** The provider: the remote system's name for `custom` priorities and the stored conflicts. */
  readonly provider: string;
  readonly policy: ConflictPolicy;
  readonly direction: SyncDirection;
  readonly resolvers?: ResolverRegistry;
  readonly equals?: FieldEquals;
  /**
   * Fields the mapping only reads (`writable: false`: computed by the provider, such as
   * its modification time): the provider's value always wins them, silently, and a
   * difference there is never a local change.
   */
  readonly readOnly?: ReadonlySet<string>;
}

/** A run left conflicts in the review queue (for notifications). */
export interface ConflictsWaiting {
  readonly tenantId: string;
  readonly integrationId: string;
  readonly runId: string;
  /** Fields the run held for review that are still open. */
  readonly open: number;
  /** Epoch ms. */
  readonly at: number;
}

/** What a run decides once: the integration's parsed policy and the provider's name. */
export type ConflictSettings = Omit<ConflictStepOptions, 'tenantId' | 'integrationId' | 'connectionId' | 'runId' | 'at'>;

/**
 * The conflict settings of an integration (its stored `conflictStrategy` and
 * `fieldOwnership`, validated: CONFIG_INVALID names a bad key), for `writePage`.
 */
export function conflictSettingsOf(
  integration: Pick<Integration, 'conflictStrategy' | 'fieldOwnership' | 'direction'>,
  mapping: MappingDocument,
  extra: { readonly resolvers?: ResolverRegistry; readonly equals?: FieldEquals } = {},
): ConflictSettings {
  // Fields the mapping marks `writable: false` are the provider's own (computed) values.
  const readOnly = new Set((mapping.targets[0]?.fields ?? []).filter((f) => f.writable === false).map((f) => f.target));
  return {
    provider: mapping.source.provider, policy: parseConflictPolicy(integration.conflictStrategy, integration.fieldOwnership), direction: integration.direction,
    readOnly, ...extra,
  };
}

/** What the page plan knows about one existing link when a record updates it. */
export interface ReconcileInput {
  readonly linkId: string;
  readonly object: string;
  readonly externalId: string;
  readonly base: Readonly<Record<string, unknown>> | null;
  readonly linkVersion: string | null;
  readonly entityId: string;
  /** The entity's fields as the page has them so far. */
  readonly entityFields: Readonly<Record<string, unknown>>;
  readonly mappedFields: Readonly<Record<string, unknown>>;
  readonly mappedVersion: string | null;
  /** The record's own link (its base is the whole view) or a secondary, partial one. */
  readonly primary: boolean;
  /** The provider record id, for its modification time (primary links). */
  readonly recordId: string | null;
}

export interface Reconciled {
  /** Entity fields to set; `null` removes the field. */
  readonly toLocal: FieldPatch;
  /** The link's new base snapshot (whole). */
  readonly base: Record<string, unknown>;
  /** The link's version after this record: unchanged while a field waits for review. */
  readonly remoteVersion: string | null;
}

const same = (a: unknown, b: unknown): boolean => deepEqual(a, b);

/** True when the entity holds a value for one of `fields` that differs from the base: a local change. */
export function hasLocalChange(
  base: Readonly<Record<string, unknown>> | null, entityFields: Readonly<Record<string, unknown>>, fields: Iterable<string>, readOnly: ReadonlySet<string> = NONE,
): boolean {
  if (base === null) return false;
  for (const field of fields) if (!readOnly.has(field) && !same(base[field], entityFields[field])) return true;
  return false;
}

const NONE: ReadonlySet<string> = new Set();

/** The entity ids among stored links whose entity differs from the link's base (the only ones the step may act on). */
export function entitiesWithLocalChanges(stored: Iterable<LinkedEntity>, readOnly: ReadonlySet<string> = NONE): string[] {
  const ids = new Set<string>();
  for (const link of stored) {
    if (link.baseSnapshot !== null && link.tombstonedAt === null && hasLocalChange(link.baseSnapshot, link.entity.fields, Object.keys(link.baseSnapshot), readOnly)) ids.add(link.entity.id);
  }
  return [...ids];
}

/** `hasLocalChange` over the record's fields (the base's and the mapped ones) without allocating: the hot path. */
function changedLocally(input: ReconcileInput, readOnly: ReadonlySet<string>): boolean {
  const { base, entityFields, mappedFields } = input;
  if (base === null) return false;
  if (input.primary) {
    for (const field in base) if (!readOnly.has(field) && !same(base[field], entityFields[field])) return true;
  }
  for (const field in mappedFields) {
    if (input.primary && field in base) continue;
    if (!readOnly.has(field) && !same(base[field], entityFields[field])) return true;
  }
  return false;
}

const conflictId = (): string => orderedId('cfl');

function fieldRecord(c: ConflictRecord): ConflictFieldRecord {
  return { base: c.base ?? null, local: c.local ?? null, remote: c.remote ?? null, decision: c.decision, ...(c.decision === 'pending' ? {} : { value: c.value ?? null }), strategy: c.strategy, reason: c.reason };
}

/** One page's conflict step: `load` before the plan, `reconcile` per record, `write` in the page's transaction. */
export class ConflictStep {
  readonly #o: ConflictStepOptions;
  // Both parsed on the first reconcile that needs them: most pages have none (no local changes).
  #records: Iterable<{ readonly recordId: string; readonly modifiedAt?: string | null }> = [];
  #modifiedAt: Map<string, number> | null = null;
  #stored: readonly LinkedEntity[] = [];
  #updatedAt: Map<string, number> | null = null;
  /** Open conflicts by link id (at most one open row per link). */
  readonly #open = new Map<string, ConflictReview>();
  readonly #inserts: ConflictReview[] = [];
  readonly #replaced = new Map<string, Record<string, unknown>>();
  readonly #closed = new Map<string, ConflictResolutionRecord>();
  /** Entity -> fields a strategy decided for a value the provider does not hold yet (pushed via the outbox). */
  readonly #outgoing = new Map<string, Record<string, unknown>>();
  /** Conflicts held for review that this page opened or changed. */
  waiting = 0;

  constructor(options: ConflictStepOptions) {
    this.#o = options;
  }

  /** Record modification times (for `last_write_wins`), by provider record id. */
  setRecordTimes(records: Iterable<{ readonly recordId: string; readonly modifiedAt?: string | null }>): void {
    this.#records = records;
    this.#modifiedAt = null;
  }

  /** The provider's modification time of a record of this page, in ms (null: unknown). */
  #recordTime(recordId: string): number | null {
    if (this.#modifiedAt === null) {
      this.#modifiedAt = new Map();
      for (const r of this.#records) {
        const ms = r.modifiedAt ? Date.parse(r.modifiedAt) : Number.NaN;
        if (Number.isFinite(ms)) this.#modifiedAt.set(r.recordId, ms);
      }
    }
    return this.#modifiedAt.get(recordId) ?? null;
  }

  /** When a stored entity of this page was last written, in ms (null: not loaded). */
  #entityTime(entityId: string): number | null {
    if (this.#updatedAt === null) this.#updatedAt = new Map(this.#stored.map((l) => [l.entity.id, Date.parse(l.entity.updatedAt)]));
    return this.#updatedAt.get(entityId) ?? null;
  }

  /** The one batched read: entity times and open conflicts of entities with local changes. */
  async load(tx: Pick<Repositories, 'conflicts'>, stored: Iterable<LinkedEntity>): Promise<void> {
    const links = [...stored];
    this.#stored = links;
    this.#updatedAt = null;
    const ids = entitiesWithLocalChanges(links, this.#o.readOnly);
    if (ids.length === 0) return;
    for (const row of await tx.conflicts.openForEntities(this.#o.tenantId, ids)) {
      const linkId = (row.payload as Partial<ConflictPayload>).linkId;
      if (typeof linkId === 'string') this.#open.set(linkId, row);
    }
  }

  /**
   * Null when the entity holds no local change on the record's fields: the caller writes
   * the record as before. Otherwise what to write, after three-way resolution.
   */
  reconcile(input: ReconcileInput): Reconciled | null {
    const o = this.#o;
    const readOnly = o.readOnly ?? NONE;
    if (!changedLocally(input, readOnly)) return null;
    const all = input.primary ? [...new Set([...Object.keys(input.base ?? {}), ...Object.keys(input.mappedFields)])] : Object.keys(input.mappedFields);
    const fields = all.filter((f) => !readOnly.has(f));
    const r = resolve({
      base: input.base, baseVersion: input.linkVersion, remoteVersion: input.mappedVersion,
      local: input.entityFields, remote: input.mappedFields, fields, policy: o.policy, remoteSystem: o.provider,
      localModifiedAt: this.#entityTime(input.entityId),
      remoteModifiedAt: input.recordId === null ? null : this.#recordTime(input.recordId),
      equals: o.equals, resolvers: o.resolvers, direction: 'pull',
    });
    this.#record(input, r.conflicts);
    if (o.direction !== 'pull') {
      for (const c of r.conflicts) {
        if (c.decision === 'pending' || deepEqual(c.value, c.remote)) continue;
        const out = this.#outgoing.get(input.entityId) ?? {};
        out[c.field] = c.value ?? null;
        this.#outgoing.set(input.entityId, out);
      }
    }
    const base = input.primary ? r.nextBase : { ...(input.base ?? {}), ...r.nextBase };
    if (!input.primary) for (const f of fields) if (!(f in r.nextBase)) delete base[f];
    const toLocal = { ...r.toLocal };
    for (const f of all) {
      if (!readOnly.has(f)) continue;
      const remote = input.mappedFields[f];
      if (!same(remote, input.entityFields[f])) toLocal[f] = remote ?? null;
      if (remote === undefined || remote === null) delete base[f];
      else base[f] = remote;
    }
    return { toLocal, base, remoteVersion: r.pending ? input.linkVersion : input.mappedVersion };
  }

  #record(input: ReconcileInput, conflicts: readonly ConflictRecord[]): void {
    const o = this.#o;
    const payload = (fields: Record<string, ConflictFieldRecord>): ConflictPayload => ({
      runId: o.runId, linkId: input.linkId, connectionId: o.connectionId, object: input.object, externalId: input.externalId,
      provider: o.provider, remoteVersion: input.mappedVersion, linkVersion: input.linkVersion, fields,
    });
    const row = (status: 'open' | 'resolved', p: ConflictPayload, resolution: ConflictResolutionRecord | null): ConflictReview => ({
      id: conflictId(), tenantId: o.tenantId, entityId: input.entityId, integrationId: o.integrationId, status,
      payload: p as unknown as Record<string, unknown>, resolution: resolution as unknown as Record<string, unknown> | null,
      createdAt: o.at, resolvedAt: status === 'open' ? null : o.at,
    });
    const decided: Record<string, ConflictFieldRecord> = {};
    const pending: Record<string, ConflictFieldRecord> = {};
    for (const c of conflicts) (c.decision === 'pending' ? pending : decided)[c.field] = fieldRecord(c);
    if (Object.keys(decided).length > 0) {
      const fields = Object.fromEntries(Object.entries(decided).map(([f, d]) => [f, { decision: d.decision, value: d.value ?? null }]));
      this.#inserts.push(row('resolved', payload(decided), { kind: 'automatic', by: 'strategy', at: o.at, fields }));
    }
    const open = this.#open.get(input.linkId);
    if (Object.keys(pending).length === 0) {
      // The fields held for review no longer conflict (both sides agree now): the row is moot.
      if (open !== undefined && !this.#closed.has(open.id)) this.#closed.set(open.id, { kind: 'automatic', by: 'sync', at: o.at, fields: {} });
      return;
    }
    if (open === undefined) {
      const created = row('open', payload(pending), null);
      this.#inserts.push(created);
      this.#open.set(input.linkId, created);
      this.waiting += 1;
      return;
    }
    const known = (open.payload as unknown as ConflictPayload).fields ?? {};
    const unchanged = Object.keys(known).length === Object.keys(pending).length
      && Object.entries(pending).every(([f, p]) => known[f] !== undefined && same(known[f]!.local, p.local) && same(known[f]!.remote, p.remote));
    if (unchanged) return;
    // Newer values than the ones under review: the reviewer must see these.
    const next = payload(pending) as unknown as Record<string, unknown>;
    if (this.#inserts.includes(open)) (open as { payload: Record<string, unknown> }).payload = next;
    else this.#replaced.set(open.id, next);
    this.#open.set(input.linkId, { ...open, payload: next });
    this.waiting += 1;
  }

  /** What `write` will write: new rows, replaced open payloads, closed ids, and entity -> fields queued for the provider. */
  planned(): { inserts: readonly ConflictReview[]; replaced: ReadonlyMap<string, Record<string, unknown>>; closed: readonly string[]; outgoing: ReadonlyMap<string, Record<string, unknown>> } {
    return { inserts: this.#inserts, replaced: this.#replaced, closed: [...this.#closed.keys()], outgoing: this.#outgoing };
  }

  /** Writes the page's conflict rows (call inside the page's transaction, after the entities). */
  async write(tx: Pick<Repositories, 'conflicts' | 'entities'>): Promise<void> {
    const { tenantId, at } = this.#o;
    await tx.conflicts.insertMany(this.#inserts);
    if (this.#outgoing.size > 0) {
      // The entity already holds these values (no feed entry, so no propagation row): this row makes the push happen.
      const source = { kind: 'conflict', integrationId: this.#o.integrationId, runId: this.#o.runId };
      const outbox = [...this.#outgoing].map(([entityId, fields]) => ({ id: orderedId(OUTBOX_ID_PREFIX), entityId, change: { op: 'update', fields, source } }));
      await tx.entities.applyBatch(entityWriteBatch(tenantId, at, { outbox }));
    }
    for (const [id, payload] of this.#replaced) await tx.conflicts.replaceOpen(tenantId, id, payload);
    for (const [id, resolution] of this.#closed) {
      await tx.conflicts.close(tenantId, id, { status: 'resolved', resolution: resolution as unknown as Record<string, unknown>, resolvedAt: at });
    }
  }
}
