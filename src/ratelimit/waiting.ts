import { TributaryError } from '../domain/errors.ts';
import type { Clock } from '../ports/clock.ts';
import type { Timers, WaitPriority } from './types.ts';
import { WaitQueue } from './wait-queue.ts';

/** One try at taking room: a permit, or how long until the blocking counter may have room. */
export type TakeAttempt<P> = { readonly permit: P } | { readonly retryAfterMs: number; readonly blockedKey: string };

export interface WaitRequest<P> {
  /** The lane (one per connection) whose queue the caller joins. */
  readonly laneId: string;
  /** Every counter the call needs: a waiter never overtakes an earlier one on a shared counter. */
  readonly keys: readonly string[];
  readonly since: number;
  readonly deadline: number;
  readonly priority: WaitPriority;
  readonly signal: AbortSignal | undefined;
  /** Words for the timeout error: `github connection con_1`. */
  readonly what: string;
  take(): Promise<TakeAttempt<P>>;
  /** Gives back room taken for a waiter that timed out meanwhile. */
  giveBack(permit: P): Promise<void>;
}

interface Waiter<P> {
  readonly request: WaitRequest<P>;
  resolve(permit: P): void;
  reject(error: unknown): void;
  cleanup(): void;
}

interface Lane<P> {
  readonly queue: WaitQueue<Waiter<P>>;
  timer: unknown;
  running: boolean;
  again: boolean;
  /** When the lane next expects room (for the retry time of errors). */
  retryAt: number;
}

/** Waiters tried per pass of a lane: bounds the backend calls a busy lane makes. */
const SCAN_LIMIT = 32;

/** PROVIDER_RATE_LIMITED with the time to wait, rounded up to whole ms. */
export function rateLimited(message: string, retryAfterMs: number): TributaryError {
  return new TributaryError('PROVIDER_RATE_LIMITED', message, { retryAfterMs: Math.max(1, Math.ceil(retryAfterMs)) });
}

/**
 * The limiter's waiting room: a bounded, prioritised queue per lane (connection). A pass
 * tries the waiters in order (webhook, manual, scheduled; then arrival); one whose
 * counters include a counter already found full is skipped, so priority holds per budget
 * while calls on other budgets of the same connection proceed. A pass runs when a waiter
 * arrives, when room is given back (`wake`) and when the earliest expected room is due.
 * Each waiter has its own deadline timer. Per process: other processes' waiters are not
 * seen (their takes simply compete in the backend).
 */
export class WaitingRoom<P> {
  readonly #lanes = new Map<string, Lane<P>>();
  readonly #clock: Clock;
  readonly #timers: Timers;
  readonly #capacity: number;

  constructor(clock: Clock, timers: Timers, capacity: number) {
    this.#clock = clock;
    this.#timers = timers;
    this.#capacity = capacity;
  }

  /** True when nobody waits in the lane, so a new call may try at once without overtaking. */
  idle(laneId: string): boolean {
    return (this.#lanes.get(laneId)?.queue.size ?? 0) === 0;
  }

  /** Records when a lane expects room (from a refused first try). */
  expectRoomAt(laneId: string, at: number): void {
    this.#lane(laneId).retryAt = at;
  }

  /** Joins the lane's queue; settles with a permit, PROVIDER_RATE_LIMITED, or the signal's reason. */
  wait(request: WaitRequest<P>): Promise<P> {
    const lane = this.#lane(request.laneId);
    return new Promise<P>((resolve, reject) => {
      let timer: unknown = null;
      const onAbort = (): void => {
        if (lane.queue.remove(waiter)) {
          waiter.cleanup();
          reject(request.signal?.reason);
        }
      };
      const waiter: Waiter<P> = {
        request,
        resolve,
        reject,
        cleanup: () => {
          if (timer !== null) this.#timers.clearTimeout(timer);
          request.signal?.removeEventListener('abort', onAbort);
        },
      };
      if (!lane.queue.push(waiter, request.priority)) {
        reject(rateLimited(`The wait queue of ${request.what} is full`, Math.max(1, lane.retryAt - this.#clock.now())));
        return;
      }
      request.signal?.addEventListener('abort', onAbort, { once: true });
      timer = this.#timers.setTimeout(() => {
        if (!lane.queue.remove(waiter)) return;
        waiter.cleanup();
        const now = this.#clock.now();
        reject(rateLimited(`Waited ${now - request.since} ms for room on ${request.what}`, Math.max(1, lane.retryAt - now)));
      }, Math.max(0, request.deadline - this.#clock.now()));
      // Aborted while the call was preparing: the listener came too late to hear it.
      if (request.signal?.aborted === true) onAbort();
      else this.wake(request.laneId);
    });
  }

  /** Runs a pass over the lane now (room may have come back). */
  wake(laneId: string): void {
    const lane = this.#lanes.get(laneId);
    if (lane === undefined || (lane.queue.size === 0 && !lane.running)) return;
    if (lane.running) {
      lane.again = true;
      return;
    }
    lane.running = true;
    void this.#pass(laneId, lane).finally(() => {
      lane.running = false;
      if (lane.again) {
        lane.again = false;
        this.wake(laneId);
      }
    });
  }

  /** Waiters in this process whose counters include `key`. */
  waitingOn(key: string): number {
    let count = 0;
    for (const lane of this.#lanes.values()) {
      for (const waiter of lane.queue.snapshot()) if (waiter.request.keys.includes(key)) count++;
    }
    return count;
  }

  /** Stops every timer and rejects every waiter with SHUTTING_DOWN. */
  close(): void {
    for (const lane of this.#lanes.values()) {
      if (lane.timer !== null) this.#timers.clearTimeout(lane.timer);
      lane.timer = null;
      for (let waiter = lane.queue.shift(); waiter !== undefined; waiter = lane.queue.shift()) {
        waiter.cleanup();
        waiter.reject(new TributaryError('SHUTTING_DOWN', 'The rate limiter was closed while the call waited'));
      }
    }
  }

  #lane(laneId: string): Lane<P> {
    let lane = this.#lanes.get(laneId);
    if (lane === undefined) {
      lane = { queue: new WaitQueue<Waiter<P>>(this.#capacity), timer: null, running: false, again: false, retryAt: 0 };
      this.#lanes.set(laneId, lane);
    }
    return lane;
  }

  async #pass(laneId: string, lane: Lane<P>): Promise<void> {
    if (lane.timer !== null) {
      this.#timers.clearTimeout(lane.timer);
      lane.timer = null;
    }
    const blocked = new Set<string>();
    let retryAfterMs = Number.POSITIVE_INFINITY;
    for (const waiter of lane.queue.snapshot(SCAN_LIMIT)) {
      if (waiter.request.keys.some((key) => blocked.has(key))) continue;
      let attempt: TakeAttempt<P>;
      try {
        attempt = await waiter.request.take();
      } catch (error) {
        if (lane.queue.remove(waiter)) {
          waiter.cleanup();
          waiter.reject(error);
        }
        continue;
      }
      if ('permit' in attempt) {
        if (lane.queue.remove(waiter)) {
          waiter.cleanup();
          waiter.resolve(attempt.permit);
        } else {
          await waiter.request.giveBack(attempt.permit);
        }
        continue;
      }
      blocked.add(attempt.blockedKey);
      retryAfterMs = Math.min(retryAfterMs, attempt.retryAfterMs);
    }
    if (lane.queue.size > 0 && Number.isFinite(retryAfterMs)) {
      lane.retryAt = this.#clock.now() + retryAfterMs;
      lane.timer = this.#timers.setTimeout(() => {
        lane.timer = null;
        this.wake(laneId);
      }, retryAfterMs);
    }
  }
}
