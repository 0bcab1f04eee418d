import type { MergeLineage } from '../../../domain/entity.ts';
import type { DedupReview } from '../../../domain/review.ts';
import type { DedupReviewFilter, DedupReviewRepository, LinkSweepRepository, MergeRepository } from '../../../ports/store.ts';
import { orderedPair } from '../../rows/dedup-rows.ts';
import { docId, fromDoc, pageQuery, toDoc, top } from '../documents.ts';
import type { UnitRunner } from '../runner.ts';
import type { CosmosUnit, Doc } from '../unit.ts';
import { linked, relationshipDocId, type LinkDoc } from './entities.ts';
import { DISMISSED_PAIR, ENTITY, LINK, MATCH_KEY, MERGE, REVIEW, RELATIONSHIP, dismissedPairId } from './entity-kinds.ts';

/**
 * Dedup decisions (reviews, dismissed pairs, merges with lineage) and link sweeps on
 * Cosmos DB, all in the tenant's partition of `entities`, so a merge's writes (lineage,
 * entity states, moved links, relationships, match keys) commit together. Compare-and-set
 * methods (`resolve`, `markUndone`) read and write back under the ETag.
 */


export function cosmosDedupReviews(runner: UnitRunner): DedupReviewRepository {
  const read = (unit: CosmosUnit, tenantId: string, id: string): Promise<Doc | null> => unit.get('entities', tenantId, docId(REVIEW, id));
  return {
    list: (tenantId, filter: DedupReviewFilter = {}) =>
      runner.run((unit) =>
        pageQuery(
          unit,
          'entities',
          { kind: REVIEW, pk: tenantId, sort: 'createdAt', ...(filter.status === undefined ? {} : { where: ['c.status = @status'], parameters: { status: filter.status } }) },
          filter,
          (doc) => fromDoc<DedupReview>(doc),
        ),
      ),
    get: (tenantId, id) =>
      runner.run(async (unit) => {
        const doc = await read(unit, tenantId, id);
        return doc ? fromDoc<DedupReview>(doc) : null;
      }),
    resolve: (tenantId, id, status, resolution, resolvedAt) =>
      runner.run(async (unit) => {
        const doc = await read(unit, tenantId, id);
        if (!doc || doc.status !== 'open') return false;
        unit.put('entities', { ...doc, status, resolution, resolvedAt });
        return true;
      }),
    dismissPair: (tenantId, a, b, at) =>
      runner.run(async (unit) => {
        const id = dismissedPairId(a, b);
        if (await unit.get('entities', tenantId, id)) return;
        const [left, right] = orderedPair(a, b);
        unit.create('entities', { ...toDoc(DISMISSED_PAIR, tenantId, '', { leftId: left, rightId: right, createdAt: at }), id });
      }),
    isPairDismissed: (tenantId, a, b) => runner.run(async (unit) => (await unit.get('entities', tenantId, dismissedPairId(a, b))) !== null),
  };
}

export function cosmosMerges(runner: UnitRunner): MergeRepository {
  const read = (unit: CosmosUnit, tenantId: string, id: string): Promise<Doc | null> => unit.get('entities', tenantId, docId(MERGE, id));
  return {
    insert: (lineage) => runner.run(async (unit) => unit.create('entities', toDoc(MERGE, lineage.tenantId, lineage.id, lineage))),
    get: (tenantId, id) =>
      runner.run(async (unit) => {
        const doc = await read(unit, tenantId, id);
        return doc ? fromDoc<MergeLineage>(doc) : null;
      }),
    listByEntity: (tenantId, entityId, page) =>
      runner.run((unit) =>
        pageQuery(
          unit,
          'entities',
          { kind: MERGE, pk: tenantId, sort: 'mergedAt', descending: true, where: ['(c.survivorId = @entityId OR c.mergedId = @entityId)'], parameters: { entityId } },
          page,
          (doc) => fromDoc<MergeLineage>(doc),
        ),
      ),
    markUndone: (tenantId, id, at) =>
      runner.run(async (unit) => {
        const doc = await read(unit, tenantId, id);
        if (!doc || doc.undoneAt !== null) return false;
        unit.put('entities', { ...doc, undoneAt: at });
        return true;
      }),
    setEntityState: (tenantId, id, state, at) =>
      runner.run(async (unit) => {
        const doc = await unit.get('entities', tenantId, docId(ENTITY, id));
        if (!doc) return false;
        unit.put('entities', { ...doc, ...state, updatedAt: at });
        return true;
      }),
    moveLinks: (tenantId, linkIds, entityId) =>
      runner.run(async (unit) => {
        if (linkIds.length === 0) return 0;
        // Only onto an entity of this tenant: a foreign id moves nothing.
        if (!(await unit.get('entities', tenantId, docId(ENTITY, entityId)))) return 0;
        const links = await unit.query<LinkDoc>('entities', 'SELECT * FROM c WHERE c.docKind = @kind AND ARRAY_CONTAINS(@ids, c.rid)', { kind: LINK, ids: [...new Set(linkIds)] }, tenantId);
        for (const link of links) unit.put('entities', { ...link, entityId });
        return links.length;
      }),
    insertRelationships: (tenantId, relationships) =>
      runner.run(async (unit) => {
        for (const r of relationships) {
          const id = relationshipDocId(r.fromEntityId, r.kind, r.toEntityId);
          if (await unit.get('entities', tenantId, id)) continue;
          const ends = await Promise.all([r.fromEntityId, r.toEntityId].map((e) => unit.get('entities', tenantId, docId(ENTITY, e))));
          if (ends.some((end) => end === null)) continue;
          unit.create('entities', { ...toDoc(RELATIONSHIP, tenantId, '', { tenantId, ...r }), id });
        }
      }),
    deleteRelationships: (tenantId, relationships) =>
      runner.run(async (unit) => {
        for (const r of relationships) {
          const id = relationshipDocId(r.fromEntityId, r.kind, r.toEntityId);
          if (await unit.get('entities', tenantId, id)) unit.delete('entities', tenantId, id);
        }
      }),
    deleteMatchKeys: (tenantId, entityId, keys) =>
      runner.run(async (unit) => {
        for (const k of keys) {
          const id = docId(MATCH_KEY, `${k.entityType}|${k.key}|${entityId}`);
          if (await unit.get('entities', tenantId, id)) unit.delete('entities', tenantId, id);
        }
      }),
  };
}

export function cosmosLinkSweep(runner: UnitRunner): LinkSweepRepository {
  return {
    markSeen: (tenantId, connectionId, object, externalIds, at) =>
      runner.run(async (unit) => {
        if (externalIds.length === 0) return;
        const links = await unit.query<LinkDoc>(
          'entities',
          'SELECT * FROM c WHERE c.docKind = @kind AND c.connectionId = @connectionId AND c.object = @object AND ARRAY_CONTAINS(@ids, c.externalId) AND (IS_NULL(c.lastSyncedAt) OR c.lastSyncedAt < @at)',
          { kind: LINK, connectionId, object, ids: [...new Set(externalIds)], at },
          tenantId,
        );
        for (const link of links) unit.put('entities', { ...link, lastSyncedAt: at });
      }),
    listUnseen: (query) =>
      runner.run(async (unit) => {
        const links = await unit.query<LinkDoc>(
          'entities',
          `SELECT TOP ${top(query.limit)} * FROM c WHERE c.docKind = @kind AND c.connectionId = @connectionId AND c.object = @object AND IS_NULL(c.tombstonedAt)
           AND (IS_NULL(c.lastSyncedAt) OR c.lastSyncedAt < @seenSince)${query.afterExternalId === null ? '' : ' AND c.externalId > @after'} ORDER BY c.externalId ASC`,
          { kind: LINK, connectionId: query.connectionId, object: query.object, seenSince: query.seenSince, ...(query.afterExternalId === null ? {} : { after: query.afterExternalId }) },
          query.tenantId,
        );
        return linked(unit, query.tenantId, links);
      }),
  };
}
