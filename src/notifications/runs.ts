/**
 * What a finished pull run tells people and the host product. After a `sync-inbound`
 * job's attempt, the run it names is read back; once it has finished:
 *
 * - failed -> `sync.failed` (critical);
 * - partial, or succeeded with failed records -> `run.partial` (warning);
 * - succeeded while the integration's previous finished run had failed or was partial ->
 *   `sync.recovered` (info);
 * - dedup reviews opened since the run started -> `dedup.reviews_waiting` (warning), with
 *   how many it opened and how many of the tenant's wait in all (links to the review page);
 * - always the host event `run.completed` (run summary).
 *
 * Read from the store rather than hooked inside the pull pipeline: every way a run ends
 * (runPull, the worker ending it after its last retry, a skipped job) is covered by one
 * observer. A job redelivered after its run finished reports it again: notifications
 * fold the repeat, host events are at-least-once anyway (deliveries carry the run id).
 */
import type { StoredError } from '../domain/sync-run.ts';
import type { JobHandler } from '../ports/job-queue.ts';
import type { Logger } from '../ports/logger.ts';
import type { SyncRunDetail, Store } from '../ports/store.ts';
import { runIdOfJob, type SyncJobPayload } from '../sync/index.ts';
import type { NotificationEvent, NotificationSink } from './events.ts';
import type { HostEvent, HostEventSink } from './host-events/types.ts';

const FAILED = new Set(['failed', 'partial']);
/** Open reviews read to count those a run opened and those waiting (the counts stop at this many). */
const REVIEW_SCAN_LIMIT = 2000;

/** The tenant's open dedup reviews after a run: those opened since it started, and all of them. */
export interface ReviewCounts {
  readonly opened: number;
  readonly waiting: number;
}

export interface RunEventsDeps {
  readonly store: Store;
  readonly sink: NotificationSink;
  readonly hostSink: HostEventSink;
  readonly logger: Logger;
}

/** The events a finished run raises, given the integration's previous finished run (pure). */
export function runNotificationEvents(run: SyncRunDetail, previous: SyncRunDetail | null, reviews: ReviewCounts): NotificationEvent[] {
  const at = Date.parse(run.finishedAt ?? run.startedAt);
  const subject = { kind: 'integration' as const, id: run.integrationId };
  const base = { tenantId: run.tenantId, subject, at };
  const events: NotificationEvent[] = [];
  const error = errorFacts(run.error);
  if (run.status === 'failed') {
    events.push({ ...base, type: 'sync.failed', severity: 'critical', facts: { runId: run.id, trigger: run.type, ...error } });
  } else if (run.status === 'partial' || (run.status === 'succeeded' && run.counts.failed > 0)) {
    events.push({ ...base, type: 'run.partial', severity: 'warning', facts: { runId: run.id, processed: run.recordsSoFar, failedRecords: run.counts.failed, ...error } });
  }
  if (run.status === 'succeeded' && previous !== null && FAILED.has(previous.status)) {
    events.push({ ...base, type: 'sync.recovered', severity: 'info', facts: { runId: run.id, previousRun: previous.id, previousStatus: previous.status } });
  }
  if (reviews.opened > 0) {
    events.push({ ...base, type: 'dedup.reviews_waiting', severity: 'warning', facts: { reviewsWaiting: reviews.waiting, newReviews: reviews.opened, runId: run.id } });
  }
  return events;
}

/** The host product's `run.completed` for a finished run (pure). */
export function runCompletedEvent(run: SyncRunDetail): HostEvent {
  return {
    type: 'run.completed',
    tenantId: run.tenantId,
    at: Date.parse(run.finishedAt ?? run.startedAt),
    data: {
      runId: run.id,
      integrationId: run.integrationId,
      trigger: run.type,
      status: run.status,
      startedAt: run.startedAt,
      finishedAt: run.finishedAt,
      records: run.recordsSoFar,
      counts: run.counts,
      fullResync: run.fullResync,
      error: run.error === null ? null : { code: run.error.code, message: run.error.message },
    },
  };
}

function errorFacts(error: StoredError | null): Record<string, string> {
  return error === null ? {} : { error: error.code, message: error.message };
}

export class RunEvents {
  readonly #deps: RunEventsDeps;

  constructor(deps: RunEventsDeps) {
    this.#deps = deps;
  }

  /** Reports the run if it has finished; never throws (a report must not fail the job). */
  async report(tenantId: string, runId: string): Promise<void> {
    try {
      const { store } = this.#deps;
      const run = await store.runs.get(tenantId, runId);
      if (run === null || run.finishedAt === null) return;
      const recent = await store.runs.listByIntegration(tenantId, run.integrationId, { limit: 10 });
      const previous = recent.items.find((r) => r.id !== run.id && r.finishedAt !== null && r.finishedAt <= run.finishedAt!) ?? null;
      const reviews = await this.#openReviews(tenantId, run.startedAt);
      for (const event of runNotificationEvents(run, previous, reviews)) this.#deps.sink(event);
      this.#deps.hostSink(runCompletedEvent(run));
    } catch (error) {
      this.#deps.logger.warn({ err: error, tenantId, runId }, 'run outcome not reported');
    }
  }

  /** Wraps the `sync-inbound` handler: after each attempt (whatever it threw), reports the run it names. */
  wrap(handler: JobHandler<SyncJobPayload>): JobHandler<SyncJobPayload> {
    return async (job, signal) => {
      try {
        await handler(job, signal);
      } finally {
        if (!signal.aborted) await this.report(job.payload.tenantId, runIdOfJob(job.id));
      }
    };
  }

  async #openReviews(tenantId: string, since: string): Promise<ReviewCounts> {
    let opened = 0;
    let cursor: string | undefined;
    let waiting = 0;
    do {
      const page = await this.#deps.store.dedupReviews.list(tenantId, { status: 'open', limit: 500, ...(cursor === undefined ? {} : { cursor }) });
      waiting += page.items.length;
      opened += page.items.filter((review) => review.createdAt >= since).length;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined && waiting < REVIEW_SCAN_LIMIT);
    return { opened, waiting };
  }
}
