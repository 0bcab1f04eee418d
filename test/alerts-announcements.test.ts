/**
 * Which process announces an operator alert, over the embedded Locks backend (one SQLite
 * file shared by the processes, a manual clock moving the leases' expiry): one process
 * alone announces every transition as before; of two processes breaching together one
 * announces and the other folds; when the announcer dies mid-breach, its lease lapses and
 * the survivor, still breaching, announces, then resolves once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/backends/memory/clock.ts';
import { openSqlite } from '../src/backends/sqlite/database.ts';
import { SqliteLocks } from '../src/backends/sqlite/locks.ts';
import { SqliteStore } from '../src/backends/sqlite/store.ts';
import { LeaseAnnouncements, PrometheusMetrics, startAlertMonitor, type AlertMonitor, type AlertTransition } from '../src/observability/index.ts';
import type { Logger } from '../src/ports/logger.ts';

const INTERVAL_MS = 60_000;
const silent: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => silent };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Process {
  readonly metrics: PrometheusMetrics;
  readonly monitor: AlertMonitor;
  readonly sent: AlertTransition[];
}

async function world(): Promise<{ clock: ManualClock; start(owner: string): Promise<Process> }> {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-alert-announcements-'));
  const clock = new ManualClock(Date.UTC(2026, 0, 5, 9, 0, 0));
  const handle = openSqlite({ path: join(dir, 'tributary.db') });
  const store = new SqliteStore(handle, { clock });
  await store.migrate();
  cleanups.push(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return {
    clock,
    async start(owner) {
      const metrics = new PrometheusMetrics({ defaultMetrics: false });
      const sent: AlertTransition[] = [];
      const monitor = startAlertMonitor({
        source: () => metrics.values(), clock, logger: silent, intervalMs: 3_600_000,
        send: async (transition) => void sent.push(transition),
        announcements: new LeaseAnnouncements({ locks: new SqliteLocks(handle, { clock }), owner, ttlMs: INTERVAL_MS * 3, logger: silent }),
      });
      cleanups.push(() => monitor.stop());
      await monitor.evaluateNow();
      return { metrics, monitor, sent };
    },
  };
}

const errors = (p: Process, failed: number, ok = 0) => {
  for (let i = 0; i < failed + ok; i++) p.metrics.invocation({ role: 'inbound-worker', fn: 'sync-inbound', outcome: i < failed ? 'failure' : 'success', durationMs: 5 });
};
const states = (sent: AlertTransition[]) => sent.map((t) => `${t.name}:${t.state}`);

describe('operator alert announcements', () => {
  it('one process announces every firing and resolution, as without a shared backend', async () => {
    const w = await world();
    const one = await w.start('p1');
    errors(one, 30);
    w.clock.advance(INTERVAL_MS);
    await one.monitor.evaluateNow();
    errors(one, 0, 100);
    w.clock.advance(INTERVAL_MS);
    await one.monitor.evaluateNow();
    // Past the fold window: a new breach is a new announcement.
    w.clock.advance(15 * INTERVAL_MS);
    await one.monitor.evaluateNow();
    errors(one, 30);
    w.clock.advance(INTERVAL_MS);
    await one.monitor.evaluateNow();
    expect(states(one.sent)).toEqual(['error_rate:firing', 'error_rate:resolved', 'error_rate:firing']);
  });

  it('of two processes breaching together one announces; a dead announcer\'s breach is taken over by the survivor', async () => {
    const w = await world();
    const a = await w.start('a');
    const b = await w.start('b');
    errors(a, 30);
    errors(b, 30);
    w.clock.advance(INTERVAL_MS);
    await a.monitor.evaluateNow();
    await b.monitor.evaluateNow();
    expect(states(a.sent)).toEqual(['error_rate:firing']);
    expect(b.sent).toEqual([]);

    // `a` dies without a word; `b` goes on failing. Within the lease's three intervals nothing is said...
    errors(b, 30);
    w.clock.advance(INTERVAL_MS);
    await b.monitor.evaluateNow();
    expect(b.sent).toEqual([]);
    // ...then the lease has lapsed and `b` announces the breach still going on.
    errors(b, 30);
    w.clock.advance(3 * INTERVAL_MS);
    await b.monitor.evaluateNow();
    expect(states(b.sent)).toEqual(['error_rate:firing']);
    errors(b, 0, 100);
    w.clock.advance(INTERVAL_MS);
    await b.monitor.evaluateNow();
    expect(states(b.sent)).toEqual(['error_rate:firing', 'error_rate:resolved']);
    expect(states(a.sent)).toEqual(['error_rate:firing']);
  });
});
