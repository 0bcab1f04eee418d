import { hostname } from 'node:os';
import { operatorAlertSender, type Notifications } from '../notifications/index.ts';
import { LeaseAnnouncements, startAlertMonitor, type AlertMonitor, type PrometheusMetrics } from '../observability/index.ts';
import type { Clock } from '../ports/clock.ts';
import type { Lease, Locks } from '../ports/locks.ts';
import type { Logger } from '../ports/logger.ts';
import type { ResolvedConfig } from './config/index.ts';
import { randomUUID } from 'node:crypto';

/** The lease whose holder judges the queue depth (the same in every process). */
export const QUEUE_DEPTH_ALERT_LEASE = 'alerts:queue-depth';

/**
 * Every process evaluates the operator alerts over its own metrics (docs/observability.md)
 * and sends transitions to the operator channel through the notifications queue; the
 * process holding `alerts:queue-depth` also judges the queue depth (the shared queue's,
 * the same everywhere). The processes share the Locks backend, through which one of
 * those breaching at once announces an alert and the others fold theirs
 * (observability/alerts/announcements.ts): one operator message per firing across the
 * cluster. `evaluateNow` is the timer's evaluation, on demand.
 */
export function startOperatorAlerts(
  config: Pick<ResolvedConfig, 'observability'>,
  ports: { metrics: PrometheusMetrics; locks: Locks; clock: Clock; logger: Logger; notifications: Notifications },
): Pick<AlertMonitor, 'evaluateNow' | 'stop'> {
  const logger = ports.logger.child({ component: 'alerts' });
  const owner = `${hostname()}:${process.pid}:${randomUUID()}`;
  const intervalMs = config.observability.alerts.intervalMs;
  // Acquiring a lease one holds renews it: the holder keeps it from one evaluation to the next; no timer of its own.
  let held: Lease | null = null;
  const monitor = startAlertMonitor({
    source: () => ports.metrics.values(),
    clock: ports.clock,
    logger,
    send: operatorAlertSender(ports.notifications.options, `${hostname()}:${process.pid}`),
    thresholds: config.observability.alerts.thresholds,
    intervalMs,
    ownsGlobal: async () => {
      held = await ports.locks.acquire(QUEUE_DEPTH_ALERT_LEASE, owner, intervalMs * 3).catch(() => null);
      return held !== null;
    },
    // Renewed at every evaluation: a dead announcer's breach is taken over after three missed ones.
    announcements: new LeaseAnnouncements({ locks: ports.locks, owner, ttlMs: intervalMs * 3, logger }),
  });
  return {
    evaluateNow: () => monitor.evaluateNow(),
    async stop() {
      await monitor.stop();
      if (held !== null) await ports.locks.release(held).catch(() => undefined);
    },
  };
}
