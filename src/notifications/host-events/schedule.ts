/**
 * When a failed delivery is tried again: the Standard Webhooks / Svix schedule after the
 * immediate first attempt (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h, 24 h: about
 * three days in all), each delay with ±10 % jitter, and never sooner than the endpoint's
 * Retry-After.
 */
export const DEFAULT_RETRY_SCHEDULE_MS: readonly number[] = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 50_400_000, 72_000_000, 86_400_000];

/**
 * The delay before attempt `attemptsMade + 1`, or null when the schedule is exhausted.
 * `random` is in [0, 1).
 */
export function nextRetryDelay(schedule: readonly number[], attemptsMade: number, random: () => number, retryAfterMs: number | null): number | null {
  const base = schedule[attemptsMade - 1];
  if (base === undefined) return null;
  const jittered = Math.round(base * (0.9 + 0.2 * random()));
  return Math.max(jittered, retryAfterMs ?? 0);
}
