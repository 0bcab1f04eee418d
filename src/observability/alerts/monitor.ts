/**
 * Evaluates the operator alerts every `intervalMs` from this process's metrics: takes a
 * sample, compares it with the previous one (rules.ts), and hands each firing or
 * resolved transition to `send` (the notifications' operator channel). Counters are per
 * process, so each process judges its own error rate, sync latency, refresh failures
 * and signature failures, and `announcements` (announcements.ts) makes one of the
 * processes breaching at once the one that tells the operator; the queue depth is the
 * same everywhere and is judged only where `ownsGlobal` says so (one lease holder).
 */
import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger.ts';
import { LOCAL_ANNOUNCEMENTS, type AlertAnnouncements } from './announcements.ts';
import { AlertTracker, DEFAULT_ALERT_THRESHOLDS, evaluateAlerts, type AlertName, type AlertThresholds, type AlertTransition, type MetricsSample } from './rules.ts';
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
  /** Which process of a cluster announces a transition (default: this one, always). */
  readonly announcements?: AlertAnnouncements;
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
  const announcements = options.announcements ?? LOCAL_ANNOUNCEMENTS;
  /** Alerts whose firing here was folded into another process's message, while they breach here. */
  const deferred = new Set<AlertName>();
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
    for (const reading of readings) {
      // A breach folded into another process's message, still going on here once that one resolved: announced now.
      if (!deferred.has(reading.name) || !reading.breached || reading.value === null || transitions.some((t) => t.name === reading.name)) continue;
      transitions.push({ name: reading.name, state: 'firing', value: reading.value, threshold: reading.threshold, at: current.at, ...(reading.detail === undefined ? {} : { detail: reading.detail }), folded: 0 });
    }
    const sent: AlertTransition[] = [];
    for (const transition of transitions) {
      const claimed = await announcements.claim(transition);
      const wasDeferred = deferred.delete(transition.name);
      if (!claimed && transition.state === 'firing') deferred.add(transition.name);
      const log = { alert: transition.name, state: transition.state, value: transition.value, threshold: transition.threshold };
      if (!claimed) {
        if (!wasDeferred) options.logger.info(log, 'operator alert folded: another process announced it');
        continue;
      }
      options.logger.warn(log, 'operator alert');
      await options.send(transition);
      sent.push(transition);
    }
    // Not the queue depth while another process judges it: its lease lapses and the judge's stands.
    for (const name of await announcements.keep(tracker.firing().filter((name) => name !== 'queue_depth' || global))) deferred.add(name);
    return sent;
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
      await announcements.close();
    },
  };
}
