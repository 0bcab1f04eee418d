/**
 * A held lease. `token` is a fencing token: it increases every time the lock changes
 * hands, so a store that records the token it last saw can refuse writes from a
 * holder whose lease expired while it was paused.
 */
export interface Lease {
  readonly name: string;
  readonly owner: string;
  readonly token: number;
  readonly expiresAt: number;
}

/**
 * Named leases with expiry, shared by every process that uses the same backend.
 *
 * `acquire` is atomic: at most one owner holds a name at a time, unless its lease
 * expired. Acquiring a name you already hold (same owner) renews it and keeps the token.
 * `renew` and `release` fail with LOCK_NOT_HELD / do nothing when the lease was lost.
 * Deliberately left out: waiting queues and reentrancy counts.
 */
export interface Locks {
  acquire(name: string, owner: string, ttlMs: number): Promise<Lease | null>;
  renew(lease: Lease, ttlMs: number): Promise<Lease>;
  release(lease: Lease): Promise<void>;
  /** The current holder, if any lease on the name is unexpired. */
  holder(name: string): Promise<Lease | null>;
}
