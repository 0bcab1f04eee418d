/**
 * The entity writer (the reference's IntegrationShardService): one page of mapped records
 * and deletions written in ONE store transaction together with the run's record errors,
 * its progress and the new cursor, so that a crash leaves either all of the page or none
 * of it, and the cursor never runs ahead of the data. Replaying a page is a no-op:
 * writes are keyed by (connection, object, external id) and unchanged records write
 * nothing.
 */
import { TributaryError } from '../../domain/errors.ts';
import type { MappingResult } from '../../domain/mapping.ts';
import type { RunRecordError } from '../../domain/sync-run.ts';
import type { LinkKey, LinkedEntity, RunCounts, RunProgress, Store } from '../../ports/store.ts';
import { decideMatches, type ComputedKeys, type DedupSettings, type NewEntity } from './dedup-match.ts';
import { PagePlan, refKey, type RecordCounts } from './page-plan.ts';
import { ConflictStep, type ConflictSettings } from './conflict-step.ts';
import { withPropagation } from '../push/propagate.ts';

export interface MappedRecord {
  /** The provider's record id (ExternalRecord.id). */
  readonly recordId: string;
  readonly result: MappingResult;
  /** The provider's modification time of the record (ExternalRecord.modifiedAt), for `last_write_wins`. */
  readonly modifiedAt?: string | null;
}

export interface PageWrite {
  readonly tenantId: string;
  readonly connectionId: string;
  readonly integrationId: string;
  readonly runId: string;
  readonly at: string;
  /** The object of the records' own links (the mapping's first target), for deletions by record id. */
  readonly primaryObject: string;
  readonly records: readonly MappedRecord[];
  /** Record ids the provider reported deleted. */
  readonly deletions: readonly string[];
  readonly recordErrors: readonly (RunRecordError & { expiresAt: string | null })[];
  readonly dedup: DedupSettings;
  /** The cursor to commit with the page; undefined leaves the integration's cursor alone (webhook applies). */
  readonly cursor?: unknown;
  /** The run's progress after this page, written with it; counts are added to by this page's. */
  readonly progress?: (pageCounts: RecordCounts) => RunProgress;
  /** The integration's conflict handling (conflict-step.ts); absent: pulled values overwrite the entity's. */
  readonly conflicts?: ConflictSettings;
  /** Push propagation (sync/push/propagate.ts): add an outbox row per entity change. Default false. */
  readonly propagate?: boolean;
}

/** Writes a page atomically; returns what the page did to records. */
export async function writePage(store: Store, page: PageWrite): Promise<RecordCounts> {
  // The records' own entities are read whole; the relationship ends that are none of them
  // (a contact's account, say) only for their entity ids.
  const keys = new Map<string, LinkKey>();
  const ends = new Map<string, LinkKey>();
  // Each mapped entity's reference, in page order, made once (the new ones are picked below).
  const entityRefs: string[] = [];
  for (const { result } of page.records) {
    for (const e of result.entities) {
      const ref = refKey(e.object, e.externalId);
      entityRefs.push(ref);
      keys.set(ref, { object: e.object, externalId: e.externalId });
    }
    for (const r of result.relationships) {
      for (const end of [r.from, r.to]) ends.set(refKey(end.object, end.externalId), { object: end.object, externalId: end.externalId });
    }
  }
  for (const ref of keys.keys()) ends.delete(ref);
  return store.transaction(async (tx) => {
    const { tenantId, connectionId } = page;
    // The parents of every row written here are seen in this transaction (parentsChecked):
    // the connection (and with it the tenant) now, the entities as they are read or made
    // below, the run (and its integration) by its progress update, which fails without it.
    if ((await tx.connections.get(tenantId, connectionId)) === null) throw new TributaryError('NOT_FOUND', 'The connection no longer exists');
    const stored = await tx.entities.findLinks(tenantId, connectionId, [...keys.values()]);
    const links = new Map<string, LinkedEntity>(stored.map((l) => [refKey(l.object, l.externalId), l]));
    const targets = new Map((await tx.entities.findLinkTargets(tenantId, connectionId, [...ends.values()])).map((t) => [refKey(t.object, t.externalId), t.entityId]));
    const conflicts = page.conflicts && new ConflictStep({ ...page.conflicts, tenantId, connectionId, integrationId: page.integrationId, runId: page.runId, at: page.at });
    if (conflicts) {
      conflicts.setRecordTimes(page.records);
      await conflicts.load(tx, stored);
    }

    const fresh = new Map<string, NewEntity>();
    let nth = 0;
    for (const { result } of page.records) {
      for (const e of result.entities) {
        const ref = entityRefs[nth++]!;
        if (!e.deleted && !links.has(ref) && !fresh.has(ref)) fresh.set(ref, { ref, entityType: e.entityType, object: e.object, fields: e.fields });
      }
    }
    const matchKeys: ComputedKeys = new Map();
    const decisions = await decideMatches(tx, tenantId, connectionId, [...fresh.values()], page.dedup, matchKeys);
    const matchedIds = [...new Set([...decisions.values()].flatMap((d) => (d.kind === 'link' ? [d.entityId] : [])))];
    const matched = new Map((await tx.entities.getMany(tenantId, matchedIds)).map((e) => [e.id, e]));

    const plan = new PagePlan({ tenantId, connectionId, integrationId: page.integrationId, runId: page.runId, at: page.at, links, targets, decisions, matched, matchKeys, conflicts });
    // Deletions first: a provider reads them before the records (Salesforce's getDeleted
    // window precedes its query), so a record in the same page is the newer news.
    if (page.deletions.length > 0) {
      const deleted = await tx.entities.findLinksByRecordId(tenantId, connectionId, page.primaryObject, [...new Set(page.deletions)]);
      for (const link of deleted) plan.addDeletion(link);
    }
    for (const { recordId, result, modifiedAt } of page.records) plan.addRecord(recordId, result.entities, result.relationships, modifiedAt ?? null);
    const live = await tx.entities.countLiveLinks(tenantId, plan.entitiesLosingLinks());
    const batch = plan.finish(live);
    await tx.entities.applyBatch(page.propagate === true ? withPropagation(batch) : batch);
    await conflicts?.write(tx);
    await tx.runs.addRecordErrors(page.recordErrors);
    if (page.progress) await tx.runs.progress(tenantId, page.runId, page.progress(plan.counts));
    if (page.cursor !== undefined) await tx.integrations.setCursor(tenantId, page.integrationId, page.cursor, page.at);
    return plan.counts;
  }, { parentsChecked: page.progress !== undefined });
}

/** Adds a page's record counts to a run's. */
export function addCounts(run: RunCounts, page: RecordCounts, failed: number): RunCounts {
  return {
    created: run.created + page.created,
    updated: run.updated + page.updated,
    unchanged: run.unchanged + page.unchanged,
    deleted: run.deleted + page.deleted,
    failed: run.failed + failed,
  };
}
