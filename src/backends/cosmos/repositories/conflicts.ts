import { TributaryError } from '../../../domain/errors.ts';
import type { ConflictReview } from '../../../domain/review.ts';
import type { ConflictFilter, ConflictRepository } from '../../../ports/store.ts';
import { countRunConflicts } from '../../rows/conflict-rows.ts';
import { docId, fromDoc, pageQuery, toDoc } from '../documents.ts';
import type { UnitRunner } from '../runner.ts';
import type { CosmosUnit, Doc } from '../unit.ts';
import { ENTITY } from './entity-kinds.ts';
import { requireTenant } from './tenancy.ts';

/**
 * The conflict review queue on Cosmos DB, in the tenant's partition of `entities`: the
 * conflicts a pull page finds commit in the same batches as the page's entity writes.
 * `close` and `replaceOpen` read the row and write it back under its ETag, so of two
 * reviewers closing one conflict the second finds it closed.
 */

const CONFLICT = 'conflict';

/** NOT_FOUND unless the conflict's tenant, entity and integration exist (each checked once per call). */
async function requireReferences(unit: CosmosUnit, conflict: ConflictReview, checked: Set<string>): Promise<void> {
  const { tenantId, entityId, integrationId } = conflict;
  const once = async (key: string, check: () => Promise<void>): Promise<void> => {
    if (checked.has(key)) return;
    await check();
    checked.add(key);
  };
  const exists = async (container: 'entities' | 'integrations', kind: string, id: string, field: string): Promise<void> => {
    if (!(await unit.get(container, tenantId, docId(kind, id)))) throw new TributaryError('NOT_FOUND', `No such ${kind}`, { field });
  };
  await once(`t|${tenantId}`, () => requireTenant(unit, tenantId));
  if (entityId !== null) await once(`e|${tenantId}|${entityId}`, () => exists('entities', ENTITY, entityId, 'entityId'));
  if (integrationId !== null) await once(`i|${tenantId}|${integrationId}`, () => exists('integrations', 'integration', integrationId, 'integrationId'));
}

export function cosmosConflicts(runner: UnitRunner): ConflictRepository {
  const read = (unit: CosmosUnit, tenantId: string, id: string): Promise<Doc | null> => unit.get('entities', tenantId, docId(CONFLICT, id));
  return {
    insertMany: (conflicts) =>
      runner.run(async (unit) => {
        const seen = new Set<string>();
        for (const conflict of conflicts) {
          await requireReferences(unit, conflict, seen);
          unit.create('entities', toDoc(CONFLICT, conflict.tenantId, conflict.id, conflict));
        }
      }),
    get: (tenantId, id) =>
      runner.run(async (unit) => {
        const doc = await read(unit, tenantId, id);
        return doc ? fromDoc<ConflictReview>(doc) : null;
      }),
    list: (tenantId, filter: ConflictFilter = {}) =>
      runner.run((unit) => {
        const where: string[] = [];
        const parameters: Record<string, unknown> = {};
        for (const field of ['status', 'integrationId', 'entityId'] as const) {
          if (filter[field] === undefined) continue;
          where.push(`c.${field} = @${field}`);
          parameters[field] = filter[field];
        }
        return pageQuery(unit, 'entities', { kind: CONFLICT, pk: tenantId, sort: 'createdAt', where, parameters }, filter, (doc) => fromDoc<ConflictReview>(doc));
      }),
    openForEntities: (tenantId, entityIds) =>
      runner.run(async (unit) => {
        if (entityIds.length === 0) return [];
        const docs = await unit.query<Doc>(
          'entities',
          "SELECT * FROM c WHERE c.docKind = @kind AND c.status = 'open' AND ARRAY_CONTAINS(@ids, c.entityId) ORDER BY c.createdAt ASC, c.id ASC",
          { kind: CONFLICT, ids: [...new Set(entityIds)] },
          tenantId,
        );
        return docs.map((doc) => fromDoc<ConflictReview>(doc));
      }),
    replaceOpen: (tenantId, id, payload) =>
      runner.run(async (unit) => {
        const doc = await read(unit, tenantId, id);
        if (!doc || doc.status !== 'open') return false;
        unit.put('entities', { ...doc, payload });
        return true;
      }),
    close: (tenantId, id, close) =>
      runner.run(async (unit) => {
        const doc = await read(unit, tenantId, id);
        if (!doc || doc.status !== 'open') return null;
        const closed: ConflictReview = { ...fromDoc<ConflictReview>(doc), status: close.status, resolution: close.resolution, resolvedAt: close.resolvedAt };
        unit.put('entities', toDoc(CONFLICT, tenantId, id, closed));
        return closed;
      }),
    countForRun: (tenantId, runId, since) =>
      runner.run(async (unit) => {
        const docs = await unit.query<Doc>('entities', 'SELECT * FROM c WHERE c.docKind = @kind AND c.createdAt >= @since AND c.payload.runId = @runId', { kind: CONFLICT, since, runId }, tenantId);
        return countRunConflicts(docs.map((doc) => fromDoc<ConflictReview>(doc)));
      }),
  };
}
