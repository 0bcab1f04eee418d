import type { Entity, EntityChange, EntityLink, Relationship } from '../../../domain/entity.ts';
import type { DedupReview } from '../../../domain/review.ts';
import type { EntityFilter, EntityRepository, EntityWriteBatch, LinkedEntity } from '../../../ports/store.ts';
import { docId, fromDoc, pageQuery, toDoc, top } from '../documents.ts';
import type { UnitRunner } from '../runner.ts';
import { ENTITY, LINK, MATCH_KEY, MERGE, OUTBOX, RELATIONSHIP, REVIEW, dismissedPairId } from './entity-kinds.ts';
import type { CosmosUnit, Doc } from '../unit.ts';

/**
 * The entity store on Cosmos DB: every document of a tenant's entity graph (entities,
 * links, relationships, the change feed and its counter, match keys, dedup reviews, the
 * integrations' cursors) lives in the tenant's partition of `entities`, so a page's
 * writes are one partition's transactional batches. Uniqueness is carried by the ids:
 * a link's id is its (connection, object, external id) key, a relationship's its
 * (from, kind, to), a match key's its (type, key, entity).
 */

const CHANGE = 'change';
const COUNTER = 'counter';
const MATCH_SOURCE = 'mksrc';

const linkDocId = (connectionId: string, object: string, externalId: string): string => docId(LINK, `${connectionId}|${object}|${externalId}`);
export const relationshipDocId = (from: string, kind: string, to: string): string => docId(RELATIONSHIP, `${from}|${kind}|${to}`);

export interface LinkDoc extends Doc {
  readonly rid: string;
  readonly entityId: string;
  readonly connectionId: string;
  readonly object: string;
  readonly externalId: string;
  readonly recordId: string | null;
  readonly remoteVersion: string | null;
  readonly baseSnapshot: Record<string, unknown> | null;
  readonly tombstonedAt: string | null;
  readonly remoteModifiedAt?: string | null;
}

/** Documents of `kind` in the tenant's partition whose `field` is one of `values` (one query). */
function byValues<T extends Doc>(unit: CosmosUnit, tenantId: string, kind: string, field: string, values: readonly string[], extra = '', parameters: Record<string, unknown> = {}): Promise<T[]> {
  if (values.length === 0) return Promise.resolve([]);
  return unit.query<T>('entities', `SELECT * FROM c WHERE c.docKind = @kind AND ARRAY_CONTAINS(@values, c.${field})${extra}`, { ...parameters, kind, values: [...new Set(values)] }, tenantId);
}

async function entitiesById(unit: CosmosUnit, tenantId: string, ids: readonly string[]): Promise<Map<string, Entity>> {
  const docs = await byValues(unit, tenantId, ENTITY, 'id', ids.map((id) => docId(ENTITY, id)));
  return new Map(docs.map((doc) => [String(doc.rid), fromDoc<Entity>(doc)]));
}

export async function linked(unit: CosmosUnit, tenantId: string, links: readonly LinkDoc[]): Promise<LinkedEntity[]> {
  const entities = await entitiesById(unit, tenantId, links.map((link) => link.entityId));
  return links.flatMap((link) => {
    const entity = entities.get(link.entityId);
    if (!entity) return [];
    return [{ linkId: link.rid, object: link.object, externalId: link.externalId, recordId: link.recordId, remoteVersion: link.remoteVersion, baseSnapshot: link.baseSnapshot, tombstonedAt: link.tombstonedAt, remoteModifiedAt: link.remoteModifiedAt ?? null, entity }];
  });
}

function toLink(doc: LinkDoc): EntityLink {
  const { recordId: _recordId, remoteModifiedAt: _modifiedAt, ...link } = fromDoc<EntityLink & { recordId: string | null; remoteModifiedAt?: string | null }>(doc);
  return link;
}

/** Creates each document of `docs` not already stored, nor created earlier in this unit (one query for all). */
async function createMissing(unit: CosmosUnit, tenantId: string, docs: readonly Doc[]): Promise<void> {
  const unique = new Map(docs.map((doc) => [doc.id, doc]));
  if (unique.size === 0) return;
  // Whole documents: the query records what exists (and its ETag) in the unit.
  await unit.query<Doc>('entities', 'SELECT * FROM c WHERE ARRAY_CONTAINS(@ids, c.id)', { ids: [...unique.keys()] }, tenantId);
  for (const doc of unique.values()) unit.createIfAbsent('entities', doc);
}

async function applyBatch(unit: CosmosUnit, batch: EntityWriteBatch): Promise<void> {
  const { tenantId, at } = batch;
  for (const e of batch.entityInserts) {
    const entity: Entity = { id: e.id, tenantId, type: e.type, fields: e.fields, version: 1, createdAt: at, updatedAt: at, deletedAt: null, mergedInto: null };
    unit.create('entities', toDoc(ENTITY, tenantId, e.id, entity));
  }
  if (batch.entityUpdates.length > 0) {
    const current = await entitiesById(unit, tenantId, batch.entityUpdates.map((e) => e.id));
    for (const e of batch.entityUpdates) {
      const entity = current.get(e.id);
      if (entity) unit.put('entities', toDoc(ENTITY, tenantId, e.id, { ...entity, fields: e.fields, version: e.version, deletedAt: e.deletedAt, updatedAt: at }));
    }
  }
  for (const l of batch.linkInserts) {
    const link = { ...l, remoteModifiedAt: l.remoteModifiedAt ?? null, tenantId, pushedHash: null, lastSyncedAt: at, createdAt: at };
    unit.create('entities', { ...toDoc(LINK, tenantId, l.id, link), id: linkDocId(l.connectionId, l.object, l.externalId) });
  }
  if (batch.linkUpdates.length > 0) {
    const current = new Map((await byValues<LinkDoc>(unit, tenantId, LINK, 'rid', batch.linkUpdates.map((l) => l.id))).map((doc) => [doc.rid, doc]));
    for (const l of batch.linkUpdates) {
      const doc = current.get(l.id);
      if (!doc) continue;
      unit.put('entities', { ...doc, recordId: l.recordId ?? doc.recordId, remoteVersion: l.remoteVersion, baseSnapshot: l.baseSnapshot, tombstonedAt: l.tombstonedAt, lastSyncedAt: at, remoteModifiedAt: l.remoteModifiedAt ?? doc.remoteModifiedAt ?? null });
    }
  }
  await createMissing(
    unit,
    tenantId,
    batch.relationships.map((r) => ({ ...toDoc(RELATIONSHIP, tenantId, '', { tenantId, ...r, createdAt: at }), id: relationshipDocId(r.fromEntityId, r.kind, r.toEntityId) })),
  );
  if (batch.changes.length > 0) {
    // The feed's sequence: a counter document in the same partition, so the ETag check orders concurrent pages.
    const counterId = docId(COUNTER, 'feed');
    const counter = await unit.get('entities', tenantId, counterId);
    let seq = counter ? Number(counter.value) : 0;
    for (const c of batch.changes) {
      seq += 1;
      unit.create('entities', toDoc(CHANGE, tenantId, String(seq).padStart(15, '0'), { seq, tenantId, entityId: c.entityId, change: c.change, at }));
    }
    const next = toDoc(COUNTER, tenantId, 'feed', { value: seq });
    if (counter) unit.put('entities', next);
    else unit.create('entities', next);
  }
  await createMissing(unit, tenantId, [
    ...batch.matchKeys.map((k) => toDoc(MATCH_KEY, tenantId, `${k.entityType}|${k.key}|${k.entityId}`, { entityType: k.entityType, key: k.key, entityId: k.entityId })),
    ...batch.matchKeys.map((k) => toDoc(MATCH_SOURCE, tenantId, `${k.entityType}|${k.connectionId}|${k.object}`, { entityType: k.entityType, connectionId: k.connectionId, object: k.object })),
  ]);
  for (const r of batch.reviews) {
    // A pair a person judged distinct is never proposed again (see DedupReviewRepository).
    const ids = r.payload.entityIds;
    if (Array.isArray(ids) && ids.length === 2 && (await unit.get('entities', tenantId, dismissedPairId(String(ids[0]), String(ids[1]))))) continue;
    unit.create('entities', toDoc(REVIEW, tenantId, r.id, r));
  }
  // Lineage of the page's automatic dedup links, as MergeRepository.insert writes it.
  for (const m of batch.merges ?? []) unit.create('entities', toDoc(MERGE, tenantId, m.id, m));
  for (const o of batch.outbox ?? []) {
    unit.create('entities', toDoc(OUTBOX, tenantId, o.id, { ...o, tenantId, createdAt: at, processedAt: null, expiresAt: null, relayedAt: null, outcome: null }, { expiresAtMs: null }));
  }
}

export function cosmosEntities(runner: UnitRunner): EntityRepository {
  return {
    findLinks: (tenantId, connectionId, keys) =>
      runner.run(async (unit) => {
        const links = await byValues<LinkDoc>(unit, tenantId, LINK, 'id', keys.map((k) => linkDocId(connectionId, k.object, k.externalId)));
        return linked(unit, tenantId, links);
      }),
    // The entity is read as findLinks reads it: a link whose entity document is gone points nowhere.
    findLinkTargets: (tenantId, connectionId, keys) =>
      runner.run(async (unit) => {
        const links = await byValues<LinkDoc>(unit, tenantId, LINK, 'id', keys.map((k) => linkDocId(connectionId, k.object, k.externalId)));
        return (await linked(unit, tenantId, links)).map((l) => ({ object: l.object, externalId: l.externalId, entityId: l.entity.id }));
      }),
    findLinksByRecordId: (tenantId, connectionId, object, recordIds) =>
      runner.run(async (unit) => {
        const links = await byValues<LinkDoc>(unit, tenantId, LINK, 'recordId', recordIds, ' AND c.connectionId = @connectionId AND c.object = @object', { connectionId, object });
        return linked(unit, tenantId, links);
      }),
    countLiveLinks: (tenantId, entityIds) =>
      runner.run(async (unit) => {
        const counts = new Map<string, number>();
        for (const link of await byValues<LinkDoc>(unit, tenantId, LINK, 'entityId', entityIds, ' AND IS_NULL(c.tombstonedAt)')) {
          counts.set(link.entityId, (counts.get(link.entityId) ?? 0) + 1);
        }
        return counts;
      }),
    findByMatchKeys: (tenantId, entityType, keys, excludeConnectionId, excludeObject) =>
      runner.run(async (unit) => {
        if (keys.length === 0) return [];
        const other = await unit.query<Doc>(
          'entities',
          'SELECT TOP 1 c.id FROM c WHERE c.docKind = @kind AND c.entityType = @entityType AND NOT (c.connectionId = @connectionId AND c.object = @object)',
          { kind: MATCH_SOURCE, entityType, connectionId: excludeConnectionId, object: excludeObject },
          tenantId,
        );
        if (other.length === 0) return [];
        const matches = await byValues(unit, tenantId, MATCH_KEY, 'key', keys, ' AND c.entityType = @entityType', { entityType });
        const entityIds = matches.map((m) => String(m.entityId));
        const entities = await entitiesById(unit, tenantId, entityIds);
        const sameSource = new Set(
          (await byValues<LinkDoc>(unit, tenantId, LINK, 'entityId', entityIds, ' AND c.connectionId = @connectionId AND c.object = @object AND IS_NULL(c.tombstonedAt)', {
            connectionId: excludeConnectionId,
            object: excludeObject,
          })).map((link) => link.entityId),
        );
        const seen = new Set<string>();
        return matches.flatMap((m) => {
          const entityId = String(m.entityId);
          const entity = entities.get(entityId);
          const pair = `${String(m.key)}\u0000${entityId}`;
          if (!entity || entity.deletedAt !== null || entity.mergedInto !== null || sameSource.has(entityId) || seen.has(pair)) return [];
          seen.add(pair);
          return [{ key: String(m.key), entityId }];
        });
      }),
    getMany: (tenantId, ids) => runner.run(async (unit) => [...(await entitiesById(unit, tenantId, ids)).values()]),
    applyBatch: (batch) => runner.run((unit) => applyBatch(unit, batch)),
    get: (tenantId, id) =>
      runner.run(async (unit) => {
        const doc = await unit.get('entities', tenantId, docId(ENTITY, id));
        return doc ? fromDoc<Entity>(doc) : null;
      }),
    list: (tenantId, filter: EntityFilter = {}) =>
      runner.run(async (unit) => {
        const where: string[] = [];
        const parameters: Record<string, unknown> = {};
        if (filter.type !== undefined) {
          where.push('c.type = @type');
          parameters.type = filter.type;
        }
        if (filter.updatedSince !== undefined) {
          where.push('c.updatedAt >= @since');
          parameters.since = filter.updatedSince;
        }
        if (filter.includeDeleted !== true) where.push('IS_NULL(c.deletedAt)');
        if (filter.provider !== undefined) {
          // No joins across containers: the provider's connections first, then the entities their links reach.
          const connections = await unit.query<Doc>('connections', "SELECT c.rid FROM c WHERE c.docKind = 'connection' AND c.provider = @provider", { provider: filter.provider }, tenantId);
          const links = await byValues<LinkDoc>(unit, tenantId, LINK, 'connectionId', connections.map((c) => String(c.rid)));
          where.push('ARRAY_CONTAINS(@providerEntities, c.rid)');
          parameters.providerEntities = [...new Set(links.map((l) => l.entityId))];
        }
        return pageQuery(unit, 'entities', { kind: ENTITY, pk: tenantId, sort: 'createdAt', where, parameters }, filter, (doc) => fromDoc<Entity>(doc));
      }),
    linksOf: (tenantId, entityId) =>
      runner.run(async (unit) => {
        const docs = await unit.query<LinkDoc>('entities', 'SELECT * FROM c WHERE c.docKind = @kind AND c.entityId = @entityId ORDER BY c.createdAt ASC, c.id ASC', { kind: LINK, entityId }, tenantId);
        return docs.map(toLink);
      }),
    relationshipsOf: (tenantId, entityId) =>
      runner.run(async (unit) => {
        const docs = await unit.query<Doc>('entities', 'SELECT * FROM c WHERE c.docKind = @kind AND (c.fromEntityId = @entityId OR c.toEntityId = @entityId)', { kind: RELATIONSHIP, entityId }, tenantId);
        const all = docs.map((doc) => fromDoc<Relationship>(doc)).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
        return { outgoing: all.filter((r) => r.fromEntityId === entityId), incoming: all.filter((r) => r.toEntityId === entityId) };
      }),
    changes: (tenantId, sinceSeq, limit, entityId) =>
      runner.run(async (unit) => {
        const docs = await unit.query<Doc>(
          'entities',
          `SELECT TOP ${Math.max(1, top(limit))} * FROM c WHERE c.docKind = @kind AND c.seq > @since${entityId === undefined ? '' : ' AND c.entityId = @entityId'} ORDER BY c.seq ASC`,
          { kind: CHANGE, since: sinceSeq, ...(entityId === undefined ? {} : { entityId }) },
          tenantId,
        );
        return docs.map((doc) => fromDoc<EntityChange>(doc));
      }),
    listReviews: (tenantId, status) =>
      runner.run(async (unit) => {
        const docs = await unit.query<Doc>(
          'entities',
          `SELECT * FROM c WHERE c.docKind = @kind${status === undefined ? '' : ' AND c.status = @status'} ORDER BY c.createdAt ASC, c.id ASC`,
          { kind: REVIEW, ...(status === undefined ? {} : { status }) },
          tenantId,
        );
        return docs.map((doc) => fromDoc<DedupReview>(doc));
      }),
  };
}
