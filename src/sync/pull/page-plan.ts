/**
 * Turns one page's mapped records into the entity-store writes that make the store agree
 * with them (pure, given what the store holds). The rules:
 *
 * - A link is keyed by (connection, object, external id). A known link whose base
 *   snapshot and remote version equal the mapped entity is unchanged: no write, no feed row.
 * - Entity fields merge: a source overwrites the fields it maps and removes a field it
 *   no longer sends only when the entity still holds the value this source gave it.
 *   Secondary targets (the Account a Contact shows) are partial views: their base merges.
 * - Every entity touched gets one feed row per page (create, update or delete) with its
 *   final state, and its version goes up once.
 * - A tombstone or a deletion tombstones the link; an entity whose last live link went is
 *   soft-deleted; a record that comes back revives both.
 * - A relationship to a reference no link knows yet makes a placeholder entity with that
 *   link, which the other object's sync fills in later.
 * - A record older (by the provider's modification time) than what its link last recorded
 *   is stale: it was read before a push, webhook or pull that wrote newer news, and is
 *   skipped (unchanged) instead of undoing that write.
 * - A new record dedup links to an existing entity gets a merge-lineage row (the pair can
 *   be listed and undone, sync/entities/merge-service.ts).
 */
import { randomUUID } from 'node:crypto';
import type { MappedEntity, MappedRelationship } from '../../domain/mapping.ts';
import type { MergeLineage } from '../../domain/entity.ts';
import { newId } from '../../domain/ids.ts';
import type { DedupReview } from '../../domain/review.ts';
import { planLinkLineage, type Edge } from '../entities/merge-plan.ts';
import type { EntityWriteBatch, LinkedEntity } from '../../ports/store.ts';
import { entityWriteBatch } from '../../ports/store-sync.ts';
import type { ComputedKeys, DedupDecision } from './dedup-match.ts';
import type { ConflictStep, Reconciled } from './conflict-step.ts';
import { DEDUP_ENTITY_TYPES, computeMatchKeys } from './match-keys.ts';
import { orderedId } from './ordered-id.ts';

export const refKey = (object: string, externalId: string): string => `${object}\u0000${externalId}`;

interface EntityState {
  id: string;
  type: string;
  fields: Record<string, unknown>;
  version: number;
  deletedAt: string | null;
  isNew: boolean;
  /**
   * A stored entity's fields as read, to tell what changed (null for a new entity). Never
   * changed: `fields` starts as this same object, shared, and is copied before a change.
   */
  original: Readonly<Record<string, unknown>> | null;
  originalDeletedAt: string | null;
  placeholder: boolean;
  /** `fields` is held elsewhere too (a link's base snapshot, the stored entity): copy it before changing it. */
  shared: boolean;
}

interface LinkState {
  id: string;
  entityId: string;
  isNew: boolean;
  live: boolean;
  wasLive: boolean;
  base: Record<string, unknown> | null;
  remoteVersion: string | null;
  recordId: string | null;
  /** The provider's modification time of the record as last written (null: unknown). */
  remoteModifiedAt: string | null;
  dirty: boolean;
  object: string;
  externalId: string;
}

/** An automatic link made by this page, waiting for its record's edges to become lineage. */
interface PendingLineage {
  readonly survivorId: string;
  readonly mergedId: string;
  readonly type: string;
  readonly prior: Record<string, unknown>;
  readonly after: Record<string, unknown>;
  readonly recordFields: Record<string, unknown>;
  readonly link: { readonly id: string; readonly connectionId: string; readonly object: string; readonly externalId: string };
  readonly reason: Record<string, unknown>;
}

export interface PlanContext {
  readonly tenantId: string;
  readonly connectionId: string;
  readonly integrationId: string;
  readonly runId: string;
  readonly at: string;
  /** Links (and their entities) already stored, by refKey. */
  readonly links: Map<string, LinkedEntity>;
  /**
   * The entity ids of stored links the page only points at (relationship ends that are
   * none of its records' entities), by refKey: an edge needs the id, not the entity.
   */
  readonly targets?: Map<string, string>;
  /** Dedup decisions for refs with no link yet. */
  readonly decisions: Map<string, DedupDecision>;
  /** Entities that dedup decisions point at, by id. */
  readonly matched: Map<string, LinkedEntity['entity']>;
  /** Match keys dedup already computed for new entities, by ref (used when the fields object is the same). */
  readonly matchKeys?: ComputedKeys;
  /** Three-way conflict handling for entities changed since their link's base (conflict-step.ts); absent: sources overwrite. */
  readonly conflicts?: ConflictStep;
}

export interface RecordCounts {
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
}

/** Equal as JSON. Two strings (most fields) are compared as they are, without serialising them. */
const same = (a: unknown, b: unknown): boolean => a === b || (!(typeof a === 'string' && typeof b === 'string') && JSON.stringify(a) === JSON.stringify(b));

/** Accumulates one page; `finish` returns the batch and the entities whose liveness needs a count. */
export class PagePlan {
  readonly counts: RecordCounts = { created: 0, updated: 0, unchanged: 0, deleted: 0 };
  readonly #ctx: PlanContext;
  readonly #entities = new Map<string, EntityState>();
  readonly #links = new Map<string, LinkState>();
  /** Edges to write, per from-entity id (each entity has a few). */
  readonly #relationships = new Map<string, { fromEntityId: string; kind: string; toEntityId: string }[]>();
  readonly #reviews: DedupReview[] = [];
  /** Match keys to write, per entity id (a few each: a list, not a map keyed by composite strings). */
  readonly #keys = new Map<string, { entityType: string; key: string; connectionId: string; object: string; entityId: string }[]>();
  readonly #merges: MergeLineage[] = [];
  #pending: PendingLineage[] = [];

  constructor(ctx: PlanContext) {
    this.#ctx = ctx;
  }

  /**
   * One mapped record: its entities (the first is the record itself) and relationships.
   * `modifiedAt` is the provider's modification time of the record (ExternalRecord.modifiedAt).
   */
  addRecord(recordId: string, entities: readonly MappedEntity[], relationships: readonly MappedRelationship[], modifiedAt: string | null = null): void {
    // Each entity's reference, made once: it is looked up in several maps below.
    const refs = entities.map((mapped) => refKey(mapped.object, mapped.externalId));
    if (this.#stale(entities[0], refs[0], modifiedAt)) {
      this.counts.unchanged += 1;
      return;
    }
    let outcome: keyof RecordCounts = 'unchanged';
    entities.forEach((mapped, index) => {
      const primary = index === 0;
      const ref = refs[index]!;
      const result = mapped.deleted ? this.#tombstone(ref) : this.#upsert(mapped, ref, primary ? recordId : null, primary, primary ? modifiedAt : null);
      if (primary) outcome = result;
    });
    if (entities[0]?.deleted === true) relationships = [];
    const edges: { fromEntityId: string; kind: string; toEntityId: string }[] = [];
    // A relationship's ends are usually entities of the same record: their references are made already.
    const refOf = (object: string, externalId: string): string => {
      const index = entities.findIndex((e) => e.object === object && e.externalId === externalId);
      return index >= 0 ? refs[index]! : refKey(object, externalId);
    };
    for (const rel of relationships) {
      const from = this.#resolve(refOf(rel.from.object, rel.from.externalId), rel.from.object, rel.from.externalId, rel.from.entityType);
      const to = this.#resolve(refOf(rel.to.object, rel.to.externalId), rel.to.object, rel.to.externalId, rel.to.entityType);
      if (from === null || to === null || from === to) continue;
      const edge = { fromEntityId: from, kind: rel.kind, toEntityId: to };
      let outgoing = this.#relationships.get(from);
      if (outgoing === undefined) this.#relationships.set(from, (outgoing = []));
      if (!outgoing.some((e) => e.kind === rel.kind && e.toEntityId === to)) outgoing.push(edge);
      edges.push(edge);
    }
    if (this.#pending.length > 0) this.#lineage(edges);
    this.counts[outcome] += 1;
  }

  /**
   * True when the record is older than what its link last recorded (a push, webhook or
   * pull wrote newer news after this record was read): writing it would undo that write.
   * Provider times are compared with each other only, never with Tributary's clock.
   */
  #stale(primary: MappedEntity | undefined, ref: string | undefined, modifiedAt: string | null): boolean {
    if (primary === undefined || ref === undefined || primary.deleted || modifiedAt === null) return false;
    const link = this.#link(ref);
    if (link === null || link.remoteModifiedAt === null) return false;
    const read = Date.parse(modifiedAt);
    const known = Date.parse(link.remoteModifiedAt);
    return Number.isFinite(read) && Number.isFinite(known) && read < known;
  }

  /** Lineage rows for the automatic links this record made, with its edges pointed at the would-be entity. */
  #lineage(edges: readonly { fromEntityId: string; kind: string; toEntityId: string }[]): void {
    const { tenantId, at } = this.#ctx;
    for (const p of this.#pending) {
      const own: Edge[] = [];
      for (const e of edges) {
        if (e.fromEntityId !== p.survivorId && e.toEntityId !== p.survivorId) continue;
        const from = e.fromEntityId === p.survivorId ? p.mergedId : e.fromEntityId;
        const to = e.toEntityId === p.survivorId ? p.mergedId : e.toEntityId;
        if (from !== to) own.push({ fromEntityId: from, kind: e.kind, toEntityId: to, createdAt: at });
      }
      const snapshot = planLinkLineage({ survivor: { type: p.type, prior: p.prior, after: p.after }, recordFields: p.recordFields, link: p.link, edges: own });
      this.#merges.push({ id: newId('mrg'), tenantId, survivorId: p.survivorId, mergedId: p.mergedId, snapshot: { ...snapshot }, reason: p.reason, mergedAt: at, undoneAt: null });
    }
    this.#pending = [];
  }

  /** A deletion the provider reported, found by record id (null: never synced, nothing to do). */
  addDeletion(link: LinkedEntity | null): void {
    if (link === null) return;
    this.#load(link);
    if (this.#tombstone(refKey(link.object, link.externalId)) === 'deleted') this.counts.deleted += 1;
  }

  /** Entity ids whose live-link count must be known before `finish` (those that lost a link). */
  entitiesLosingLinks(): string[] {
    const ids = new Set<string>();
    for (const link of this.#links.values()) if (link.wasLive && !link.live) ids.add(link.entityId);
    return [...ids];
  }

  /**
   * The batch. `storedLiveLinks` is the count of live links per entity in the store
   * before this page (for `entitiesLosingLinks`).
   */
  finish(storedLiveLinks: Map<string, number>): EntityWriteBatch {
    const { tenantId, at, connectionId, integrationId, runId } = this.#ctx;
    const losing = this.entitiesLosingLinks();
    // Counted only when some entity lost a link (a page of new records has none to count).
    const delta = new Map<string, number>();
    if (losing.length > 0) {
      for (const link of this.#links.values()) {
        const d = (link.live ? 1 : 0) - (link.wasLive ? 1 : 0);
        if (d !== 0) delta.set(link.entityId, (delta.get(link.entityId) ?? 0) + d);
      }
    }
    for (const id of losing) {
      const entity = this.#entities.get(id);
      if (entity && (storedLiveLinks.get(id) ?? 0) + (delta.get(id) ?? 0) <= 0 && entity.deletedAt === null) entity.deletedAt = at;
    }
    const batch: { -readonly [K in keyof EntityWriteBatch]: EntityWriteBatch[K] } = entityWriteBatch(tenantId, at, {
      relationships: [...this.#relationships.values()].flat(),
      // In no particular order: each backend orders them for its own key index.
      matchKeys: [...this.#keys.values()].flat(), reviews: this.#reviews,
      ...(this.#merges.length > 0 ? { merges: this.#merges } : {}),
    });
    const inserts = batch.entityInserts as { id: string; type: string; fields: Record<string, unknown> }[];
    const updates = batch.entityUpdates as { id: string; fields: Record<string, unknown>; version: number; deletedAt: string | null }[];
    const changes = batch.changes as { entityId: string; change: Record<string, unknown> }[];
    const source = { connectionId, integrationId, runId };
    for (const e of this.#entities.values()) {
      if (e.isNew) {
        inserts.push({ id: e.id, type: e.type, fields: e.fields });
        if (e.deletedAt !== null) updates.push({ id: e.id, fields: e.fields, version: 1, deletedAt: e.deletedAt });
        changes.push({ entityId: e.id, change: { op: 'create', type: e.type, fields: e.fields, version: 1, ...(e.placeholder ? { placeholder: true } : {}), source } });
        continue;
      }
      // Fields no record changed are still the stored object: most entities a page loads (a
      // contact's account, say) are compared without being serialised.
      const fieldsChanged = e.fields !== e.original && JSON.stringify(e.fields) !== JSON.stringify(e.original);
      if (!fieldsChanged && e.deletedAt === e.originalDeletedAt) continue;
      const version = e.version + 1;
      updates.push({ id: e.id, fields: e.fields, version, deletedAt: e.deletedAt });
      const op = e.deletedAt !== null ? 'delete' : 'update';
      changes.push({ entityId: e.id, change: { op, type: e.type, fields: op === 'delete' ? {} : changedFields(e.original ?? {}, e.fields), version, source } });
    }
    // Each list in the order of the links' (object, external id) key. The new ones are sorted
    // apart from the stored ones the page only read (a contact's account): a full sync's
    // records come in that order already, so their sort is a pass over them.
    const inserted: LinkState[] = [];
    const updated: LinkState[] = [];
    for (const l of this.#links.values()) {
      if (l.isNew) inserted.push(l);
      else if (l.dirty || l.live !== l.wasLive) updated.push(l);
    }
    for (const l of inserted.sort(byLinkKey)) {
      (batch.linkInserts as unknown[]).push({ id: l.id, entityId: l.entityId, connectionId, integrationId, object: l.object, externalId: l.externalId, recordId: l.recordId, remoteVersion: l.remoteVersion, baseSnapshot: l.base, tombstonedAt: l.live ? null : at, remoteModifiedAt: l.remoteModifiedAt });
    }
    for (const l of updated.sort(byLinkKey)) {
      (batch.linkUpdates as unknown[]).push({ id: l.id, recordId: l.recordId, remoteVersion: l.remoteVersion, baseSnapshot: l.base, tombstonedAt: l.live ? null : at, remoteModifiedAt: l.remoteModifiedAt });
    }
    return batch;
  }

  #load(stored: LinkedEntity, key: string = refKey(stored.object, stored.externalId)): LinkState {
    let link = this.#links.get(key);
    if (link) return link;
    this.#entityState(stored.entity);
    link = {
      id: stored.linkId, entityId: stored.entity.id, isNew: false, live: stored.tombstonedAt === null, wasLive: stored.tombstonedAt === null,
      base: stored.baseSnapshot, remoteVersion: stored.remoteVersion, recordId: stored.recordId, remoteModifiedAt: stored.remoteModifiedAt ?? null, dirty: false, object: stored.object, externalId: stored.externalId,
    };
    this.#links.set(key, link);
    return link;
  }

  #entityState(entity: LinkedEntity['entity']): EntityState {
    let state = this.#entities.get(entity.id);
    if (!state) {
      state = { id: entity.id, type: entity.type, fields: entity.fields, version: entity.version, deletedAt: entity.deletedAt, isNew: false, original: entity.fields, originalDeletedAt: entity.deletedAt, placeholder: false, shared: true };
      this.#entities.set(entity.id, state);
    }
    return state;
  }

  /** The link of a reference (`refKey`), loaded into the plan when stored. */
  #link(ref: string): LinkState | null {
    const known = this.#links.get(ref);
    if (known) return known;
    const stored = this.#ctx.links.get(ref);
    return stored ? this.#load(stored, ref) : null;
  }

  #newLink(ref: string, object: string, externalId: string, entityId: string): LinkState {
    const link: LinkState = { id: orderedId('lnk'), entityId, isNew: true, live: true, wasLive: false, base: null, remoteVersion: null, recordId: null, remoteModifiedAt: null, dirty: true, object, externalId };
    this.#links.set(ref, link);
    return link;
  }

  #newEntity(type: string, placeholder: boolean): EntityState {
    const state: EntityState = { id: orderedId('ent'), type, fields: {}, version: 1, deletedAt: null, isNew: true, original: null, originalDeletedAt: null, placeholder, shared: false };
    this.#entities.set(state.id, state);
    return state;
  }

  #upsert(mapped: MappedEntity, ref: string, recordId: string | null, primary: boolean, modifiedAt: string | null): keyof RecordCounts {
    let link = this.#link(ref);
    let outcome: keyof RecordCounts = 'updated';
    let linked: { prior: Record<string, unknown>; reason: Record<string, unknown> } | null = null;
    if (link === null) {
      const decision = this.#ctx.decisions.get(ref);
      const target = decision?.kind === 'link' ? this.#ctx.matched.get(decision.entityId) : undefined;
      const entity = target ? this.#entityState(target) : this.#newEntity(mapped.entityType, false);
      if (target && decision?.kind === 'link') {
        const { connectionId, runId } = this.#ctx;
        linked = { prior: { ...entity.fields }, reason: { automatic: true, rule: decision.reason, score: decision.score, connectionId, object: mapped.object, externalId: mapped.externalId, runId } };
      }
      if (decision?.kind === 'review') this.#review(entity.id, decision.candidateId, decision.score, mapped);
      link = this.#newLink(ref, mapped.object, mapped.externalId, entity.id);
      outcome = 'created';
    } else if (link.live && (primary ? same(link.base, mapped.fields) : containsAll(link.base, mapped.fields)) && (mapped.remoteVersion === null || link.remoteVersion === mapped.remoteVersion) && this.#entities.get(link.entityId)?.deletedAt === null && (!primary || recordId === null || link.recordId === recordId)) {
      return 'unchanged';
    } else if (!link.live) {
      outcome = 'created';
    }
    const entity = this.#entities.get(link.entityId)!;
    const oldBase = link.base ?? {};
    // An entity changed since the link's base goes through three-way detection instead of being overwritten.
    const reconciled = outcome === 'updated' ? this.#reconcile(link, entity, mapped, recordId, primary) : null;
    const newBase = reconciled?.base ?? (primary ? mapped.fields : { ...oldBase, ...mapped.fields });
    if (reconciled !== null) {
      applyPatch(entity, reconciled.toLocal);
    } else if (entity.isNew && Object.keys(entity.fields).length === 0) {
      // A brand-new entity is exactly this view: share the object (serialised once).
      entity.fields = newBase;
      entity.shared = true;
    } else {
      if (entity.shared) {
        entity.fields = { ...entity.fields };
        entity.shared = false;
      }
      for (const [key, value] of Object.entries(newBase)) entity.fields[key] = value;
      if (primary) {
        for (const key of Object.keys(oldBase)) if (!(key in newBase) && same(entity.fields[key], oldBase[key])) delete entity.fields[key];
      }
    }
    entity.placeholder = false;
    entity.deletedAt = null;
    link.base = newBase;
    if (reconciled !== null) link.remoteVersion = reconciled.remoteVersion;
    else if (mapped.remoteVersion !== null || primary) link.remoteVersion = mapped.remoteVersion;
    if (recordId !== null) link.recordId = recordId;
    if (modifiedAt !== null) link.remoteModifiedAt = modifiedAt;
    link.live = true;
    link.dirty = true;
    if (DEDUP_ENTITY_TYPES.has(entity.type)) {
      // A new entity holds exactly the mapped fields: their keys are known from dedup.
      const known = entity.shared ? this.#ctx.matchKeys?.get(ref) : undefined;
      const keys = known !== undefined && known.fields === entity.fields ? known.keys : computeMatchKeys(entity.type, entity.fields);
      let own = this.#keys.get(entity.id);
      if (own === undefined) this.#keys.set(entity.id, (own = []));
      for (const list of [keys.exact, keys.block]) {
        for (const key of list) {
          if (!own.some((k) => k.key === key && k.object === mapped.object)) own.push({ entityType: entity.type, key, connectionId: this.#ctx.connectionId, object: mapped.object, entityId: entity.id });
        }
      }
    }
    if (linked !== null) {
      this.#pending.push({
        survivorId: entity.id, mergedId: orderedId('ent'), type: entity.type, prior: linked.prior, after: { ...entity.fields }, recordFields: newBase,
        link: { id: link.id, connectionId: this.#ctx.connectionId, object: mapped.object, externalId: mapped.externalId }, reason: linked.reason,
      });
    }
    return outcome;
  }

  #reconcile(link: LinkState, entity: EntityState, mapped: MappedEntity, recordId: string | null, primary: boolean): Reconciled | null {
    if (this.#ctx.conflicts === undefined || link.isNew) return null;
    return this.#ctx.conflicts.reconcile({
      linkId: link.id, object: link.object, externalId: link.externalId, base: link.base, linkVersion: link.remoteVersion, entityId: entity.id,
      entityFields: entity.fields, mappedFields: mapped.fields, mappedVersion: mapped.remoteVersion, primary, recordId,
    });
  }

  #tombstone(ref: string): keyof RecordCounts {
    const link = this.#links.get(ref) ?? (this.#ctx.links.has(ref) ? this.#load(this.#ctx.links.get(ref)!) : null);
    if (link === null || !link.live) return 'unchanged';
    link.live = false;
    link.dirty = true;
    return 'deleted';
  }

  /** The entity a reference names, made as a placeholder when no link knows it yet. */
  #resolve(ref: string, object: string, externalId: string, entityType: string): string | null {
    const link = this.#link(ref);
    if (link) return link.entityId;
    const target = this.#ctx.targets?.get(ref);
    if (target !== undefined) return target;
    const entity = this.#newEntity(entityType, true);
    this.#newLink(ref, object, externalId, entity.id);
    return entity.id;
  }

  #review(entityId: string, candidateId: string, score: number, mapped: MappedEntity): void {
    this.#reviews.push({
      id: `rev_${randomUUID().replaceAll('-', '')}`, tenantId: this.#ctx.tenantId, status: 'open',
      payload: { entityType: mapped.entityType, entityIds: [entityId, candidateId], score, source: { connectionId: this.#ctx.connectionId, object: mapped.object, externalId: mapped.externalId } },
      resolution: null, createdAt: this.#ctx.at, resolvedAt: null,
    });
  }
}

/** Sets (or, for null, removes) entity fields, copying a fields object shared with a base first. */
function applyPatch(entity: EntityState, patch: Readonly<Record<string, unknown>>): void {
  if (Object.keys(patch).length === 0) return;
  if (entity.shared) {
    entity.fields = { ...entity.fields };
    entity.shared = false;
  }
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete entity.fields[key];
    else entity.fields[key] = value;
  }
}

const byLinkKey = (a: LinkState, b: LinkState): number => (a.object === b.object ? (a.externalId < b.externalId ? -1 : 1) : a.object < b.object ? -1 : 1);

function containsAll(base: Record<string, unknown> | null, fields: Record<string, unknown>): boolean {
  if (base === null) return false;
  for (const [key, value] of Object.entries(fields)) if (!same(base[key], value)) return false;
  return true;
}

function changedFields(before: Readonly<Record<string, unknown>>, after: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(after)) if (!same(before[key], value)) out[key] = value;
  for (const key of Object.keys(before)) if (!(key in after)) out[key] = null;
  return out;
}
