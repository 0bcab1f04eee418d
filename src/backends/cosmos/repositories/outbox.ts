import type { Clock } from '../../../ports/clock.ts';
import type { CreateIntent, OutboxRepository, OutboxRow, PushTarget } from '../../../ports/store.ts';
import { docId, expiryFields, fromDoc, toDoc, top } from '../documents.ts';
import type { UnitRunner } from '../runner.ts';
import type { CosmosUnit, Doc } from '../unit.ts';
import { LINK, OUTBOX } from './entity-kinds.ts';

/**
 * The outbox and the push bookkeeping on Cosmos DB, in the tenant's partition of
 * `entities` beside the entity changes they announce (applyBatch writes the rows in the
 * same batch). `listUnrelayed` and `markRelayed` are the relay's cross-partition reads.
 */

const INTENT = 'createintent';

const readRow = (unit: CosmosUnit, tenantId: string, id: string): Promise<Doc | null> => unit.get('entities', tenantId, docId(OUTBOX, id));

export function cosmosOutbox(runner: UnitRunner, clock: Clock): OutboxRepository {
  const write = (unit: CosmosUnit, row: OutboxRow): void => unit.put('entities', toDoc(OUTBOX, row.tenantId, row.id, row, expiryFields(row.expiresAt, clock)));
  return {
    get: (tenantId, id) =>
      runner.run(async (unit) => {
        const doc = await readRow(unit, tenantId, id);
        return doc ? fromDoc<OutboxRow>(doc) : null;
      }),
    list: (tenantId, options = {}) =>
      runner.run(async (unit) => {
        const docs = await unit.query<Doc>(
          'entities',
          `SELECT TOP ${Math.min(500, top(options.limit ?? 500))} * FROM c WHERE c.docKind = @kind${options.pending ? ' AND IS_NULL(c.processedAt)' : ''} ORDER BY c.createdAt DESC, c.id DESC`,
          { kind: OUTBOX },
          tenantId,
        );
        return docs.map((doc) => fromDoc<OutboxRow>(doc));
      }),
    listUnrelayed: (limit) =>
      runner.run(async (unit) => {
        const docs = await unit.query<Doc>(
          'entities',
          `SELECT TOP ${top(limit)} * FROM c WHERE c.docKind = @kind AND IS_NULL(c.processedAt) AND IS_NULL(c.relayedAt) ORDER BY c.createdAt ASC, c.id ASC`,
          { kind: OUTBOX },
        );
        return docs.map((doc) => fromDoc<OutboxRow>(doc));
      }),
    markRelayed: (ids, at) =>
      runner.run(async (unit) => {
        if (ids.length === 0) return;
        const docs = await unit.query<Doc>('entities', 'SELECT * FROM c WHERE c.docKind = @kind AND ARRAY_CONTAINS(@ids, c.rid)', { kind: OUTBOX, ids: [...new Set(ids)] });
        for (const doc of docs) {
          const row = fromDoc<OutboxRow>(doc);
          if (row.relayedAt === null) write(unit, { ...row, relayedAt: at });
        }
      }),
    markProcessed: (tenantId, id, at, outcome, expiresAt) =>
      runner.run(async (unit) => {
        const doc = await readRow(unit, tenantId, id);
        if (!doc) return;
        const row = fromDoc<OutboxRow>(doc);
        if (row.processedAt === null) write(unit, { ...row, processedAt: at, outcome, expiresAt });
      }),
    recordOutcome: (tenantId, id, outcome) =>
      runner.run(async (unit) => {
        const doc = await readRow(unit, tenantId, id);
        if (!doc) return;
        const row = fromDoc<OutboxRow>(doc);
        if (row.processedAt === null) write(unit, { ...row, outcome });
      }),
    pushTargets: (tenantId, entityId) =>
      runner.run(async (unit) => {
        const docs = await unit.query<Doc>(
          'entities',
          'SELECT * FROM c WHERE c.docKind = @kind AND c.entityId = @entityId AND IS_NULL(c.tombstonedAt) ORDER BY c.createdAt ASC, c.id ASC',
          { kind: LINK, entityId },
          tenantId,
        );
        return docs.map(
          (doc): PushTarget => ({
            linkId: String(doc.rid), connectionId: String(doc.connectionId), integrationId: (doc.integrationId as string | null) ?? null, object: String(doc.object),
            externalId: String(doc.externalId), recordId: (doc.recordId as string | null) ?? null, remoteVersion: (doc.remoteVersion as string | null) ?? null,
            baseSnapshot: (doc.baseSnapshot as Record<string, unknown> | null) ?? null, pushedHash: (doc.pushedHash as string | null) ?? null,
          }),
        );
      }),
    recordPush: (tenantId, linkId, push) =>
      runner.run(async (unit) => {
        const [doc] = await unit.query<Doc>('entities', 'SELECT * FROM c WHERE c.docKind = @kind AND c.rid = @linkId', { kind: LINK, linkId }, tenantId);
        if (doc) unit.put('entities', { ...doc, remoteVersion: push.remoteVersion, baseSnapshot: push.baseSnapshot, pushedHash: push.pushedHash, lastSyncedAt: push.at, remoteModifiedAt: push.remoteModifiedAt ?? doc.remoteModifiedAt ?? null });
      }),
    beginCreate: (intent) =>
      runner.run(async (unit) => {
        const id = docId(INTENT, `${intent.entityId}|${intent.integrationId}`);
        const existing = await unit.get('entities', intent.tenantId, id);
        if (existing) return fromDoc<CreateIntent>(existing);
        // Created with the id as key: of two concurrent callers one commits, the other runs again and reads it.
        unit.create('entities', { ...toDoc(INTENT, intent.tenantId, '', intent), id });
        return null;
      }),
    endCreate: (tenantId, entityId, integrationId) =>
      runner.run(async (unit) => {
        const id = docId(INTENT, `${entityId}|${integrationId}`);
        if (await unit.get('entities', tenantId, id)) unit.delete('entities', tenantId, id);
      }),
  };
}
