import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { isTributaryError } from '../../domain/errors.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Lease, Locks } from '../../ports/locks.ts';
import type { Logger } from '../../ports/logger.ts';

export interface LeaderElectionOptions {
  readonly locks: Locks;
  /** The lease's name, one per singleton role (`role:scheduler`). */
  readonly name: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How long a lease lasts without renewal: the longest a dead leader blocks a takeover. Default 15 s. */
  readonly leaseMs?: number;
  /** This process's owner string; default host, pid and a random part (unique per election). */
  readonly owner?: string;
}

/**
 * Leader election over the Locks port, for roles that must run in one process at a time
 * (scheduler, token-refresher) while several processes run them for availability.
 *
 * Every third of `leaseMs` each candidate either renews the lease it holds or tries to
 * acquire it; the backend makes at most one holder at a time and raises the fencing
 * token at every change of hands. The leader's own view is conservative: it counts its
 * lease from the moment it ASKED for it (before the backend's answer), so it considers
 * itself leader for less time than the backend grants; if a renewal cannot reach the
 * backend (Redis down) it stays leader only until that local deadline, then steps down.
 * A renewal refused with LOCK_NOT_HELD (it lapsed and someone else took it) steps down
 * at once. When the leader dies, its lease lapses and the next candidate's attempt, at
 * most a third of `leaseMs` later, takes over with a higher token.
 *
 * What a leader does must still be safe to overlap for the short margin in which a
 * paused old leader has not yet noticed its loss (the work itself is idempotent: due
 * syncs are enqueued under idempotency keys, credential refresh is single-flight).
 * `fencingToken()` lets work carry the token so a store could refuse a stale leader.
 */
export class LeaderElection {
  readonly #options: Required<Omit<LeaderElectionOptions, 'owner'>> & { owner: string };
  #lease: Lease | null = null;
  /** Local time until which this process may act as leader. */
  #validUntil = 0;
  #timer: NodeJS.Timeout | null = null;
  #campaign: Promise<Lease | null> | null = null;
  #stopped = false;

  constructor(options: LeaderElectionOptions) {
    const leaseMs = options.leaseMs ?? 15_000;
    if (!Number.isSafeInteger(leaseMs) || leaseMs < 300) throw new RangeError('leaseMs must be an integer of at least 300');
    this.#options = { ...options, leaseMs, owner: options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}` };
  }

  get owner(): string {
    return this.#options.owner;
  }

  /** Starts campaigning: one attempt now, then one every third of the lease. */
  start(): this {
    if (this.#timer !== null || this.#stopped) return this;
    void this.ensure().catch(() => undefined);
    this.#timer = setInterval(() => void this.#round().catch(() => undefined), Math.max(100, Math.floor(this.#options.leaseMs / 3)));
    this.#timer.unref();
    return this;
  }

  /** True while this process holds a lease it may still act on. */
  isLeader(): boolean {
    return this.#lease !== null && this.#options.clock.now() < this.#validUntil;
  }

  /** The fencing token of the lease held now, or null when not leader. */
  fencingToken(): number | null {
    return this.isLeader() ? (this.#lease?.token ?? null) : null;
  }

  /** The lease if this process leads now; otherwise one attempt to win it. Null: another process leads. */
  async ensure(): Promise<Lease | null> {
    if (this.isLeader()) return this.#lease;
    return this.#round();
  }

  /** Stops campaigning and gives the lease up, so that another process takes over at once. Idempotent. */
  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer !== null) clearInterval(this.#timer);
    await this.#campaign?.catch(() => undefined);
    const held = this.#lease;
    this.#lease = null;
    if (held !== null) await this.#options.locks.release(held).catch(() => undefined);
  }

  /** One renewal or acquisition; concurrent callers share it. */
  #round(): Promise<Lease | null> {
    this.#campaign ??= this.#attempt().finally(() => (this.#campaign = null));
    return this.#campaign;
  }

  async #attempt(): Promise<Lease | null> {
    if (this.#stopped) return null;
    const { locks, name, owner, leaseMs, clock, logger } = this.#options;
    const askedAt = clock.now();
    const held = this.#lease;
    try {
      const lease = held === null ? await locks.acquire(name, owner, leaseMs) : await locks.renew(held, leaseMs);
      if (this.#stopped) {
        if (lease !== null) await locks.release(lease).catch(() => undefined);
        return null;
      }
      if (lease === null) return null;
      this.#lease = lease;
      this.#validUntil = askedAt + leaseMs;
      if (held === null) logger.info({ lease: name, owner, fencing: lease.token }, 'elected leader');
      return lease;
    } catch (error) {
      if (held !== null && isTributaryError(error) && error.code === 'LOCK_NOT_HELD') {
        this.#lease = null;
        logger.warn({ lease: name, owner, fencing: held.token }, 'leadership lost: the lease lapsed and was taken');
        return null;
      }
      // The backend did not answer: keep acting only while the lease surely still holds.
      if (held !== null && !this.isLeader()) {
        this.#lease = null;
        logger.warn({ lease: name, owner, err: describe(error) }, 'leadership given up: the lease could not be renewed in time');
      }
      throw error;
    }
  }
}

function describe(error: unknown): { name: string; message: string } {
  return error instanceof Error ? { name: error.name, message: error.message } : { name: 'Error', message: String(error) };
}
