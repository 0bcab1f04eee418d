/**
 * The adaptive multiplier of a connection, in [min, max] (0.5 to 1.0 by default, as the
 * reference's `ratelimit_adaptive:{id}`): the share of the budget the limiter lets a
 * connection use. A 429 cuts it hard, other errors a little, successes win it back
 * slowly. Pure.
 */
export interface AdaptiveOptions {
  readonly min: number;
  readonly max: number;
  /** Factor applied on a rate refusal. Default 0.75. */
  readonly onLimited: number;
  /** Subtracted on a server error or overload. Default 0.05. */
  readonly onError: number;
  /** Added on a success. Default 0.01 (about 50 successes from the floor to full). */
  readonly onSuccess: number;
}

export const DEFAULT_ADAPTIVE: AdaptiveOptions = Object.freeze({ min: 0.5, max: 1, onLimited: 0.75, onError: 0.05, onSuccess: 0.01 });

export type CallOutcome = 'success' | 'limited' | 'error';

/** The multiplier after one more outcome, kept within bounds and rounded to 1/1000. */
export function nextMultiplier(current: number, outcome: CallOutcome, options: AdaptiveOptions = DEFAULT_ADAPTIVE): number {
  const value = outcome === 'limited' ? current * options.onLimited : outcome === 'error' ? current - options.onError : current + options.onSuccess;
  return Math.round(Math.min(options.max, Math.max(options.min, value)) * 1000) / 1000;
}
