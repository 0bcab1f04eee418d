import { randomUUID } from 'node:crypto';
import { TributaryError } from '../../../domain/errors.ts';
import type { Integration, SyncPriority } from '../../../domain/integration.ts';
import type { RunRecordError, SyncResult } from '../../../domain/sync-run.ts';
import type { Clock } from '../../../ports/clock.ts';
import type { DueIntegration, IntegrationRepository, SyncRunDetail, SyncRunRepository } from '../../../ports/store.ts';
import { docId, expiryFields, fromDoc, pageQuery, toDoc, top, withPatch } from '../documents.ts';
import type { UnitRunner } from '../runner.ts';
import { staleRun } from '../../rows/run-rows.ts';
import type { CosmosUnit, Doc } from '../unit.ts';
import { getConnectionDoc } from './connections.ts';
import { LINK } from './entity-kinds.ts';
import { requireTenant } from './tenancy.ts';

/**
 * Integrations, their schedule (`sync-tasks`, one task per integration), runs and results
 * on Cosmos DB. The committed cursor, the runs and their record errors are documents in
 * the tenant's partition of `entities`: everything a pull page writes (entities, links,
 * feed, conflicts, record errors, the run's progress and the cursor) then falls in one
 * partition of one container and commits as one transactional batch (up to 100 writes).
 * Sync results, the reference's own container, stay in `sync-results`.
 */

const INTEGRATION = 'integration';
const TASK = 'task';
const CURSOR = 'cursor';
const PRIORITY_RANK: Record<SyncPriority, number> = { high: 0, normal: 1, low: 2 };

type StoredIntegration = Omit<Integration, 'cursor' | 'cursorUpdatedAt'>;

function taskDoc(integration: StoredIntegration, nextScheduled: string | null, createdAt: string, updatedAt: string): Doc {
  return toDoc(TASK, integration.tenantId, integration.id, {
    integrationId: integration.id,
    tenantId: integration.tenantId,
    connectionId: integration.connectionId,
    syncMode: integration.direction,
    priority: integration.priority,
    priorityRank: PRIORITY_RANK[integration.priority],
    status: 'pending',
    nextScheduled,
    enabled: integration.enabled,
    type: 'scheduled',
    createdAt,
    updatedAt,
  });
}

async function withCursor(unit: CosmosUnit, doc: Doc): Promise<Integration> {
  const stored = fromDoc<StoredIntegration>(doc);
  const cursor = await unit.get('entities', stored.tenantId, docId(CURSOR, stored.id));
  return { ...stored, cursor: cursor ? (cursor.cursor ?? null) : null, cursorUpdatedAt: cursor ? (cursor.at as string) : null };
}

export function cosmosIntegrations(runner: UnitRunner): IntegrationRepository {
  const read = (unit: CosmosUnit, tenantId: string, id: string): Promise<Doc | null> => unit.get('integrations', tenantId, docId(INTEGRATION, id));
  return {
    insert: (integration, nextScheduled) =>
      runner.run(async (unit) => {
        await requireTenant(unit, integration.tenantId);
        if (!(await getConnectionDoc(unit, integration.tenantId, integration.connectionId))) {
          throw new TributaryError('NOT_FOUND', 'No such connection', { field: 'connectionId' });
        }
        const { cursor, cursorUpdatedAt, ...stored } = integration;
        unit.create('integrations', toDoc(INTEGRATION, integration.tenantId, integration.id, stored));
        unit.create('sync-tasks', taskDoc(stored, nextScheduled, integration.createdAt, integration.updatedAt));
        if (cursor !== null && cursor !== undefined) {
          unit.create('entities', toDoc(CURSOR, integration.tenantId, integration.id, { cursor, at: cursorUpdatedAt ?? integration.updatedAt }));
        }
      }),
    get: (tenantId, id) =>
      runner.run(async (unit) => {
        const doc = await read(unit, tenantId, id);
        return doc ? withCursor(unit, doc) : null;
      }),
    list: (tenantId, page = {}) =>
      runner.run(async (unit) => {
        const filter = page.connectionId === undefined ? {} : { where: ['c.connectionId = @connectionId'], parameters: { connectionId: page.connectionId } };
        const docs = await pageQuery(unit, 'integrations', { kind: INTEGRATION, sort: 'createdAt', pk: tenantId, ...filter }, page, (doc) => doc);
        return { items: await Promise.all(docs.items.map((doc) => withCursor(unit, doc))), nextCursor: docs.nextCursor };
      }),
    update: (tenantId, id, patch, updatedAt) =>
      runner.run(async (unit) => {
        const doc = await read(unit, tenantId, id);
        if (!doc) return null;
        const stored = withPatch(fromDoc<StoredIntegration>(doc), patch, { updatedAt });
        unit.put('integrations', toDoc(INTEGRATION, tenantId, id, stored));
        const task = await unit.get('sync-tasks', tenantId, docId(TASK, id));
        if (task) unit.put('sync-tasks', taskDoc(stored, (task.nextScheduled as string | null) ?? null, String(task.createdAt), updatedAt));
        return withCursor(unit, toDoc(INTEGRATION, tenantId, id, stored));
      }),
    delete: (tenantId, id) =>
      runner.run(async (unit) => {
        const doc = await read(unit, tenantId, id);
        if (!doc) return false;
        unit.delete('integrations', tenantId, doc.id);
        for (const [container, kind] of [['sync-tasks', TASK], ['entities', CURSOR]] as const) {
          if (await unit.get(container, tenantId, docId(kind, id))) unit.delete(container, tenantId, docId(kind, id));
        }
        // The links it wrote stay, no longer naming it, as in the SQL stores.
        const links = await unit.query<Doc>('entities', 'SELECT * FROM c WHERE c.docKind = @kind AND c.integrationId = @id', { kind: LINK, id }, tenantId);
        for (const link of links) unit.put('entities', { ...link, integrationId: null });
        return true;
      }),
    setCursor: (tenantId, id, cursor, at) =>
      runner.run(async (unit) => {
        const doc = toDoc(CURSOR, tenantId, id, { cursor: cursor ?? null, at });
        if (await unit.get('entities', tenantId, doc.id)) unit.put('entities', doc);
        else unit.create('entities', doc);
      }),
    setNextScheduled: (tenantId, id, nextScheduled, at) =>
      runner.run(async (unit) => {
        const task = await unit.get('sync-tasks', tenantId, docId(TASK, id));
        if (task) unit.put('sync-tasks', { ...task, nextScheduled, updatedAt: at });
      }),
    getNextScheduled: (tenantId, id) =>
      runner.run(async (unit) => {
        const task = await unit.get('sync-tasks', tenantId, docId(TASK, id));
        return (task?.nextScheduled as string | null | undefined) ?? null;
      }),
    listDue: (now, limit) =>
      runner.run(async (unit) => {
        const docs = await unit.query<Doc>(
          'sync-tasks',
          `SELECT TOP ${top(limit)} * FROM c WHERE c.docKind = @kind AND c.enabled = true AND c.syncMode != 'push' AND IS_STRING(c.nextScheduled) AND c.nextScheduled <= @now
           ORDER BY c.priorityRank ASC, c.nextScheduled ASC, c.id ASC`,
          { kind: TASK, now },
        );
        return docs.map(
          (doc): DueIntegration => ({ tenantId: doc.pk, integrationId: String(doc.integrationId), priority: doc.priority as SyncPriority, nextScheduled: String(doc.nextScheduled) }),
        );
      }),
  };
}

const RUN = 'run';
const RECORD_ERROR = 'recorderror';
const RESULT = 'result';

export function cosmosRuns(runner: UnitRunner, clock: Clock): SyncRunRepository {
  const read = (unit: CosmosUnit, tenantId: string, id: string): Promise<Doc | null> => unit.get('entities', tenantId, docId(RUN, id));
  const write = (unit: CosmosUnit, run: SyncRunDetail): void => unit.put('entities', toDoc(RUN, run.tenantId, run.id, run, expiryFields(run.expiresAt, clock)));
  // The write guard (SyncRunRepository): never after the run finished, never under a lower
  // fence. The run document keeps the highest fence it was written under beside its fields.
  type FencedRun = SyncRunDetail & { fence?: number };
  const runOf = (doc: Doc): SyncRunDetail => {
    const { fence: _fence, ...run } = fromDoc<FencedRun>(doc);
    return run;
  };
  const change = (tenantId: string, id: string, fence: number | undefined, update: (run: SyncRunDetail) => SyncRunDetail): Promise<boolean> =>
    runner.run(async (unit) => {
      const doc = await read(unit, tenantId, id);
      if (!doc) return false;
      const run = fromDoc<FencedRun>(doc);
      if (run.finishedAt !== null || (fence !== undefined && (run.fence ?? 0) > fence)) return false;
      write(unit, { ...update(run), ...(fence === undefined ? {} : { fence }) } as FencedRun);
      return true;
    });
  return {
    ensure: (run) =>
      runner.run(async (unit) => {
        const doc = await read(unit, run.tenantId, run.id);
        if (doc) return runOf(doc);
        const detail: SyncRunDetail = { ...run, counts: { created: 0, updated: 0, unchanged: 0, deleted: 0, failed: 0 }, fullResync: false };
        unit.create('entities', toDoc(RUN, run.tenantId, run.id, detail, expiryFields(run.expiresAt, clock)));
        return detail;
      }),
    get: (tenantId, id) =>
      runner.run(async (unit) => {
        const doc = await read(unit, tenantId, id);
        return doc ? runOf(doc) : null;
      }),
    listByIntegration: (tenantId, integrationId, page) =>
      runner.run((unit) =>
        pageQuery(
          unit,
          'entities',
          { kind: RUN, pk: tenantId, sort: 'startedAt', descending: true, where: ['c.integrationId = @integrationId'], parameters: { integrationId } },
          page,
          runOf,
        ),
      ),
    setStatus: (tenantId, id, status, error, fence) => change(tenantId, id, fence, (run) => ({ ...run, status, error })),
    progress: async (tenantId, id, { fence, ...progress }) => {
      if (!(await change(tenantId, id, fence, (run) => ({ ...run, ...progress })))) throw staleRun(id);
    },
    finish: (tenantId, id, { fence, ...finish }) => change(tenantId, id, fence, (run) => ({ ...run, ...finish })),
    addRecordErrors: (errors) =>
      runner.run(async (unit) => {
        for (const { expiresAt, ...error } of errors) {
          unit.create('entities', toDoc(RECORD_ERROR, error.tenantId, `${error.at}|${randomUUID()}`, error, expiryFields(expiresAt, clock)));
        }
      }),
    listRecordErrors: (tenantId, runId, limit) =>
      runner.run(async (unit) => {
        const docs = await unit.query<Doc>(
          'entities',
          `SELECT TOP ${top(limit)} * FROM c WHERE c.docKind = @kind AND c.runId = @runId ORDER BY c.at ASC, c.id ASC`,
          { kind: RECORD_ERROR, runId },
          tenantId,
        );
        return docs.map((doc) => fromDoc<RunRecordError>(doc));
      }),
    insertResult: (result) =>
      runner.run(async (unit) => unit.create('sync-results', toDoc(RESULT, result.tenantId, result.id, result, expiryFields(result.expiresAt, clock)))),
    getResultByRun: (tenantId, runId) =>
      runner.run(async (unit) => {
        const docs = await unit.query<Doc>('sync-results', 'SELECT TOP 1 * FROM c WHERE c.docKind = @kind AND c.runId = @runId ORDER BY c.executedAt DESC', { kind: RESULT, runId }, tenantId);
        return docs[0] ? fromDoc<SyncResult>(docs[0]) : null;
      }),
  };
}
