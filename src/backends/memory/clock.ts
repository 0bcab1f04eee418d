import { TributaryError } from '../../domain/errors.ts';
import type { Clock } from '../../ports/clock.ts';

/** The real wall clock (`Date.now()`), for production wiring. */
export const systemClock: Clock = Object.freeze({ now: (): number => Date.now() });

/**
 * A clock that moves only when told to, for tests that move time instead of sleeping
 * (STYLE.md 17). `advance` never goes backwards; `set` may, to test how code copes with
 * an operator's clock step.
 */
export class ManualClock implements Clock {
  #nowMs: number;

  constructor(startMs: number) {
    this.#nowMs = checkedTime(startMs, 'startMs');
  }

  now(): number {
    return this.#nowMs;
  }

  /** Moves time forward by `ms` (>= 0) and returns the new time. */
  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) {
      throw new TributaryError('VALIDATION_FAILED', 'ManualClock.advance takes a finite, non-negative number of ms', { field: 'ms' });
    }
    this.#nowMs += ms;
    return this.#nowMs;
  }

  /** Jumps to `ms` since the epoch, forwards or backwards. */
  set(ms: number): void {
    this.#nowMs = checkedTime(ms, 'ms');
  }
}

function checkedTime(ms: number, field: string): number {
  if (!Number.isFinite(ms)) {
    throw new TributaryError('VALIDATION_FAILED', `ManualClock needs a finite time in ms since the epoch (${field})`, { field });
  }
  return ms;
}
