/**
 * The pull loop (the reference's SyncTaskService, pull half): page by page from the
 * committed cursor through `readPage`, mapping, dedup and the entity writer, each page
 * committed with its cursor. A run killed at any point resumes from the last committed
 * cursor (the next run, or the same run id retried by the queue); a replayed page
 * changes nothing. Small pages are committed together (`commitEveryRecords`), always
 * whole pages with the cursor of the last one. CURSOR_EXPIRED restarts the run as a full resync, once.
 *
 * Errors: a record that cannot be mapped is recorded against the run and the page goes
 * on. A retryable failure (transient, rate limit) marks the run `retrying` and is thrown
 * for the queue to retry (honouring retryAfterMs); anything else ends the run `failed`
 * (nothing committed) or `partial` (some pages committed) with the reason, and is
 * returned in the outcome. Records missing from a run are deleted only after a full resync
 * that completed, for objects whose deletions the provider never reports (deletion-inference.ts).
 */
import { categoryOf, isTributaryError, TributaryError } from '../../domain/errors.ts';
import type { Integration, SyncTrigger } from '../../domain/integration.ts';
import type { MappingContext, MappingDocument } from '../../domain/mapping.ts';
import type { RunRecordError, StoredError } from '../../domain/sync-run.ts';
import { getCompiledMapping } from '../../mapping/index.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger.ts';
import type { RunCounts, Store } from '../../ports/store.ts';
import { CURSOR_EXPIRED, type ChangePage, type Cursor, type ObjectDefinition, type ProviderContext } from '../../providers/provider.ts';
import { finishRun, type RunRetention } from '../runs/finish.ts';
import { resolveDedupSettings } from './dedup-match.ts';
import { addCounts, writePage, type MappedRecord } from './write-page.ts';
import { deletionInferenceFor, withInferredDeletions } from './deletion-inference.ts';
import { conflictSettingsOf, type ConflictsWaiting } from './conflict-step.ts';
import { tenantPushes } from '../push/propagate.ts';
import type { ResolverRegistry } from '../conflicts/index.ts';

export interface RunPullOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly integration: Integration;
  /** The integration's mapping, or the provider object's default when it has none. */
  readonly mapping: MappingDocument;
  readonly object: ObjectDefinition;
  readonly ctx: ProviderContext;
  readonly runId: string;
  readonly trigger?: SyncTrigger;
  /** Ignore the committed cursor: read everything again. */
  readonly fullResync?: boolean;
  readonly pageSize?: number;
  readonly mappingContext?: MappingContext;
  readonly retention?: Partial<RunRetention>;
  readonly signal?: AbortSignal;
  readonly logger?: Logger;
  /** Commit after about this many records (whole pages; default 2,000). */
  readonly commitEveryRecords?: number;
  /** Resolvers registered in code, for `custom` rules that name one (`resolver: "name"`). */
  readonly resolvers?: ResolverRegistry;
  /** Told after the run when it left conflicts waiting for review (strategy `manual`); must not throw. */
  readonly onConflictsWaiting?: (event: ConflictsWaiting) => void;
  /**
   * The fencing token of the caller's per-integration lease: every run write (status,
   * page progress with its cursor, finish) carries it, and the store refuses it once a
   * newer lease holder wrote the run (SyncRunRepository). Absent: not fenced.
   */
  readonly fence?: number;
}

export type RunStatus = 'succeeded' | 'partial' | 'failed';

export interface PullOutcome {
  readonly runId: string;
  readonly status: RunStatus;
  readonly counts: RunCounts;
  readonly pages: number;
  readonly records: number;
  readonly fullResync: boolean;
  readonly durationMs: number;
  readonly error: StoredError | null;
}

/** True when a provider error says the cursor can no longer be used. */
export function isCursorExpired(error: unknown): boolean {
  return isTributaryError(error) && error.details?.reason === CURSOR_EXPIRED;
}

/** Runs (or resumes) one pull of an integration. See the module comment for the error contract. */
export async function runPull(options: RunPullOptions): Promise<PullOutcome> {
  const { store, clock, integration, object, ctx } = options;
  const { tenantId, id: integrationId, connectionId } = integration;
  const iso = (): string => new Date(clock.now()).toISOString();
  const existing = await store.runs.ensure({
    id: options.runId, tenantId, integrationId, type: options.trigger ?? 'manual', status: 'running', startedAt: iso(), finishedAt: null,
    recordsSoFar: 0, pages: 0, totalEstimate: null, error: null, checkpoint: null, expiresAt: null,
  });
  const startedMs = Date.parse(existing.startedAt);
  if (existing.finishedAt !== null) {
    return { runId: existing.id, status: existing.status as RunStatus, counts: existing.counts, pages: existing.pages, records: existing.recordsSoFar, fullResync: existing.fullResync, durationMs: Date.parse(existing.finishedAt) - startedMs, error: existing.error };
  }
  const { fence } = options;
  // Refused: the run finished meanwhile, or a newer lease holder owns it. LOCK_NOT_HELD is
  // transient: the job retries, and its next delivery finds the run finished or the lease held.
  if (!(await store.runs.setStatus(tenantId, existing.id, 'running', null, fence))) {
    throw new TributaryError('LOCK_NOT_HELD', `Run ${existing.id} was finished or taken over by another worker`);
  }

  const mapping = getCompiledMapping(options.mapping);
  const primaryObject = options.mapping.targets[0]?.object ?? options.mapping.source.object;
  const dedup = resolveDedupSettings(integration.dedupRules);
  const deletions = deletionInferenceFor(object, { store, tenantId, connectionId, integrationId, primaryObject });
  const conflicts = conflictSettingsOf(integration, options.mapping, options.resolvers ? { resolvers: options.resolvers } : {});
  const propagate = await tenantPushes(store, tenantId);
  const retention = resolveRetention(options.retention);
  let fullResync = options.fullResync === true || existing.fullResync;
  const current = await store.integrations.get(tenantId, integrationId);
  if (!current) throw new TributaryError('NOT_FOUND', 'The integration no longer exists');
  // A resumed full resync continues from its committed checkpoint, not from null again.
  let cursor = (options.fullResync === true && existing.pages === 0 ? null : (current.cursor as Cursor | null)) ?? null;
  let counts = existing.counts;
  let pages = existing.pages;
  let records = existing.recordsSoFar;
  let totalEstimate = existing.totalEstimate;
  let restarted = false;

  const finish = async (status: RunStatus, error: StoredError | null): Promise<PullOutcome> => {
    const finishedMs = clock.now();
    const conflicts = await finishRun(store, { tenantId, integrationId, runId: existing.id, status, error, counts, records, startedMs, finishedMs, retention, fence });
    if (conflicts && conflicts.open > 0) options.onConflictsWaiting?.({ tenantId, integrationId, runId: existing.id, open: conflicts.open, at: finishedMs });
    options.logger?.info({ runId: existing.id, integrationId, status, records, pages, ...counts }, 'pull run finished');
    return { runId: existing.id, status, counts, pages, records, fullResync, durationMs: finishedMs - startedMs, error };
  };

  // Pages are committed in batches of about `commitEveryRecords` (each batch with the
  // cursor of its last page): fewer, larger transactions write each index page once.
  const commitEvery = Math.max(1, options.commitEveryRecords ?? DEFAULT_COMMIT_EVERY);
  let batch = emptyBatch();
  const commit = async (): Promise<void> => {
    const b = batch;
    batch = emptyBatch();
    const seen = records + b.seen;
    const pageNumber = pages + b.pages;
    // As of this batch: the loop reads on while the batch commits (see `writing`).
    const resync = fullResync;
    if (resync) await deletions?.markSeen(b.mapped, iso());
    await writePage(store, {
      tenantId, connectionId, integrationId, runId: existing.id, at: iso(), primaryObject, records: b.mapped,
      deletions: b.deletions, recordErrors: b.errors, dedup, conflicts, propagate, cursor: b.cursor,
      progress: (pageCounts) => {
        counts = addCounts(counts, pageCounts, b.failed);
        return { recordsSoFar: seen, pages: pageNumber, totalEstimate, checkpoint: b.done ? null : b.cursor, counts, fullResync: resync, fence };
      },
    });
    records = seen;
    pages = pageNumber;
  };

  const readOptions = { paths: mapping.recordPaths, ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }) };
  // A function of its own: its loop's iterator (and with it the page) dies when it returns.
  const mapRecords = (records: ChangePage['records'], into: Batch): void => {
    const at = iso();
    const expiresAt = new Date(clock.now() + retention.runRetentionMs).toISOString();
    for (const record of records) {
      const result = mapping.apply(record.data, options.mappingContext);
      if (result.failed) {
        into.failed += 1;
        const issues = result.errors.length > 0 ? result.errors : [{ field: '', reason: 'the record could not be mapped' }];
        for (const issue of issues) into.errors.push({ runId: existing.id, tenantId, externalId: record.id, field: issue.field || null, reason: issue.reason, at, expiresAt });
      } else {
        into.mapped.push({ recordId: record.id, result, modifiedAt: record.modifiedAt });
      }
    }
  };
  // The next page is requested as soon as this one is in, so that the provider (and the
  // network) work while this page is mapped and written. It is read from a copy of the
  // cursor (this page's is committed later), and dropped unused when the loop stops.
  let ahead: Promise<ChangePage> | null = null;
  const nextPage = (): Promise<ChangePage> => {
    const pending = ahead ?? object.readPage(ctx, cursor, readOptions);
    ahead = null;
    return pending;
  };
  // The batch being committed. What its commit waits for (the disk, SqliteStore; the
  // database server, PostgreSQL) overlaps the mapping of the next page. One batch at a
  // time: the next starts only after this one is durable, the run ends only after the
  // last one is, and an error ends the loop only once it settled.
  // SqliteStore runs a batch's statements on this thread. A writer thread with a
  // connection of its own was measured (bench:ingest, 100,000 contacts): this thread's CPU
  // fell from 13-16 s to 4-7 s, but the process's rose by 2-10 s (the pages' copies, a
  // second heap and loader) and peak RSS from 265 to 385 MB; on two cores the sum of
  // CPU is the floor of the wall time, and records/s did not rise.
  let writing: Promise<void> | null = null;
  try {
    for (;;) {
      if (options.signal?.aborted) throw new TributaryError('SHUTTING_DOWN', 'The run was stopped; it resumes from its last committed page');
      let page;
      try {
        page = await nextPage();
        if (!page.done) {
          ahead = object.readPage(ctx, structuredClone(page.cursor), readOptions);
          ahead.catch(() => undefined); // awaited, and its error handled, by the next turn
        }
      } catch (error) {
        if (!isCursorExpired(error) || restarted) throw error;
        options.logger?.warn({ runId: existing.id, integrationId }, 'cursor expired: full resync');
        restarted = true;
        fullResync = true;
        cursor = null;
        batch = emptyBatch();
        continue;
      }
      mapRecords(page.records, batch);
      for (const deletion of page.deletions) batch.deletions.push(deletion.id);
      if (page.total !== undefined && totalEstimate === null) totalEstimate = page.total;
      batch.seen += page.records.length + page.deletions.length;
      batch.pages += 1;
      batch.cursor = page.cursor;
      batch.done = page.done;
      cursor = page.cursor;
      // Dropped here, not kept alive with its raw records while the previous batch commits
      // (every collection meanwhile would copy them).
      const last = page.done;
      page = undefined;
      if (last || batch.seen >= commitEvery) {
        await writing;
        writing = commit();
        writing.catch(() => undefined); // awaited, and its error handled, by the next turn or after the loop
      }
      if (last) break;
    }
    await writing;
  } catch (error) {
    // A batch still being committed settles first: `pages` must say whether it landed.
    await writing?.catch(() => undefined);
    const stored = toStoredError(error);
    if (categoryOf(error) === 'transient' || categoryOf(error) === 'rate_limit') {
      await store.runs.setStatus(tenantId, existing.id, 'retrying', stored, fence);
      throw error;
    }
    return finish(pages > 0 ? 'partial' : 'failed', stored);
  }
  // A complete full resync proves the deletions the provider never reports (deletion-inference.ts).
  if (fullResync && deletions !== null && counts.failed === 0) {
    counts = withInferredDeletions(counts, await deletions.sweep({ runId: existing.id, startedAt: existing.startedAt, at: iso() }));
  }
  return finish(counts.failed > 0 ? 'partial' : 'succeeded', null);
}

// One Salesforce page (2,000 records) per commit. Larger batches wrote each index page
// fewer times, but while one committed (on the main thread) the next page was neither
// requested nor mapped, and the loop then waited on the provider: with 5,000 the main
// thread idled 12% of a 100,000-record sync, with 2,000 under 3%, at 40 MB less peak
// RSS and about 7% more records/s (bench/ingest.bench.ts, six alternated pairs).
const DEFAULT_COMMIT_EVERY = 2_000;

interface Batch {
  mapped: MappedRecord[];
  errors: (RunRecordError & { expiresAt: string | null })[];
  deletions: string[];
  failed: number;
  seen: number;
  pages: number;
  cursor: Cursor | null;
  done: boolean;
}

const emptyBatch = (): Batch => ({ mapped: [], errors: [], deletions: [], failed: 0, seen: 0, pages: 0, cursor: null, done: false });

/** What a run stores about an error: a catalog code and a message, never a stack or a secret. */
export function toStoredError(error: unknown): StoredError {
  if (isTributaryError(error)) return { code: error.code, message: error.message };
  return { code: 'INTERNAL', message: 'An unexpected error ended the run' };
}

function resolveRetention(retention: Partial<RunRetention> | undefined): RunRetention {
  return { resultTtlSeconds: retention?.resultTtlSeconds ?? 30 * 86_400, runRetentionMs: retention?.runRetentionMs ?? 30 * 86_400_000 };
}
