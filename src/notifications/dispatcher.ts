/**
 * From events to delivery jobs, without floods, and the delivery handler.
 *
 * `notify(event)`: for each enabled rule of the event's tenant that takes its type and
 * severity, and whose channel is not disabled:
 * - a digest rule counts the event into its pending digest (sent by `flush` when due);
 * - otherwise the first occurrence of (type + subject) in the rule's fold window is
 *   enqueued at once, repeats inside the window are only counted, and `flush` sends one
 *   "N more since ..." message when the window ends.
 * `flush()` is what a timer calls (the notifier role): due fold windows and digests
 * become jobs. `handle(job)` is the `notifications` queue's handler. Every job names its
 * tenant and channel; the notice is rendered only at delivery, for the channel's kind.
 */
import type { Job } from '../ports/job-queue.ts';
import type { NotificationRuleRecord } from '../ports/store.ts';
import { deliverNotice } from './delivery.ts';
import { foldKey, severityRank, type NotificationEvent, type NotificationSink, type NotificationSubject } from './events.ts';
import type { DigestEntry, Notice } from './message.ts';
import type { ResolvedNotificationOptions } from './options.ts';

/** The payload of a `notifications` job. */
export interface DeliveryJob {
  readonly tenantId: string;
  readonly channelId: string;
  readonly ruleId: string | null;
  readonly notice: Notice;
}

export interface FlushResult {
  readonly folded: number;
  readonly digests: number;
}

/** Most windows and digests one flush takes (the next flush takes the rest). */
const FLUSH_BATCH = 500;

function matches(rule: NotificationRuleRecord, event: NotificationEvent): boolean {
  if (!rule.enabled) return false;
  if (rule.eventTypes.length > 0 && !rule.eventTypes.includes(event.type)) return false;
  return severityRank(event.severity) >= severityRank(rule.minSeverity);
}

export class NotificationDispatcher {
  readonly #options: ResolvedNotificationOptions;

  constructor(options: ResolvedNotificationOptions) {
    this.#options = options;
  }

  /**
   * The sink other features get: records and enqueues in the background and never
   * throws into the emitter; a failure is logged.
   */
  readonly sink: NotificationSink = (event) => {
    this.notify(event).catch((error: unknown) => this.#options.logger.error({ err: error, type: event.type, tenantId: event.tenantId }, 'notification event was not recorded'));
  };

  /** Routes one event; resolves with the number of jobs enqueued now. */
  async notify(event: NotificationEvent): Promise<number> {
    const { store } = this.#options;
    const rules = (await store.notifications.listRules(event.tenantId)).filter((rule) => matches(rule, event));
    if (rules.length === 0) return 0;
    const channels = new Map((await store.notifications.listChannels(event.tenantId)).map((channel) => [channel.id, channel]));
    const key = foldKey(event);
    const jobs: DeliveryJob[] = [];
    for (const rule of rules) {
      const channel = channels.get(rule.channelId);
      if (!channel || channel.status === 'disabled') continue;
      if (rule.digestIntervalMs !== null) {
        const item = { foldKey: key, type: event.type, severity: event.severity, subject: event.subject, at: event.at };
        await store.notifications.addToDigest(event.tenantId, rule.id, item, this.#options.clock.now(), rule.digestIntervalMs);
        continue;
      }
      const outcome = await store.notifications.recordOccurrence(event.tenantId, rule.id, key, event, this.#options.clock.now(), rule.foldWindowMs);
      if (outcome.kind === 'folded') continue;
      if (outcome.expired !== null && outcome.expired.lastEvent !== null) {
        jobs.push({ tenantId: event.tenantId, channelId: channel.id, ruleId: rule.id, notice: { kind: 'folded', event: outcome.expired.lastEvent as NotificationEvent, count: outcome.expired.count, since: outcome.expired.since } });
      }
      jobs.push({ tenantId: event.tenantId, channelId: channel.id, ruleId: rule.id, notice: { kind: 'event', event } });
    }
    await this.#enqueue(jobs);
    return jobs.length;
  }

  /** Turns ended fold windows (with repeats) and due digests into jobs. */
  async flush(): Promise<FlushResult> {
    const { store, clock } = this.#options;
    const now = clock.now();
    const jobs: DeliveryJob[] = [];
    const rules = new Map<string, NotificationRuleRecord | null>();
    const ruleOf = async (tenantId: string, ruleId: string) => {
      if (!rules.has(ruleId)) rules.set(ruleId, await store.notifications.getRule(tenantId, ruleId));
      return rules.get(ruleId) ?? null;
    };
    const folds = await store.notifications.takeDueFolds(now, FLUSH_BATCH);
    for (const fold of folds) {
      const rule = await ruleOf(fold.tenantId, fold.ruleId);
      if (rule === null || fold.lastEvent === null) continue;
      jobs.push({ tenantId: fold.tenantId, channelId: rule.channelId, ruleId: rule.id, notice: { kind: 'folded', event: fold.lastEvent as NotificationEvent, count: fold.count, since: fold.since } });
    }
    const digests = await store.notifications.takeDueDigests(now, FLUSH_BATCH);
    for (const digest of digests) {
      const rule = await ruleOf(digest.tenantId, digest.ruleId);
      if (rule === null) continue;
      const entries = Object.values(digest.entries as Record<string, DigestEntry & { subject: NotificationSubject }>).sort((a, b) => b.count - a.count || a.firstAt - b.firstAt);
      jobs.push({ tenantId: digest.tenantId, channelId: rule.channelId, ruleId: rule.id, notice: { kind: 'digest', ruleName: rule.name, from: digest.from, to: digest.to, entries } });
    }
    await this.#enqueue(jobs);
    return { folded: jobs.length - digests.length, digests: digests.length };
  }

  /**
   * The `notifications` queue handler: delivers to the channel. A channel deleted or
   * disabled meanwhile completes the job without sending. Failures rethrow the
   * classified error (the queue honours a 429's Retry-After, backs off on 5xx and
   * dead-letters permanent refusals, after the channel was marked).
   */
  readonly handle = async (job: Job<DeliveryJob>): Promise<void> => {
    const { tenantId, channelId, notice } = job.payload;
    const channel = await this.#options.store.notifications.getChannel(tenantId, channelId);
    if (channel === null || channel.status === 'disabled') {
      this.#options.logger.info({ tenantId, channelId, jobId: job.id }, 'notification dropped: channel deleted or disabled');
      return;
    }
    await deliverNotice(this.#options, channel, notice);
  };

  async #enqueue(jobs: readonly DeliveryJob[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.#options.queue.enqueueMany(
      'notifications',
      jobs.map((payload) => ({ payload, options: { maxAttempts: this.#options.maxAttempts, priority: payload.notice.kind === 'digest' ? ('low' as const) : ('normal' as const) } })),
    );
  }
}
