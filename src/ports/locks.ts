/**
 * A held lease. `token` is a fencing token: it increases every time the lock changes
 * hands, so a store that records the token it last saw can refuse writes from a
 * holder whose lease expired while it was paused.
 */
export interface Lease {
  readonly name: string;
  readonly owner: string;
  readonly token: number;
  /** When the lease lapses, in ms since the epoch by the backend's clock. */
  readonly expiresAt: number;
}

/**
 * Named leases with expiry, shared by every process that uses the same backend.
 *
 * `acquire` is atomic: at most one owner holds a name at a time, unless its lease
 * expired; it returns null while someone else holds it. Acquiring a name you already
 * hold (same owner, unexpired) renews it and keeps the token; every other grant (a new
 * name, after a release, after an expiry, even to the same owner) gets a token higher
 * than any earlier one for that name, for as long as the backend keeps its state.
 * `renew` fails with LOCK_NOT_HELD once the lease was released, taken over, or expired
 * (even if nobody took it); `release` of a lease no longer held does nothing.
 * `owner` must name one holder (process id plus a random part): two holders sharing an
 * owner string would both hold the lease. Expiry is judged by the backend's clock.
 * Deliberately left out: waiting queues and reentrancy counts.
 * Contract suite: ports/contracts/locks.contract.ts.
 */
export interface Locks {
  acquire(name: string, owner: string, ttlMs: number): Promise<Lease | null>;
  renew(lease: Lease, ttlMs: number): Promise<Lease>;
  release(lease: Lease): Promise<void>;
  /** The current holder, if any lease on the name is unexpired. */
  holder(name: string): Promise<Lease | null>;
}
