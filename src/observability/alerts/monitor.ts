/**
 * Evaluates the operator alerts every `intervalMs` from this process's metrics: takes a
 * sample, compares it with the previous one (rules.ts), and hands each firing or
 * resolved transition to `send` (the notifications' operator channel). Counters are per
 * process, so each process judges its own error rate, sync latency, refresh failures
 * and signature failures; the queue depth is the same everywhere and is judged only
 * where `ownsGlobal` says so (one lease holder), so a deep queue is announced once.
 */
import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger.ts';
import { AlertTracker, DEFAULT_ALERT_THRESHOLDS, evaluateAlerts, type AlertThresholds, type AlertTransition, type MetricsSample } from './rules.ts';
import { sampleFrom, type MetricValues } from './sample.ts';

export interface AlertMonitorOptions {
  /** This process's metric values (PrometheusMetrics.values). */
  readonly source: () => Promise<readonly MetricValues[]>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly send: (transition: AlertTransition) => Promise<void>;
  readonly thresholds?: AlertThresholds;
  /** Default 60 s. */
  readonly intervalMs?: number;
  /** A breach starting again within this of the last announced one is folded. Default 10 min. */
  readonly foldWindowMs?: number;
  /** Whether this process judges the queue depth now (default: yes). */
  readonly ownsGlobal?: () => Promise<boolean>;
}

export interface AlertMonitor {
  /** One evaluation now (also what the timer does); resolves with what was sent. */
  evaluateNow(): Promise<AlertTransition[]>;
  stop(): Promise<void>;
}

export function startAlertMonitor(options: AlertMonitorOptions): AlertMonitor {
  const thresholds = options.thresholds ?? DEFAULT_ALERT_THRESHOLDS;
  const intervalMs = options.intervalMs ?? 60_000;
  const tracker = new AlertTracker(options.foldWindowMs ?? 600_000);
  let previous: MetricsSample | null = null;
  let running: Promise<AlertTransition[]> = Promise.resolve([]);
  let stopped = false;

  const evaluate = async (): Promise<AlertTransition[]> => {
    const current = sampleFrom(await options.source(), options.clock.now());
    const before = previous;
    previous = current;
    if (before === null) return [];
    const global = options.ownsGlobal === undefined ? true : await options.ownsGlobal();
    const readings = evaluateAlerts(before, current, thresholds).map((r) => (r.name === 'queue_depth' && !global ? { ...r, value: null, breached: false } : r));
    const transitions = tracker.update(readings, current.at);
    for (const transition of transitions) {
      options.logger.warn({ alert: transition.name, state: transition.state, value: transition.value, threshold: transition.threshold }, 'operator alert');
      await options.send(transition);
    }
    return transitions;
  };
  const evaluateNow = (): Promise<AlertTransition[]> => {
    const next = running.then(evaluate, evaluate);
    running = next.catch((error: unknown) => {
      options.logger.error({ err: error }, 'alert evaluation failed');
      return [];
    });
    return next;
  };
  const timer = setInterval(() => {
    if (!stopped) void evaluateNow().catch(() => undefined);
  }, intervalMs);
  timer.unref();
  void evaluateNow().catch(() => undefined);
  return {
    evaluateNow,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
