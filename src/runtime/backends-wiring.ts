import type { Redis } from 'ioredis';
import { MemoryRateLimitBackend } from '../backends/memory/rate-limit-backend.ts';
import { PostgresStore } from '../backends/postgres/store.ts';
import { connectRedis } from '../backends/redis/client.ts';
import { BullMqJobQueue } from '../backends/redis/job-queue.ts';
import { RedisLocks } from '../backends/redis/locks.ts';
import { RedisRateLimitBackend } from '../backends/redis/rate-limit-backend.ts';
import { openSqlite } from '../backends/sqlite/database.ts';
import type { SqliteHandle } from '../backends/sqlite/database.ts';
import { SqliteJobQueue } from '../backends/sqlite/job-queue.ts';
import { SqliteLocks } from '../backends/sqlite/locks.ts';
import { SqliteStore } from '../backends/sqlite/store.ts';
import { TributaryError } from '../domain/errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { JobQueue } from '../ports/job-queue.ts';
import type { Locks } from '../ports/locks.ts';
import type { Logger } from '../ports/logger.ts';
import type { RateLimitBackend } from '../ports/rate-limit-backend.ts';
import type { Store } from '../ports/store.ts';
import { DegradingRateLimitBackend } from '../ratelimit/index.ts';
import type { RateLimitEventSink } from '../ratelimit/index.ts';
import type { ResolvedConfig } from './config/index.ts';
import { azureQueue, azureStore } from './azure-wiring.ts';

/**
 * The backends of the configured mode, the one place that picks them (with compose.ts):
 *
 * | config                     | store       | queue            | locks       | rate-limit counters                   |
 * |----------------------------|-------------|------------------|-------------|---------------------------------------|
 * | neither URL (embedded)     | SQLite file | SQLite (same db) | SQLite      | in process                            |
 * | TRIBUTARY_REDIS_URL        | SQLite file | BullMQ           | Redis       | Redis, in process while Redis is down |
 * | + TRIBUTARY_DATABASE_URL   | PostgreSQL  | BullMQ           | Redis       | Redis, in process while Redis is down |
 *
 * (A database URL without a Redis URL is refused by the configuration.) Redis keys all
 * start with the configured prefix: BullMQ's `<prefix>:<queue>:…`, locks
 * `<prefix>:lock:…`, counters `<prefix>:rl:…`.
 */
export interface Backends {
  readonly store: Store;
  /** Not metered yet: compose wraps it. */
  readonly queue: JobQueue;
  readonly locks: Locks;
  readonly rateLimits: RateLimitBackend;
  /** What runs where, fit for a log line (no passwords). */
  readonly description: { store: string; queue: string; redis: string | null };
  /** After the queue is closed: closes the store and the Redis clients. Idempotent. */
  close(): Promise<void>;
}

export interface BackendOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  /** Grace of the queue's close. */
  readonly stopGraceMs: number;
  /** Where the degrading rate-limit backend reports falling back to and recovering from in-process counters. */
  readonly rateLimitEvents: RateLimitEventSink;
}

/**
 * While Redis is down, each process counts alone within this share of every budget:
 * sized for up to four processes calling providers at once, so that together they
 * stay within the budget during an outage (more processes: raise it in code).
 */
const DEGRADED_SHARE = 0.25;

const PG_TRANSACTION_RETRIES = 10;

export async function openBackends(config: ResolvedConfig, options: BackendOptions): Promise<Backends> {
  const { clock, logger } = options;
  let sqlite: SqliteHandle | null = null;
  let store: Store;
  const cosmos = await azureStore(config, clock);
  if (cosmos !== null) {
    store = cosmos;
  } else if (config.store.kind === 'sqlite') {
    sqlite = openSqlite({ path: config.store.path });
    store = new SqliteStore(sqlite, { clock });
  } else {
    store = new PostgresStore({
      connectionString: config.store.url.reveal(),
      clock,
      ...(config.store.schema === null ? {} : { schema: config.store.schema }),
      // Many processes committing pages at once: serializable transactions of different
      // tenants conflict too, so a conflicted page is run again up to 10 times (from the
      // third on alone, see PostgresStore) before the job itself is retried.
      transactionRetries: PG_TRANSACTION_RETRIES,
    });
  }
  if (config.redis === null) {
    const handle = sqlite as SqliteHandle;
    return {
      store,
      queue: new SqliteJobQueue(handle, { clock, logger: logger.child({ component: 'queue' }), stopGraceMs: options.stopGraceMs }),
      locks: new SqliteLocks(handle, { clock }),
      rateLimits: new MemoryRateLimitBackend(),
      description: { store: config.store.kind, queue: 'sqlite', redis: null },
      close: once(() => store.close()),
    };
  }

  let redis: Redis;
  // The limiter gets a connection of its own without auto-pipelining: it sits on every
  // provider call's path, and a shared, auto-pipelined connection makes its calls wait
  // behind other traffic's batches (see bench/ratelimit.bench.ts).
  let limiterRedis: Redis;
  try {
    redis = await connectRedis({ url: config.redis.url.reveal() });
    limiterRedis = await connectRedis({ url: config.redis.url.reveal(), autoPipelining: false }).catch((error: unknown) => {
      redis.disconnect();
      throw error;
    });
  } catch (error) {
    await store.close().catch(() => undefined);
    // ioredis messages carry host and port, never the password; the URL is named without it.
    throw new TributaryError('QUEUE_UNAVAILABLE', `Redis at ${config.redis.display} is not reachable (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  const prefix = config.redis.prefix;
  const queue =
    (await azureQueue(config, { clock, logger: logger.child({ component: 'queue' }), stopGraceMs: options.stopGraceMs })) ??
    new BullMqJobQueue({ connection: { url: config.redis.url.reveal() }, prefix, clock, logger: logger.child({ component: 'queue' }), stopGraceMs: options.stopGraceMs });
  const rateLimits = new DegradingRateLimitBackend({
    primary: new RedisRateLimitBackend(limiterRedis, { keyPrefix: `${prefix}:rl:` }),
    fallback: new MemoryRateLimitBackend(),
    share: DEGRADED_SHARE,
    clock,
    events: options.rateLimitEvents,
  });
  return {
    store,
    queue,
    locks: new RedisLocks(redis, { keyPrefix: `${prefix}:` }),
    rateLimits,
    description: { store: config.azure.cosmos === null ? config.store.kind : 'cosmos', queue: config.azure.serviceBus === null ? 'bullmq' : 'servicebus', redis: config.redis.display },
    close: once(async () => {
      try {
        await rateLimits.close();
        await store.close();
      } finally {
        redis.disconnect();
        limiterRedis.disconnect();
      }
    }),
  };
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | null = null;
  return () => (done ??= fn());
}
