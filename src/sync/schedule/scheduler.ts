/**
 * One scheduler tick: integrations whose `nextScheduled` passed are enqueued on
 * `sync-inbound` with their priority, and their next time is set. The idempotency key
 * is per integration (`sync:<id>`), so an integration whose run is still waiting or
 * running is not enqueued twice (a manual run shares the key). Only one process should
 * tick at a time (the scheduler role holds a leader lease); a second one would be
 * harmless anyway, thanks to the key.
 */
import type { Clock } from '../../ports/clock.ts';
import type { JobQueue } from '../../ports/job-queue.ts';
import type { Logger } from '../../ports/logger.ts';
import type { Store } from '../../ports/store.ts';
import { nextRunAt } from './next-run.ts';
import { syncJobKey, type SyncJobPayload } from '../worker/job.ts';

export interface SchedulerDeps {
  readonly store: Store;
  readonly queue: JobQueue;
  readonly clock: Clock;
  readonly logger?: Logger;
}

/** Enqueues what is due (at most `limit`); returns how many jobs were newly enqueued. */
export async function scheduleDue(deps: SchedulerDeps, limit = 200): Promise<number> {
  const nowMs = deps.clock.now();
  const now = new Date(nowMs).toISOString();
  const due = await deps.store.integrations.listDue(now, limit);
  if (due.length === 0) return 0;
  const jobs = due.map((d) => ({
    payload: { tenantId: d.tenantId, integrationId: d.integrationId, trigger: 'scheduled' } satisfies SyncJobPayload,
    options: { priority: d.priority, idempotencyKey: syncJobKey(d.integrationId), correlationId: d.integrationId },
  }));
  const results = await deps.queue.enqueueMany('sync-inbound', jobs);
  for (const d of due) {
    const integration = await deps.store.integrations.get(d.tenantId, d.integrationId);
    const next = integration === null ? null : nextRunAt(integration.schedule, Math.max(nowMs, Date.parse(d.nextScheduled)));
    await deps.store.integrations.setNextScheduled(d.tenantId, d.integrationId, next === null ? null : new Date(next).toISOString(), now);
  }
  const enqueued = results.filter((r) => !r.deduplicated).length;
  deps.logger?.info({ due: due.length, enqueued }, 'scheduled due integrations');
  return enqueued;
}
