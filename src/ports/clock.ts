/**
 * Time, injected so that tests move it instead of sleeping (STYLE.md 17).
 * `now()` is milliseconds since the Unix epoch. Implementations must be monotonic
 * enough for leases: a later call never returns an earlier time than a previous call
 * by more than a clock step the operator made.
 */
export interface Clock {
  now(): number;
}

/**
 * Randomness for jitter, injected for the same reason: a seeded source makes backoff
 * schedules reproducible in tests. Returns a float in [0, 1).
 */
export type RandomSource = () => number;
