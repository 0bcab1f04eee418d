import { Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { QueueStats } from '../ports/job-queue.ts';
import type { RateLimitStatusEntry } from '../ratelimit/index.ts';

/**
 * Gauges read on each scrape. `refresh()` asks the source, then replaces every series at
 * once (a queue or provider that disappeared stops being reported). When the source
 * fails, the series are cleared and the error rethrown for the caller to count.
 */

export class QueueGauges {
  readonly #source: { stats(): Promise<QueueStats[]> };
  readonly #jobs: Gauge<'queue' | 'state'>;
  readonly #depth: Gauge<'queue'>;
  readonly #oldest: Gauge<'queue'>;

  constructor(source: { stats(): Promise<QueueStats[]> }, registers: Registry[]) {
    this.#source = source;
    this.#jobs = new Gauge({ name: 'tributary_queue_jobs', help: 'Jobs per queue by state: ready, delayed, running, dead_letter.', labelNames: ['queue', 'state'], registers });
    this.#depth = new Gauge({ name: 'tributary_queue_depth', help: 'Jobs waiting per queue (ready + delayed): the reference alert fires above 1,000.', labelNames: ['queue'], registers });
    this.#oldest = new Gauge({ name: 'tributary_queue_oldest_ready_age_seconds', help: 'Age of the oldest ready job per queue; 0 when none is ready.', labelNames: ['queue'], registers });
  }

  async refresh(): Promise<void> {
    let stats: QueueStats[];
    try {
      stats = await this.#source.stats();
    } finally {
      this.#jobs.reset();
      this.#depth.reset();
      this.#oldest.reset();
    }
    for (const s of stats) {
      this.#jobs.set({ queue: s.queue, state: 'ready' }, s.ready);
      this.#jobs.set({ queue: s.queue, state: 'delayed' }, s.delayed);
      this.#jobs.set({ queue: s.queue, state: 'running' }, s.running);
      this.#jobs.set({ queue: s.queue, state: 'dead_letter' }, s.deadLetters);
      this.#depth.set({ queue: s.queue }, s.ready + s.delayed);
      this.#oldest.set({ queue: s.queue }, s.oldestReadyAgeMs / 1000);
    }
  }
}

type RateLimitLabel = 'provider' | 'level' | 'kind';

/**
 * Rate-limit usage per provider, level and kind (`window`: calls in the current window;
 * `concurrency`: calls in flight), summed over that provider's counters (one per
 * connection or tenant), plus the fullest single counter's ratio: the number an operator
 * alerts on. Counters of no provider (global ones) report provider `all`.
 */
export class RateLimitGauges {
  readonly #source: { status(): Promise<RateLimitStatusEntry[]> };
  readonly #used: Gauge<RateLimitLabel>;
  readonly #limit: Gauge<RateLimitLabel>;
  readonly #ratio: Gauge<RateLimitLabel>;
  readonly #waiting: Gauge<RateLimitLabel>;

  constructor(source: { status(): Promise<RateLimitStatusEntry[]> }, registers: Registry[]) {
    this.#source = source;
    const labelNames = ['provider', 'level', 'kind'] as const;
    this.#used = new Gauge({ name: 'tributary_rate_limit_used', help: 'Calls counted (in the window, or in flight), summed per provider, level and kind.', labelNames, registers });
    this.#limit = new Gauge({ name: 'tributary_rate_limit_limit', help: 'Effective limits of those counters, summed per provider, level and kind.', labelNames, registers });
    this.#ratio = new Gauge({ name: 'tributary_rate_limit_utilization_ratio', help: 'used / limit of the fullest counter per provider, level and kind (0 to 1).', labelNames, registers });
    this.#waiting = new Gauge({ name: 'tributary_rate_limit_waiting', help: 'Calls waiting for a permit in this process, per provider, level and kind.', labelNames, registers });
  }

  async refresh(): Promise<void> {
    let entries: RateLimitStatusEntry[];
    try {
      entries = await this.#source.status();
    } finally {
      for (const gauge of [this.#used, this.#limit, this.#ratio, this.#waiting]) gauge.reset();
    }
    const groups = new Map<string, { provider: string; level: string; kind: string; used: number; limit: number; ratio: number; waiting: number }>();
    for (const entry of entries) {
      const provider = entry.provider ?? 'all';
      const key = `${provider}\u0000${entry.level}\u0000${entry.kind}`;
      const group = groups.get(key) ?? { provider, level: entry.level, kind: entry.kind, used: 0, limit: 0, ratio: 0, waiting: 0 };
      group.used += entry.used;
      group.limit += entry.limit;
      group.waiting += entry.waiting;
      group.ratio = Math.max(group.ratio, entry.limit > 0 ? Math.min(1, entry.used / entry.limit) : entry.used > 0 ? 1 : 0);
      groups.set(key, group);
    }
    for (const g of groups.values()) {
      const labels = { provider: g.provider, level: g.level, kind: g.kind };
      this.#used.set(labels, g.used);
      this.#limit.set(labels, g.limit);
      this.#ratio.set(labels, g.ratio);
      this.#waiting.set(labels, g.waiting);
    }
  }
}
