/**
 * Merges of duplicate entities and their undo, each one store transaction: the entity
 * states, links, edges, match keys, the lineage row, one change-feed entry for each of
 * the two entities, and the audit entry commit together or not at all. The rules are
 * merge-plan.ts's.
 */
import type { MergeLineage } from '../../domain/entity.ts';
import { TributaryError } from '../../domain/errors.ts';
import { newId } from '../../domain/ids.ts';
import type { Actor } from '../../domain/tenancy.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Page, PageRequest, Repositories, Store } from '../../ports/store.ts';
import { entityWriteBatch } from '../../ports/store-sync.ts';
import { asMergeSnapshot, isLinkSnapshot, planLinkUndo, planMerge, planUndo, type LinkSnapshot, type MatchKey } from './merge-plan.ts';

/** Who acts, under which request: what the audit log records (the runtime's ActionContext fits). */
export interface EntityActionContext {
  readonly actor: Actor;
  readonly requestId: string | null;
}

export interface MergeServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
}

/** A merge as the API shows it. */
export type MergeView = MergeLineage;

export class MergeService {
  readonly #store: Store;
  readonly #clock: Clock;

  constructor(deps: MergeServiceDeps) {
    this.#store = deps.store;
    this.#clock = deps.clock;
  }

  /** Merges where the entity survived or was merged, newest first; NOT_FOUND when the entity is not the tenant's. */
  async list(tenantId: string, entityId: string, page: PageRequest = {}): Promise<Page<MergeView>> {
    if ((await this.#store.entities.get(tenantId, entityId)) === null) throw notFound(entityId);
    return this.#store.merges.listByEntity(tenantId, entityId, page);
  }

  /**
   * Merges two live entities inside `tx` (the caller's transaction): see merge-plan.ts for
   * which survives and what it keeps. CONFLICT when either is deleted or already merged.
   */
  async mergeIn(tx: Repositories, tenantId: string, ids: readonly [string, string], reason: Record<string, unknown>, at: string): Promise<MergeLineage> {
    if (ids[0] === ids[1]) throw new TributaryError('CONFLICT', 'An entity cannot be merged with itself');
    const entities = await tx.entities.getMany(tenantId, [...ids]);
    const a = entities.find((e) => e.id === ids[0]);
    const b = entities.find((e) => e.id === ids[1]);
    if (!a || !b) throw new TributaryError('CONFLICT', 'A candidate entity no longer exists');
    for (const e of [a, b]) {
      if (e.mergedInto !== null) throw new TributaryError('CONFLICT', `Entity ${e.id} was already merged into ${e.mergedInto}`);
      if (e.deletedAt !== null) throw new TributaryError('CONFLICT', `Entity ${e.id} is deleted`);
    }
    const links = new Map<string, Awaited<ReturnType<Repositories['entities']['linksOf']>>>();
    const edges = new Map<string, Awaited<ReturnType<Repositories['entities']['relationshipsOf']>>>();
    for (const e of [a, b]) {
      links.set(e.id, await tx.entities.linksOf(tenantId, e.id));
      edges.set(e.id, await tx.entities.relationshipsOf(tenantId, e.id));
    }
    const plan = planMerge({ a, b, linksOf: (id) => links.get(id) ?? [], edgesOf: (id) => edges.get(id) ?? { outgoing: [], incoming: [] } });
    const { survivor, merged } = plan;
    const lineage: MergeLineage = {
      id: newId('mrg'), tenantId, survivorId: survivor.id, mergedId: merged.id, snapshot: { ...plan.snapshot }, reason, mergedAt: at, undoneAt: null,
    };
    await tx.merges.insert(lineage);
    await tx.merges.setEntityState(tenantId, merged.id, { fields: merged.fields, version: merged.version + 1, deletedAt: at, mergedInto: survivor.id }, at);
    await tx.merges.setEntityState(tenantId, survivor.id, { fields: plan.survivorFields, version: survivor.version + 1, deletedAt: null, mergedInto: null }, at);
    await tx.merges.moveLinks(tenantId, plan.linkIds, survivor.id);
    await tx.merges.deleteRelationships(tenantId, plan.deleteEdges);
    await tx.merges.insertRelationships(tenantId, plan.addEdges);
    const source = links.get(merged.id)?.[0];
    await tx.entities.applyBatch(batch(tenantId, at, {
      matchKeys: source ? keysFor(plan.addKeys, survivor.id, source.connectionId, source.object) : [],
      changes: [
        { entityId: survivor.id, change: { op: 'update', type: survivor.type, fields: plan.changedFields, version: survivor.version + 1, merge: { mergeId: lineage.id, mergedId: merged.id } } },
        { entityId: merged.id, change: { op: 'delete', type: merged.type, fields: {}, version: merged.version + 1, mergedInto: survivor.id, merge: { mergeId: lineage.id } } },
      ],
    }));
    return lineage;
  }

  /**
   * Undoes a merge: the merged entity comes back with its links and edges, the survivor
   * loses what the merge added (merge-plan.ts), the pair is remembered as distinct, and
   * both entities get a change-feed entry. NOT_FOUND when the entity or the merge is not
   * the tenant's (or the merge is not the entity's); CONFLICT when it was undone already,
   * or a later merge folded one of the two into another entity (undo that one first).
   */
  async undo(tenantId: string, entityId: string, mergeId: string, context: EntityActionContext): Promise<MergeView> {
    const at = new Date(this.#clock.now()).toISOString();
    return this.#store.transaction(async (tx) => {
      const lineage = await tx.merges.get(tenantId, mergeId);
      if (lineage === null || (lineage.survivorId !== entityId && lineage.mergedId !== entityId)) {
        throw new TributaryError('NOT_FOUND', `Merge ${mergeId} of entity ${entityId} not found`, { field: 'params.mergeId' });
      }
      if (lineage.undoneAt !== null) throw new TributaryError('CONFLICT', `Merge ${mergeId} was already undone`);
      if (isLinkSnapshot(lineage.snapshot)) return this.#undoLink(tx, lineage, asMergeSnapshot(lineage.snapshot) as LinkSnapshot, at, context);
      const snapshot = asMergeSnapshot(lineage.snapshot);
      const found = await tx.entities.getMany(tenantId, [lineage.survivorId, lineage.mergedId]);
      const survivor = found.find((e) => e.id === lineage.survivorId);
      const merged = found.find((e) => e.id === lineage.mergedId);
      if (!survivor || !merged) throw new TributaryError('CONFLICT', 'An entity of this merge no longer exists');
      if (survivor.mergedInto !== null) {
        throw new TributaryError('CONFLICT', `Entity ${survivor.id} was merged into ${survivor.mergedInto} later: undo that merge first`);
      }
      if (merged.mergedInto !== survivor.id) throw new TributaryError('CONFLICT', `Entity ${merged.id} is no longer merged into ${survivor.id}`);
      const plan = planUndo(snapshot, survivor);
      if (!(await tx.merges.markUndone(tenantId, mergeId, at))) throw new TributaryError('CONFLICT', `Merge ${mergeId} was already undone`);
      await tx.merges.setEntityState(tenantId, merged.id, { fields: plan.mergedFields, version: merged.version + 1, deletedAt: plan.mergedDeletedAt, mergedInto: null }, at);
      await tx.merges.setEntityState(tenantId, survivor.id, { fields: plan.survivorFields, version: survivor.version + 1, deletedAt: survivor.deletedAt, mergedInto: null }, at);
      await tx.merges.moveLinks(tenantId, plan.linkIds, merged.id);
      await tx.merges.deleteRelationships(tenantId, plan.deleteEdges);
      await tx.merges.insertRelationships(tenantId, plan.restoreEdges);
      await tx.merges.deleteMatchKeys(tenantId, survivor.id, plan.deleteKeys);
      await tx.dedupReviews.dismissPair(tenantId, survivor.id, merged.id, at);
      await tx.entities.applyBatch(batch(tenantId, at, {
        changes: [
          { entityId: survivor.id, change: { op: 'update', type: survivor.type, fields: plan.changedFields, version: survivor.version + 1, unmerge: { mergeId, restoredId: merged.id } } },
          { entityId: merged.id, change: { op: plan.mergedDeletedAt === null ? 'update' : 'delete', type: merged.type, fields: plan.mergedFields, version: merged.version + 1, unmerge: { mergeId, from: survivor.id } } },
        ],
      }));
      await tx.audit.append({
        id: newId('aud'), at, actor: context.actor, action: 'entity.merge.undo', tenantId, target: mergeId,
        details: { survivorId: survivor.id, mergedId: merged.id, links: plan.linkIds.length }, requestId: context.requestId,
      });
      return { ...lineage, undoneAt: at };
    });
  }

  /**
   * Undoes an automatic link (the pull's dedup, see merge-plan.ts planLinkUndo): the
   * record's link moves to a new entity of its own, with id `lineage.mergedId`, and the
   * pair is remembered as distinct. CONFLICT when the survivor was merged on since, or the
   * link no longer belongs to it.
   */
  async #undoLink(tx: Repositories, lineage: MergeLineage, snapshot: LinkSnapshot, at: string, context: EntityActionContext): Promise<MergeView> {
    const { tenantId } = lineage;
    const [survivor] = await tx.entities.getMany(tenantId, [lineage.survivorId]);
    if (!survivor) throw new TributaryError('CONFLICT', 'The entity of this merge no longer exists');
    if (survivor.mergedInto !== null) {
      throw new TributaryError('CONFLICT', `Entity ${survivor.id} was merged into ${survivor.mergedInto} later: undo that merge first`);
    }
    const link = (await tx.entities.linksOf(tenantId, survivor.id)).find((l) => l.id === snapshot.link.id);
    if (!link) throw new TributaryError('CONFLICT', `The link of ${snapshot.link.object} ${snapshot.link.externalId} no longer belongs to entity ${survivor.id}`);
    const plan = planLinkUndo(snapshot, survivor, link, at);
    if (!(await tx.merges.markUndone(tenantId, lineage.id, at))) throw new TributaryError('CONFLICT', `Merge ${lineage.id} was already undone`);
    const detachedId = lineage.mergedId;
    const { detached } = plan;
    await tx.entities.applyBatch({
      ...batch(tenantId, at, {
        matchKeys: keysFor(detached.keys, detachedId, link.connectionId, link.object),
        changes: [
          { entityId: survivor.id, change: { op: 'update', type: survivor.type, fields: plan.changedFields, version: survivor.version + 1, unmerge: { mergeId: lineage.id, restoredId: detachedId } } },
          { entityId: detachedId, change: { op: detached.deletedAt === null ? 'create' : 'delete', type: detached.type, fields: detached.fields, version: 1, unmerge: { mergeId: lineage.id, from: survivor.id } } },
        ],
      }),
      entityInserts: [{ id: detachedId, type: detached.type, fields: detached.fields }],
      entityUpdates: detached.deletedAt === null ? [] : [{ id: detachedId, fields: detached.fields, version: 1, deletedAt: detached.deletedAt }],
    });
    await tx.merges.setEntityState(tenantId, survivor.id, { fields: plan.survivorFields, version: survivor.version + 1, deletedAt: survivor.deletedAt, mergedInto: null }, at);
    await tx.merges.moveLinks(tenantId, plan.linkIds, detachedId);
    await tx.merges.insertRelationships(tenantId, plan.restoreEdges);
    await tx.merges.deleteMatchKeys(tenantId, survivor.id, plan.deleteKeys);
    await tx.dedupReviews.dismissPair(tenantId, survivor.id, detachedId, at);
    await tx.audit.append({
      id: newId('aud'), at, actor: context.actor, action: 'entity.merge.undo', tenantId, target: lineage.id,
      details: { survivorId: survivor.id, mergedId: detachedId, links: plan.linkIds.length, automatic: true }, requestId: context.requestId,
    });
    return { ...lineage, undoneAt: at };
  }
}

function notFound(entityId: string): TributaryError {
  return new TributaryError('NOT_FOUND', `Entity ${entityId} not found`, { field: 'params.entityId' });
}

function batch(tenantId: string, at: string, parts: { matchKeys?: Parameters<Repositories['entities']['applyBatch']>[0]['matchKeys']; changes: { entityId: string; change: Record<string, unknown> }[] }) {
  return entityWriteBatch(tenantId, at, { changes: parts.changes, matchKeys: parts.matchKeys ?? [] });
}

function keysFor(keys: readonly MatchKey[], entityId: string, connectionId: string, object: string) {
  return keys.map((k) => ({ entityType: k.entityType, key: k.key, connectionId, object, entityId }));
}
