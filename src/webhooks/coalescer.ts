/**
 * Coalesces work per key: at most one run in flight and one waiting. A call while a run
 * is in flight joins the waiting run (which starts after the current one ends, so it
 * sees every change made before the call); a call while one is already waiting shares
 * it. So N events for one record become at most two fetches, and none is missed.
 */
export class Coalescer {
  readonly #inFlight = new Map<string, Promise<void>>();
  readonly #waiting = new Map<string, Promise<void>>();

  run(key: string, work: () => Promise<void>): Promise<void> {
    const waiting = this.#waiting.get(key);
    if (waiting !== undefined) return waiting;
    const current = this.#inFlight.get(key);
    if (current === undefined) return this.#start(key, work);
    const next = current
      .catch(() => undefined)
      .then(() => {
        this.#waiting.delete(key);
        return this.#start(key, work);
      });
    this.#waiting.set(key, next);
    return next;
  }

  #start(key: string, work: () => Promise<void>): Promise<void> {
    const running = work().finally(() => {
      if (this.#inFlight.get(key) === running) this.#inFlight.delete(key);
    });
    this.#inFlight.set(key, running);
    return running;
  }
}
