import type { SandboxClock } from './types.ts';

/**
 * The sandbox's controllable clock: real time plus an offset that only moves forward
 * (`POST /_sandbox/clock/advance`), so tests expire tokens and windows without sleeping.
 * Never goes backwards: a later `now()` is never earlier than a previous one.
 */
export interface ResettableClock extends SandboxClock {
  /** The current offset in ms over real time. */
  offset(): number;
  /** Back to real time (used by `POST /_sandbox/reset`). */
  reset(): void;
}

export function createSandboxClock(realNow: () => number = Date.now): ResettableClock {
  let offsetMs = 0;
  let last = 0;
  return {
    now() {
      const t = realNow() + offsetMs;
      last = Math.max(last, t);
      return last;
    },
    advance(ms: number) {
      if (!Number.isFinite(ms) || ms < 0) throw new RangeError('clock can only advance by a finite, non-negative number of ms');
      offsetMs += ms;
    },
    offset: () => offsetMs,
    reset() {
      offsetMs = 0;
      last = 0;
    },
  };
}
