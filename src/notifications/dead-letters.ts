/**
 * Turns growing dead-letter lists into `dead_letters.growing` events: each check lists
 * the dead letters that arrived since the last one, groups them by the tenant (and
 * integration) their payload names, and emits one event per group that reached the
 * threshold. The `notifications` queue is left out: reporting a failing delivery through
 * the same deliveries would feed itself. State is per process (the first check starts
 * from "now", not from history); repeats from several notifiers fold like any event.
 */
import { QUEUE_NAMES, type JobQueue, type QueueName } from '../ports/job-queue.ts';
import type { Clock } from '../ports/clock.ts';
import type { NotificationEvent, NotificationSink } from './events.ts';

export interface DeadLetterWatcherOptions {
  /** New dead letters of one tenant (and integration) in one check before an event. Default 1. */
  threshold?: number;
  /** At or above this many, the event is critical. Default 25. */
  criticalAt?: number;
}

const WATCHED: readonly QueueName[] = QUEUE_NAMES.filter((queue) => queue !== 'notifications');
const PAGE = 500;

function field(payload: unknown, name: string): string | null {
  if (payload === null || typeof payload !== 'object') return null;
  const value = (payload as Record<string, unknown>)[name];
  return typeof value === 'string' && value !== '' ? value : null;
}

export class DeadLetterWatcher {
  readonly #queue: JobQueue;
  readonly #sink: NotificationSink;
  readonly #clock: Clock;
  readonly #threshold: number;
  readonly #criticalAt: number;
  #since: number;

  constructor(queue: JobQueue, sink: NotificationSink, clock: Clock, options: DeadLetterWatcherOptions = {}) {
    this.#queue = queue;
    this.#sink = sink;
    this.#clock = clock;
    this.#threshold = options.threshold ?? 1;
    this.#criticalAt = options.criticalAt ?? 25;
    this.#since = clock.now();
  }

  /** Looks at dead letters since the last check; resolves with the events emitted. */
  async check(): Promise<NotificationEvent[]> {
    const now = this.#clock.now();
    const since = this.#since;
    this.#since = now;
    const events: NotificationEvent[] = [];
    for (const queue of WATCHED) {
      const groups = new Map<string, { tenantId: string; integrationId: string | null; count: number; codes: Set<string> }>();
      const letters = await this.#queue.listDeadLetters(queue, { limit: PAGE });
      for (const letter of letters) {
        if (letter.failedAt <= since || letter.failedAt > now) continue;
        const tenantId = field(letter.payload, 'tenantId');
        if (tenantId === null) continue;
        const integrationId = field(letter.payload, 'integrationId');
        const key = `${tenantId}|${integrationId ?? ''}`;
        const group = groups.get(key) ?? { tenantId, integrationId, count: 0, codes: new Set<string>() };
        group.count += 1;
        group.codes.add(letter.errorCode);
        groups.set(key, group);
      }
      for (const group of groups.values()) {
        if (group.count < this.#threshold) continue;
        const event: NotificationEvent = {
          type: 'dead_letters.growing',
          tenantId: group.tenantId,
          severity: group.count >= this.#criticalAt ? 'critical' : 'warning',
          subject: group.integrationId !== null ? { kind: 'integration', id: group.integrationId } : { kind: 'queue', id: queue },
          at: now,
          facts: { queue, newDeadLetters: group.count, errors: [...group.codes].sort().join(', ') },
        };
        events.push(event);
        this.#sink(event);
      }
    }
    return events;
  }
}
