import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { QueueName } from '../../ports/job-queue.ts';

/**
 * When delayed jobs are due by the queue's injected clock.
 *
 * BullMQ promotes a delayed job when the *wall* time of a worker passes its score. The
 * port says delays are measured "by the queue's clock", and our tests step that clock.
 * So every delay (an enqueue's `delayMs`, a retry's backoff, a rate limit's wait) is
 * given to BullMQ as a wall-time delay, the crash-safe fallback, AND recorded here in a
 * sorted set `{prefix}:{queue}:due` (member job id, score due time by the clock). A
 * consuming instance calls `promoteDue` every few ms and promotes, through BullMQ's own
 * `Job.promote`, the jobs its clock says are due. With the system clock both agree and
 * this only promotes a few ms early.
 *
 * Races are harmless: promoting a job that is no longer delayed (BullMQ promoted it, or
 * another instance did) fails and is ignored; an entry whose job is gone is dropped. If
 * a job is re-delayed between our read and our removal of its entry, it falls back to
 * BullMQ's wall-time promotion.
 */
export class DueIndex {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  key(queue: QueueName): string {
    return `${this.#prefix}:${queue}:due`;
  }

  async add(queue: QueueName, jobId: string, dueAt: number): Promise<void> {
    await this.#redis.zadd(this.key(queue), dueAt, jobId);
  }

  /** Promotes up to `batch` delayed jobs of `queue` that are due at `now`; returns how many it promoted. */
  async promoteDue(queue: Queue, name: QueueName, now: number, batch = 100): Promise<number> {
    const key = this.key(name);
    const ids = await this.#redis.zrangebyscore(key, '-inf', now, 'LIMIT', 0, batch);
    let promoted = 0;
    for (const id of ids) {
      const job = await queue.getJob(id);
      if (job && (await job.isDelayed())) {
        try {
          await job.promote();
          promoted += 1;
        } catch {
          // Promoted meanwhile by BullMQ or another instance: nothing to do.
        }
      }
      await this.#redis.zrem(key, id);
    }
    return promoted;
  }
}
