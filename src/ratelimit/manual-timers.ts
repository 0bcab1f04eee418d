import type { Timers } from './types.ts';

interface Pending {
  readonly at: number;
  readonly seq: number;
  readonly callback: () => void;
}

/** The clock a ManualTimers moves: `now()` and `advance(ms)` (ManualClock fits). */
export interface SettableClock {
  now(): number;
  advance(ms: number): number;
}

/**
 * Timers that fire only when a test moves time (STYLE.md 17): `advance(ms)` moves the
 * clock timer by timer, running each due callback and letting promise callbacks settle
 * in between, so code that waits in the limiter's queue is driven without sleeping.
 */
export class ManualTimers implements Timers {
  readonly #clock: SettableClock;
  #pending: Pending[] = [];
  #seq = 0;

  constructor(clock: SettableClock) {
    this.#clock = clock;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const entry = { at: this.#clock.now() + Math.max(0, ms), seq: this.#seq++, callback };
    this.#pending.push(entry);
    return entry;
  }

  clearTimeout(handle: unknown): void {
    this.#pending = this.#pending.filter((entry) => entry !== handle);
  }

  get pending(): number {
    return this.#pending.length;
  }

  /** Moves time forward by `ms`, firing every timer due on the way, in order. */
  async advance(ms: number): Promise<void> {
    const end = this.#clock.now() + ms;
    await settle();
    for (;;) {
      const next = [...this.#pending].sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (next === undefined || next.at > end) break;
      this.#pending = this.#pending.filter((entry) => entry !== next);
      if (next.at > this.#clock.now()) this.#clock.advance(next.at - this.#clock.now());
      next.callback();
      await settle();
    }
    if (end > this.#clock.now()) this.#clock.advance(end - this.#clock.now());
    await settle();
  }
}

/** Lets queued promise callbacks run (a few macrotask turns cover chains of awaits). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
