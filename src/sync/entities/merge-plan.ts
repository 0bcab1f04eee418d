/**
 * Merging two duplicate entities, and undoing such a merge (pure: given what the store
 * holds, what to write). The rules:
 *
 * - Survivor: the entity created first (ties: the smaller id). It is the one the host
 *   product has known longest, so its id stays valid; the other is marked merged into it
 *   and soft-deleted.
 * - Fields: the survivor's values win; a field the survivor lacks (absent, null or an
 *   empty string) takes the merged entity's value. The filled fields and their prior
 *   values are kept, so an undo removes exactly what the merge added.
 * - Links: every link of the merged entity moves to the survivor (the records it mirrors
 *   now update the survivor).
 * - Relationships: the merged entity's edges are re-pointed at the survivor; an edge
 *   between the two, or one the survivor already has, is dropped.
 * - Match keys: the merged entity's dedup keys are added to the survivor, so that later
 *   records matching the merged entity find the survivor.
 * - The snapshot in the lineage row holds the merged entity, its links, its edges, and
 *   what the merge added to the survivor: all an undo needs.
 */
import type { Entity, EntityLink, Relationship } from '../../domain/entity.ts';
import { TributaryError } from '../../domain/errors.ts';
import { DEDUP_ENTITY_TYPES, matchKeysOf } from '../pull/match-keys.ts';

export interface Edge {
  readonly fromEntityId: string;
  readonly kind: string;
  readonly toEntityId: string;
  /** Kept, so that an edge moved or restored keeps its age. */
  readonly createdAt: string;
}

export interface MatchKey {
  readonly entityType: string;
  readonly key: string;
}

/** What the lineage row keeps so that the merge can be undone. */
export interface MergeSnapshot {
  readonly merged: { readonly fields: Record<string, unknown>; readonly deletedAt: string | null; readonly mergedInto: string | null; readonly version: number };
  /** The merged entity's link ids, moved to the survivor. */
  readonly linkIds: readonly string[];
  /** The merged entity's edges before the merge. */
  readonly edges: readonly Edge[];
  /** Fields the merge filled on the survivor: the value set, and the prior value (`absent` when there was none). */
  readonly filled: readonly { readonly field: string; readonly value: unknown; readonly prior: unknown; readonly absent: boolean }[];
  /** Edges the merge added to the survivor (it did not have them). */
  readonly addedEdges: readonly Edge[];
  /** Match keys the merge added to the survivor. */
  readonly addedKeys: readonly MatchKey[];
}

export interface MergeInput {
  readonly a: Entity;
  readonly b: Entity;
  /** Links and edges of both, as stored now. */
  readonly linksOf: (entityId: string) => readonly EntityLink[];
  readonly edgesOf: (entityId: string) => { readonly outgoing: readonly Relationship[]; readonly incoming: readonly Relationship[] };
}

export interface MergePlan {
  readonly survivor: Entity;
  readonly merged: Entity;
  readonly survivorFields: Record<string, unknown>;
  /** Fields whose value on the survivor changed, with the new values (for the change feed). */
  readonly changedFields: Record<string, unknown>;
  readonly linkIds: string[];
  readonly deleteEdges: Edge[];
  readonly addEdges: Edge[];
  readonly addKeys: MatchKey[];
  readonly snapshot: MergeSnapshot;
}

/** The entity that survives a merge of a and b: created first, then the smaller id. */
export function chooseSurvivor(a: Entity, b: Entity): { survivor: Entity; merged: Entity } {
  const aFirst = a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.id < b.id);
  return aFirst ? { survivor: a, merged: b } : { survivor: b, merged: a };
}

const isEmpty = (value: unknown): boolean => value === undefined || value === null || value === '';
const edgeKey = (e: Omit<Edge, 'createdAt'>): string => `${e.fromEntityId}\u0000${e.kind}\u0000${e.toEntityId}`;
const toEdge = (r: Relationship): Edge => ({ fromEntityId: r.fromEntityId, kind: r.kind, toEntityId: r.toEntityId, createdAt: r.createdAt });

function keysOf(entity: { type: string; fields: Record<string, unknown> }): MatchKey[] {
  if (!DEDUP_ENTITY_TYPES.has(entity.type)) return [];
  const keys = matchKeysOf(entity.type, { ...entity.fields });
  return [...keys.exact, ...keys.block].map((key) => ({ entityType: entity.type, key }));
}

export function planMerge(input: MergeInput): MergePlan {
  const { survivor, merged } = chooseSurvivor(input.a, input.b);
  const survivorFields: Record<string, unknown> = { ...survivor.fields };
  const filled: { field: string; value: unknown; prior: unknown; absent: boolean }[] = [];
  const changedFields: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(merged.fields)) {
    if (isEmpty(value) || !isEmpty(survivor.fields[field])) continue;
    const absent = !(field in survivor.fields);
    filled.push({ field, value, prior: absent ? null : survivor.fields[field], absent });
    survivorFields[field] = value;
    changedFields[field] = value;
  }

  const mergedEdges = input.edgesOf(merged.id);
  const edges = [...mergedEdges.outgoing, ...mergedEdges.incoming].map(toEdge);
  const survivorEdges = input.edgesOf(survivor.id);
  const had = new Set([...survivorEdges.outgoing, ...survivorEdges.incoming].map((r) => edgeKey(toEdge(r))));
  const repoint = (id: string): string => (id === merged.id ? survivor.id : id);
  const added = new Map<string, Edge>();
  for (const edge of edges) {
    const moved = { fromEntityId: repoint(edge.fromEntityId), kind: edge.kind, toEntityId: repoint(edge.toEntityId), createdAt: edge.createdAt };
    if (moved.fromEntityId === moved.toEntityId) continue;
    const key = edgeKey(moved);
    if (!had.has(key)) added.set(key, moved);
  }

  const survivorKeys = new Set(keysOf(survivor).map((k) => `${k.entityType}\u0000${k.key}`));
  const addKeys = keysOf(merged).filter((k) => !survivorKeys.has(`${k.entityType}\u0000${k.key}`));
  const linkIds = input.linksOf(merged.id).map((l) => l.id);
  const addEdges = [...added.values()];
  return {
    survivor, merged, survivorFields, changedFields, linkIds, deleteEdges: edges, addEdges, addKeys,
    snapshot: {
      merged: { fields: merged.fields, deletedAt: merged.deletedAt, mergedInto: merged.mergedInto, version: merged.version },
      linkIds, edges, filled, addedEdges: addEdges, addedKeys: addKeys,
    },
  };
}

export interface UndoPlan {
  readonly survivorFields: Record<string, unknown>;
  readonly changedFields: Record<string, unknown>;
  readonly mergedFields: Record<string, unknown>;
  readonly mergedDeletedAt: string | null;
  readonly linkIds: readonly string[];
  readonly deleteEdges: readonly Edge[];
  readonly restoreEdges: readonly Edge[];
  readonly deleteKeys: readonly MatchKey[];
}

/**
 * Undoing a merge: the merged entity comes back as it was, with its links and edges; the
 * survivor loses what the merge added to it, except where it has changed since (a field
 * that now holds another value, or a key its current fields produce, stays).
 */
export function planUndo(snapshot: MergeSnapshot, survivor: Entity): UndoPlan {
  const survivorFields: Record<string, unknown> = { ...survivor.fields };
  const changedFields: Record<string, unknown> = {};
  for (const fill of snapshot.filled) {
    if (JSON.stringify(survivorFields[fill.field]) !== JSON.stringify(fill.value)) continue;
    if (fill.absent) delete survivorFields[fill.field];
    else survivorFields[fill.field] = fill.prior;
    changedFields[fill.field] = fill.absent ? null : fill.prior;
  }
  const keep = new Set(keysOf({ type: survivor.type, fields: survivorFields }).map((k) => `${k.entityType}\u0000${k.key}`));
  return {
    survivorFields,
    changedFields,
    mergedFields: snapshot.merged.fields,
    mergedDeletedAt: snapshot.merged.deletedAt,
    linkIds: snapshot.linkIds,
    deleteEdges: snapshot.addedEdges,
    restoreEdges: snapshot.edges,
    deleteKeys: snapshot.addedKeys.filter((k) => !keep.has(`${k.entityType}\u0000${k.key}`)),
  };
}

/** Reads a stored snapshot back; CONFLICT when it is not one this module wrote (nothing to undo with). */
export function asMergeSnapshot(value: Record<string, unknown>): MergeSnapshot {
  const merged = value.merged as MergeSnapshot['merged'] | undefined;
  if (!merged || typeof merged !== 'object' || !Array.isArray(value.linkIds) || !Array.isArray(value.edges) || !Array.isArray(value.filled)
    || !Array.isArray(value.addedEdges) || !Array.isArray(value.addedKeys)) {
    throw new TributaryError('CONFLICT', 'This merge has no undo snapshot and cannot be undone');
  }
  return value as unknown as MergeSnapshot;
}

/**
 * The lineage of an automatic link: the pull's dedup linked a new external record to an
 * existing entity instead of making one of its own. It is kept in the merge format
 * (`merged` holds what the record's own entity would have been; `mergedId` of the row is
 * the id that entity gets if the link is undone), plus the link it concerns.
 */
export interface LinkSnapshot extends MergeSnapshot {
  readonly kind: 'link';
  readonly entityType: string;
  readonly link: { readonly id: string; readonly connectionId: string; readonly object: string; readonly externalId: string };
}

export function isLinkSnapshot(value: Record<string, unknown>): boolean {
  return value.kind === 'link';
}

/**
 * What an automatic link did to the survivor: `prior` its fields before, `after` after the
 * record's fields were applied. Edges are those of the record, pointed at `mergedId`
 * (restored to the detached entity on undo); the survivor's are left (it may hold them
 * from its own sources too).
 */
export function planLinkLineage(input: {
  readonly survivor: { readonly type: string; readonly prior: Record<string, unknown>; readonly after: Record<string, unknown> };
  readonly recordFields: Record<string, unknown>;
  readonly link: LinkSnapshot['link'];
  readonly edges: readonly Edge[];
}): LinkSnapshot {
  const { prior, after, type } = input.survivor;
  const filled: { field: string; value: unknown; prior: unknown; absent: boolean }[] = [];
  for (const [field, value] of Object.entries(after)) {
    if (JSON.stringify(prior[field]) === JSON.stringify(value)) continue;
    const absent = !(field in prior);
    filled.push({ field, value, prior: absent ? null : prior[field], absent });
  }
  const had = new Set(keysOf({ type, fields: prior }).map((k) => k.key));
  return {
    kind: 'link', entityType: type, link: input.link,
    merged: { fields: input.recordFields, deletedAt: null, mergedInto: null, version: 0 },
    linkIds: [input.link.id], edges: input.edges, filled, addedEdges: [],
    addedKeys: keysOf({ type, fields: after }).filter((k) => !had.has(k.key)),
  };
}

export interface LinkUndoPlan extends UndoPlan {
  /** The detached entity: its fields are the link's base (the record as last synced). */
  readonly detached: { readonly type: string; readonly fields: Record<string, unknown>; readonly deletedAt: string | null; readonly keys: readonly MatchKey[] };
}

/**
 * Undoing an automatic link: the record's link leaves the survivor for an entity of its
 * own, made from the link's base snapshot (deleted when the link is tombstoned); the
 * survivor loses what the link added, as for a merge.
 */
export function planLinkUndo(snapshot: LinkSnapshot, survivor: Entity, link: EntityLink, at: string): LinkUndoPlan {
  const undo = planUndo(snapshot, survivor);
  const fields = link.baseSnapshot ?? snapshot.merged.fields;
  return {
    ...undo,
    mergedFields: fields,
    mergedDeletedAt: link.tombstonedAt === null ? null : at,
    detached: { type: snapshot.entityType, fields, deletedAt: link.tombstonedAt === null ? null : at, keys: keysOf({ type: snapshot.entityType, fields }) },
  };
}
