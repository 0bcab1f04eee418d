/**
 * Deletion inference: for provider objects whose deletions arrive only by webhook or not
 * at all (`ObjectCapabilities.deletions` 'webhook' or 'none'), a full resync that
 * COMPLETED is the one proof that a record is gone: every record the provider still has
 * was read. So after such a run, the live links of (connection, primary object) that the
 * run did not see are tombstoned, and an entity left with no live link is soft-deleted,
 * by the same rules as a deletion the provider reports (PagePlan.addDeletion).
 *
 * "Seen" is the link's lastSyncedAt at or after the run's start: the writer stamps it on
 * every link it inserts or changes, and `markSeen` stamps the unchanged ones BEFORE their
 * page commits (a crash in between only leaves extra marks, which delete less, never
 * more). A run resumed after a crash keeps its start time, so the marks of the pages
 * committed before the crash still count. A failed or partial run never sweeps.
 */
import type { LinkedEntity, RunCounts, Store } from '../../ports/store.ts';
import type { ObjectDefinition } from '../../providers/provider.ts';
import { PagePlan } from './page-plan.ts';
import type { MappedRecord } from './write-page.ts';

/** Links tombstoned per transaction: small transactions keep other writers moving. */
const SWEEP_BATCH = 500;

export interface DeletionInference {
  /** Stamps the links of the records in these pages as seen; call before the pages commit. */
  markSeen(records: readonly MappedRecord[], at: string): Promise<void>;
  /** Tombstones what the completed run did not see; answers how many records it deleted. */
  sweep(run: { readonly runId: string; readonly startedAt: string; readonly at: string }): Promise<number>;
}

export interface DeletionInferenceTarget {
  readonly store: Store;
  readonly tenantId: string;
  readonly connectionId: string;
  readonly integrationId: string;
  /** The object of the records' own links (the mapping's first target). */
  readonly primaryObject: string;
}

/** True when the provider object reports deletions only by webhook or not at all. */
export function needsDeletionInference(object: Pick<ObjectDefinition, 'capabilities'>): boolean {
  const { deletions } = object.capabilities;
  return deletions === 'webhook' || deletions === 'none';
}

/** Deletion inference for a pull of `object`, or null when the provider reports deletions itself. */
export function deletionInferenceFor(object: Pick<ObjectDefinition, 'capabilities'>, target: DeletionInferenceTarget): DeletionInference | null {
  return needsDeletionInference(object) ? createDeletionInference(target) : null;
}

function createDeletionInference(target: DeletionInferenceTarget): DeletionInference {
  const { store, tenantId, connectionId, primaryObject } = target;
  return {
    async markSeen(records, at) {
      const ids = new Set<string>();
      for (const { result } of records) {
        for (const entity of result.entities) if (entity.object === primaryObject) ids.add(entity.externalId);
      }
      await store.linkSweep.markSeen(tenantId, connectionId, primaryObject, [...ids], at);
    },
    async sweep(run) {
      return inferDeletions(target, run);
    },
  };
}

/** The sweep itself (see the module comment); exported for callers that track "seen" on their own. */
export async function inferDeletions(target: DeletionInferenceTarget, run: { readonly runId: string; readonly startedAt: string; readonly at: string }): Promise<number> {
  const { store, tenantId, connectionId, integrationId, primaryObject } = target;
  let deleted = 0;
  let after: string | null = null;
  for (;;) {
    const query = { tenantId, connectionId, object: primaryObject, seenSince: run.startedAt, afterExternalId: after, limit: SWEEP_BATCH };
    const done: { count: number; last: string | null } = await store.transaction(async (tx) => {
      // Read inside the transaction: a link a concurrent writer just saw is not swept.
      const unseen: LinkedEntity[] = await tx.linkSweep.listUnseen(query);
      if (unseen.length === 0) return { count: 0, last: null };
      const plan = new PagePlan({ tenantId, connectionId, integrationId, runId: run.runId, at: run.at, links: new Map(), decisions: new Map(), matched: new Map() });
      for (const link of unseen) plan.addDeletion(link);
      const live = await tx.entities.countLiveLinks(tenantId, plan.entitiesLosingLinks());
      await tx.entities.applyBatch(plan.finish(live));
      return { count: plan.counts.deleted, last: unseen.length < SWEEP_BATCH ? null : unseen[unseen.length - 1]!.externalId };
    });
    deleted += done.count;
    if (done.last === null) return deleted;
    after = done.last;
  }
}

/** A run's counts with the inferred deletions added. */
export function withInferredDeletions(counts: RunCounts, deleted: number): RunCounts {
  return { ...counts, deleted: counts.deleted + deleted };
}
