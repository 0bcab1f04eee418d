import type { Redis } from 'ioredis';
import { TributaryError } from '../../domain/errors.ts';
import type { Lease, Locks } from '../../ports/locks.ts';
import { LuaScript } from './scripts.ts';

const ACQUIRE = new LuaScript('lock-acquire.lua');
const RENEW = new LuaScript('lock-renew.lua');
const RELEASE = new LuaScript('lock-release.lua');
const HOLDER = new LuaScript('lock-holder.lua');

export interface RedisLocksOptions {
  /** Prepended to every key, e.g. `tributary:`. Processes that share locks share it. */
  readonly keyPrefix: string;
}

/**
 * Locks on Redis (ports/locks.ts), shared by every process on the same server and prefix.
 *
 * A lease is a hash `{prefix}lock:{name}` holding owner and token, with a PEXPIRE of the
 * ttl: it exists exactly while the lease is held, so expiry is judged by the Redis
 * server's clock, the one clock every process agrees on (a paused or skewed worker
 * cannot extend a lease by its own idea of time). `Lease.expiresAt` is in that clock.
 * The fencing token comes from a counter `{prefix}lock-token:{name}` that never expires
 * and is never reset by a release, so every grant after a release or an expiry gets a
 * higher token. Both keys share a hash tag, so they live in one Redis Cluster slot.
 *
 * Each operation is one Lua script (lua/lock-*.lua) and therefore atomic. Redis errors
 * (server down, timeouts) reject as the client reports them; take the client from
 * `connectRedis`, which fails fast instead of queueing commands.
 */
export class RedisLocks implements Locks {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, options: RedisLocksOptions) {
    this.#redis = redis;
    this.#prefix = options.keyPrefix;
  }

  async acquire(name: string, owner: string, ttlMs: number): Promise<Lease | null> {
    checkArguments(name, owner, ttlMs);
    const reply = (await ACQUIRE.run(this.#redis, [this.#leaseKey(name), this.#tokenKey(name)], [owner, ttlMs])) as
      | [number, number]
      | null;
    if (reply === null) return null;
    return lease(name, owner, reply[0], reply[1]);
  }

  async renew(held: Lease, ttlMs: number): Promise<Lease> {
    checkArguments(held.name, held.owner, ttlMs);
    const expiresAt = (await RENEW.run(this.#redis, [this.#leaseKey(held.name)], [held.owner, held.token, ttlMs])) as number | null;
    if (expiresAt === null) {
      throw new TributaryError('LOCK_NOT_HELD', `Lock ${held.name} is no longer held by ${held.owner} (token ${held.token})`, {
        details: { name: held.name, token: held.token },
      });
    }
    return lease(held.name, held.owner, held.token, expiresAt);
  }

  async release(held: Lease): Promise<void> {
    await RELEASE.run(this.#redis, [this.#leaseKey(held.name)], [held.owner, held.token]);
  }

  async holder(name: string): Promise<Lease | null> {
    const reply = (await HOLDER.run(this.#redis, [this.#leaseKey(name)], [])) as [string, number, number] | null;
    return reply === null ? null : lease(name, reply[0], reply[1], reply[2]);
  }

  #leaseKey(name: string): string {
    return `${this.#prefix}lock:{${name}}`;
  }

  #tokenKey(name: string): string {
    return `${this.#prefix}lock-token:{${name}}`;
  }
}

function lease(name: string, owner: string, token: number, expiresAt: number): Lease {
  return Object.freeze({ name, owner, token: Number(token), expiresAt: Number(expiresAt) });
}

function checkArguments(name: string, owner: string, ttlMs: number): void {
  if (typeof name !== 'string' || name === '') throw new TributaryError('VALIDATION_FAILED', 'A lock needs a name', { field: 'name' });
  if (typeof owner !== 'string' || owner === '') throw new TributaryError('VALIDATION_FAILED', 'A lock needs an owner', { field: 'owner' });
  if (!Number.isSafeInteger(ttlMs) || ttlMs < 1) {
    throw new TributaryError('VALIDATION_FAILED', 'A lease needs a whole, positive ttlMs', { field: 'ttlMs' });
  }
}
