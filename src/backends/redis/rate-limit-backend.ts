import type { Redis } from 'ioredis';
import type {
  BudgetObservation,
  CounterState,
  CounterTake,
  RateLimitBackend,
  TakeResult,
} from '../../ports/rate-limit-backend.ts';
import { RATE_WINDOW_BUCKETS } from '../../ports/rate-limit-backend.ts';
import { LuaScript } from './scripts.ts';

const TAKE = new LuaScript('take.lua');
const OBSERVE = new LuaScript('observe.lua');
const SETTLE = new LuaScript('settle.lua');

/** Same-window tolerance for a fixed window's reset as two observations report it (s rounding). */
const SAME_RESET_MS = 1_500;

export interface RedisRateLimitBackendOptions {
  /** Prefix of every key this backend writes, e.g. `trb:rl:`. Tests use a unique one per run. */
  keyPrefix: string;
}

/**
 * Counters in Redis, shared by every process that uses the same server and prefix. Each
 * take is one atomic script across all the call's counters (lua/take.lua). The client
 * should fail fast (see `connectRedis`): the limiter's degrading wrapper falls back to
 * in-process counters when a command fails. Give it a connection of its own, without
 * auto-pipelining (`connectRedis({ url, autoPipelining: false })`): every provider call
 * waits for its take, so other traffic queued ahead of it on the same socket, or a batch
 * still in flight, adds straight to the caller's latency. Contract: ports/rate-limit-backend.ts.
 */
export class RedisRateLimitBackend implements RateLimitBackend {
  readonly name = 'redis';
  readonly #redis: Redis;
  readonly #prefix: string;
  /**
   * Each takes array's keys and packed specs, built once: the limiter passes the same
   * array for every call of one plan, so the caller's path does no key or number-to-text
   * work (and leaves the collector little to do) on a repeated call.
   */
  readonly #encoded = new WeakMap<readonly CounterTake[], EncodedTakes>();
  /** True while this tick's commands are gathered into one socket write (`#gather`). */
  #gathering = false;

  constructor(redis: Redis, options: RedisRateLimitBackendOptions) {
    this.#redis = redis;
    this.#prefix = options.keyPrefix;
  }

  async take(takes: readonly CounterTake[], leaseId: string, now: number): Promise<TakeResult> {
    return this.#take(takes, leaseId, now, false);
  }

  async release(keys: readonly string[], leaseId: string): Promise<void> {
    if (keys.length === 0) return;
    // One ZREM per key, written with the tick's other commands (`#gather`): an explicit
    // pipeline per release would cost more than the commands themselves.
    this.#gather();
    if (keys.length === 1) await this.#redis.zrem(this.#prefix + (keys[0] as string), leaseId);
    else await Promise.all(keys.map((key) => this.#redis.zrem(this.#prefix + key, leaseId)));
  }

  async settle(key: string): Promise<void> {
    this.#gather();
    await SETTLE.run(this.#redis, [this.#prefix + key], []);
  }

  async observe(key: string, observation: BudgetObservation, settle: boolean, now: number): Promise<void> {
    this.#gather();
    await OBSERVE.run(
      this.#redis,
      [this.#prefix + key],
      [now, 'observe', observation.limit, observation.used, observation.resetsAt, observation.rolling ? 1 : 0, settle ? 1 : 0, SAME_RESET_MS],
    );
  }

  async block(key: string, until: number, now: number): Promise<void> {
    this.#gather();
    await OBSERVE.run(this.#redis, [this.#prefix + key], [now, 'block', 0, 0, until, 0, 0, SAME_RESET_MS]);
  }

  async peek(key: string, limit: number, scale: number, windowMs: number, now: number): Promise<CounterState> {
    const result = await this.#take([{ kind: 'window', key, limit, scale, windowMs, cost: 0, observed: false }], '', now, true);
    return result.states[0] as CounterState;
  }

  async peekConcurrency(key: string, limit: number, now: number): Promise<CounterState> {
    const full = this.#prefix + key;
    const [count, first] = await Promise.all([
      this.#redis.zcount(full, `(${now}`, '+inf'),
      this.#redis.zrangebyscore(full, `(${now}`, '+inf', 'WITHSCORES', 'LIMIT', 0, 1),
    ]);
    return { used: count, limit, resetsAt: first[1] === undefined ? now : Number(first[1]) };
  }

  async reset(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.#redis.del(...keys.map((key) => this.#prefix + key));
  }

  async getMultiplier(connectionId: string): Promise<number | null> {
    const value = await this.#redis.get(`${this.#prefix}ratelimit_adaptive:${connectionId}`);
    return value === null ? null : Number(value);
  }

  async setMultiplier(connectionId: string, value: number): Promise<void> {
    // A week without news returns the connection to the full budget.
    await this.#redis.set(`${this.#prefix}ratelimit_adaptive:${connectionId}`, String(value), 'PX', 7 * 24 * 3_600_000);
  }

  async getOverrides(): Promise<Record<string, string>> {
    return this.#redis.hgetall(`${this.#prefix}overrides`);
  }

  async setOverride(scope: string, value: string | null): Promise<void> {
    if (value === null) await this.#redis.hdel(`${this.#prefix}overrides`, scope);
    else await this.#redis.hset(`${this.#prefix}overrides`, scope, value);
  }

  async register(key: string, meta: string): Promise<void> {
    await this.#redis.hset(`${this.#prefix}registry`, key, meta);
  }

  async registry(): Promise<Record<string, string>> {
    return this.#redis.hgetall(`${this.#prefix}registry`);
  }

  async ping(): Promise<void> {
    await this.#redis.ping();
  }

  /** Does not close the client: whoever connected it owns it. */
  async close(): Promise<void> {}

  /**
   * Gathers the commands issued until the end of this tick into one socket write (Node's
   * cork, then uncork on the next tick). A `complete` issues its settlement and the caller's
   * next `take` follows in the same tick: one write instead of one per command saves system
   * calls on the caller's path (measured with `npm run bench:ratelimit`'s calls: Redis reads
   * per call 1.2 -> 1.0, about 10% less CPU per call). ioredis writes a command to its socket
   * at once when auto-pipelining is off; with it on, this changes nothing.
   */
  #gather(): void {
    if (this.#gathering) return;
    const stream = this.#redis.stream as Redis['stream'] | undefined;
    if (stream === undefined || !stream.writable) return;
    this.#gathering = true;
    stream.cork();
    process.nextTick(() => {
      this.#gathering = false;
      stream.uncork();
    });
  }

  async #take(takes: readonly CounterTake[], leaseId: string, now: number, dry: boolean): Promise<TakeResult> {
    let encoded = this.#encoded.get(takes);
    if (encoded === undefined) {
      encoded = encodeTakes(takes, this.#prefix);
      this.#encoded.set(takes, encoded);
    }
    this.#gather();
    const reply = (await TAKE.run(this.#redis, encoded.keys, [String(now), leaseId, BUCKETS, dry ? '1' : '0', encoded.spec])) as number[];
    const states: CounterState[] = [];
    for (let i = 0; i < takes.length; i++) {
      states.push({ used: Number(reply[3 + i * 3]), limit: Number(reply[4 + i * 3]), resetsAt: Number(reply[5 + i * 3]) });
    }
    if (reply[0] === 1) return { ok: true, states };
    return { ok: false, blocked: Number(reply[1]) - 1, retryAfterMs: Math.max(1, Number(reply[2])), states };
  }
}

/** A takes array as take.lua receives it: prefixed keys, and every counter's spec in one JSON argument. */
interface EncodedTakes {
  readonly keys: readonly string[];
  readonly spec: string;
}

const BUCKETS = String(RATE_WINDOW_BUCKETS);

function encodeTakes(takes: readonly CounterTake[], prefix: string): EncodedTakes {
  const keys: string[] = [];
  const spec: (string | number)[] = [];
  for (const take of takes) {
    keys.push(prefix + take.key);
    if (take.kind === 'window') spec.push('w', take.limit, take.scale, take.windowMs, take.cost, take.observed ? 1 : 0);
    else spec.push('c', take.limit, 1, take.leaseMs, 1, 0);
  }
  return { keys, spec: JSON.stringify(spec) };
}
