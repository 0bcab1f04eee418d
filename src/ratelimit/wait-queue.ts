import type { WaitPriority } from './types.ts';

const RANK: Readonly<Record<WaitPriority, number>> = { webhook: 0, manual: 1, scheduled: 2 };

/**
 * A bounded queue of waiters, ordered by priority (webhook, manual, scheduled) and,
 * within a priority, by arrival. `push` refuses (returns false) when full. Small by
 * design (a lane per connection), so insertion is a linear scan.
 */
export class WaitQueue<T> {
  readonly #items: { item: T; rank: number; seq: number }[] = [];
  #seq = 0;

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.#items.length;
  }

  push(item: T, priority: WaitPriority): boolean {
    if (this.#items.length >= this.capacity) return false;
    const entry = { item, rank: RANK[priority], seq: this.#seq++ };
    let at = this.#items.length;
    while (at > 0 && (this.#items[at - 1] as { rank: number }).rank > entry.rank) at--;
    this.#items.splice(at, 0, entry);
    return true;
  }

  peek(): T | undefined {
    return this.#items[0]?.item;
  }

  shift(): T | undefined {
    return this.#items.shift()?.item;
  }

  /** The first `limit` waiters in order, as a copy (the queue may change while they are tried). */
  snapshot(limit = Number.POSITIVE_INFINITY): T[] {
    return this.#items.slice(0, limit).map((entry) => entry.item);
  }

  remove(item: T): boolean {
    const index = this.#items.findIndex((entry) => entry.item === item);
    if (index < 0) return false;
    this.#items.splice(index, 1);
    return true;
  }
}
