import { TributaryError } from '../../../domain/errors.ts';
import type {
  DueNotificationDigest,
  DueNotificationFold,
  EventDeliveryRecord,
  EventSubscriptionRecord,
  EventSubscriptionRepository,
  NotificationChannelRecord,
  NotificationRepository,
  NotificationRuleRecord,
} from '../../../ports/store.ts';
import { addDigestItem, type DigestEntryJson } from '../../rows/notification-rows.ts';
import { docId, fromDoc, toDoc, top, withPatch } from '../documents.ts';
import type { UnitRunner } from '../runner.ts';
import type { CosmosUnit, Doc } from '../unit.ts';

/**
 * Notification channels, rules, fold windows and digests, and event subscriptions with
 * their deliveries, on Cosmos DB in the tenant's partition of `notifications`. Every
 * read-modify-write (a fold's count, a digest's entries, a channel's failure count, a
 * delivery's attempts) writes back under the ETag it read, so concurrent emitters never
 * lose a count: the loser runs again. The sweeps (`takeDueFolds`, `takeDueDigests`,
 * `purgeDeliveries`) query across partitions and delete what they return under the same
 * rule, so two sweepers never take one window.
 */

const CHANNEL = 'channel';
const RULE = 'rule';
const FOLD = 'fold';
const DIGEST = 'digest';
const SUBSCRIPTION = 'subscription';
const DELIVERY = 'eventdelivery';
const MAX_ATTEMPTS_KEPT = 50;

interface FoldDoc extends Doc {
  readonly tenantId: string;
  readonly ruleId: string;
  readonly foldKey: string;
  readonly windowStartedAt: number;
  readonly windowEndsAt: number;
  readonly count: number;
  readonly lastEvent: unknown;
}

interface DigestDoc extends Doc {
  readonly tenantId: string;
  readonly ruleId: string;
  readonly startedAt: number;
  readonly dueAt: number;
  readonly entries: Record<string, DigestEntryJson>;
}

const foldId = (ruleId: string, foldKey: string): string => docId(FOLD, `${ruleId}|${foldKey}`);

/** Deletes a rule's fold windows and digest (with the rule, or its channel). */
async function dropRuleState(unit: CosmosUnit, tenantId: string, ruleId: string): Promise<void> {
  const docs = await unit.query<Doc>('notifications', 'SELECT * FROM c WHERE (c.docKind = @fold OR c.docKind = @digest) AND c.ruleId = @ruleId', { fold: FOLD, digest: DIGEST, ruleId }, tenantId);
  for (const doc of docs) unit.delete('notifications', tenantId, doc.id);
}

export function cosmosNotifications(runner: UnitRunner): NotificationRepository {
  const readChannel = (unit: CosmosUnit, tenantId: string, id: string): Promise<Doc | null> => unit.get('notifications', tenantId, docId(CHANNEL, id));
  const readRule = (unit: CosmosUnit, tenantId: string, id: string): Promise<Doc | null> => unit.get('notifications', tenantId, docId(RULE, id));
  const listKind = <T>(unit: CosmosUnit, tenantId: string, kind: string): Promise<T[]> =>
    unit
      .query<Doc>('notifications', 'SELECT TOP 1000 * FROM c WHERE c.docKind = @kind ORDER BY c.createdAt ASC, c.id ASC', { kind }, tenantId)
      .then((docs) => docs.map((doc) => fromDoc<T>(doc)));
  return {
    insertChannel: (channel) => runner.run(async (unit) => unit.create('notifications', toDoc(CHANNEL, channel.tenantId, channel.id, channel))),
    getChannel: (tenantId, id) =>
      runner.run(async (unit) => {
        const doc = await readChannel(unit, tenantId, id);
        return doc ? fromDoc<NotificationChannelRecord>(doc) : null;
      }),
    listChannels: (tenantId) => runner.run((unit) => listKind<NotificationChannelRecord>(unit, tenantId, CHANNEL)),
    updateChannel: (tenantId, id, patch, updatedAt) =>
      runner.run(async (unit) => {
        const doc = await readChannel(unit, tenantId, id);
        if (!doc) return null;
        const channel = withPatch(fromDoc<NotificationChannelRecord>(doc), patch, { updatedAt });
        unit.put('notifications', toDoc(CHANNEL, tenantId, id, channel));
        return channel;
      }),
    deleteChannel: (tenantId, id) =>
      runner.run(async (unit) => {
        const doc = await readChannel(unit, tenantId, id);
        if (!doc) return false;
        unit.delete('notifications', tenantId, doc.id);
        const rules = await unit.query<Doc>('notifications', 'SELECT * FROM c WHERE c.docKind = @kind AND c.channelId = @id', { kind: RULE, id }, tenantId);
        for (const rule of rules) {
          unit.delete('notifications', tenantId, rule.id);
          await dropRuleState(unit, tenantId, String(rule.rid));
        }
        return true;
      }),
    recordDelivery: (tenantId, id, outcome) =>
      runner.run(async (unit) => {
        const doc = await readChannel(unit, tenantId, id);
        if (!doc) return null;
        const current = fromDoc<NotificationChannelRecord>(doc);
        let channel: NotificationChannelRecord;
        if (outcome.ok) {
          channel = { ...current, failureCount: 0, status: 'active', lastSuccessAt: outcome.at };
        } else {
          const failureCount = current.failureCount + 1;
          const status = current.status === 'disabled' ? 'disabled' : outcome.status !== 'by_count' ? outcome.status : failureCount >= outcome.failingAfter ? 'failing' : current.status;
          channel = { ...current, failureCount, lastError: outcome.error, lastFailureAt: outcome.at, status };
        }
        unit.put('notifications', toDoc(CHANNEL, tenantId, id, channel));
        return channel;
      }),
    insertRule: (rule) =>
      runner.run(async (unit) => {
        if (!(await readChannel(unit, rule.tenantId, rule.channelId))) throw new TributaryError('NOT_FOUND', 'No such notification channel', { field: 'channelId' });
        unit.create('notifications', toDoc(RULE, rule.tenantId, rule.id, rule));
      }),
    getRule: (tenantId, id) =>
      runner.run(async (unit) => {
        const doc = await readRule(unit, tenantId, id);
        return doc ? fromDoc<NotificationRuleRecord>(doc) : null;
      }),
    listRules: (tenantId) => runner.run((unit) => listKind<NotificationRuleRecord>(unit, tenantId, RULE)),
    updateRule: (tenantId, id, patch, updatedAt) =>
      runner.run(async (unit) => {
        const doc = await readRule(unit, tenantId, id);
        if (!doc) return null;
        if (patch.channelId !== undefined && !(await readChannel(unit, tenantId, patch.channelId))) return null;
        const rule = withPatch(fromDoc<NotificationRuleRecord>(doc), patch, { updatedAt });
        unit.put('notifications', toDoc(RULE, tenantId, id, rule));
        return rule;
      }),
    deleteRule: (tenantId, id) =>
      runner.run(async (unit) => {
        const doc = await readRule(unit, tenantId, id);
        if (!doc) return false;
        unit.delete('notifications', tenantId, doc.id);
        await dropRuleState(unit, tenantId, id);
        return true;
      }),
    recordOccurrence: (tenantId, ruleId, foldKey, event, now, windowMs) =>
      runner.run(async (unit) => {
        const id = foldId(ruleId, foldKey);
        const fold = (await unit.get('notifications', tenantId, id)) as FoldDoc | null;
        if (fold && fold.windowEndsAt > now) {
          unit.put('notifications', { ...fold, count: fold.count + 1, lastEvent: event });
          return { kind: 'folded' as const, count: fold.count + 1 };
        }
        const expired = fold && fold.count > 0 ? { count: fold.count, since: fold.windowStartedAt, lastEvent: fold.lastEvent } : null;
        const next = { ...toDoc(FOLD, tenantId, '', { tenantId, ruleId, foldKey, windowStartedAt: now, windowEndsAt: now + windowMs, count: 0, lastEvent: null }), id };
        if (fold) unit.put('notifications', next);
        else unit.create('notifications', next);
        return { kind: 'first' as const, expired };
      }),
    takeDueFolds: (now, limit) =>
      runner.run(async (unit) => {
        const folds = await unit.query<FoldDoc>('notifications', `SELECT TOP ${top(limit)} * FROM c WHERE c.docKind = @kind AND c.windowEndsAt <= @now ORDER BY c.windowEndsAt ASC`, { kind: FOLD, now });
        for (const fold of folds) unit.delete('notifications', fold.pk, fold.id);
        return folds
          .filter((fold) => fold.count > 0)
          .map((fold): DueNotificationFold => ({ tenantId: fold.tenantId, ruleId: fold.ruleId, foldKey: fold.foldKey, count: fold.count, since: fold.windowStartedAt, lastEvent: fold.lastEvent }));
      }),
    addToDigest: (tenantId, ruleId, item, now, intervalMs) =>
      runner.run(async (unit) => {
        const id = docId(DIGEST, ruleId);
        const digest = (await unit.get('notifications', tenantId, id)) as DigestDoc | null;
        const entries = structuredClone(digest?.entries ?? {});
        addDigestItem(entries, item);
        const next = { ...toDoc(DIGEST, tenantId, '', { tenantId, ruleId, startedAt: digest?.startedAt ?? now, dueAt: digest?.dueAt ?? now + intervalMs, entries }), id };
        if (digest) unit.put('notifications', next);
        else unit.create('notifications', next);
      }),
    takeDueDigests: (now, limit) =>
      runner.run(async (unit) => {
        const digests = await unit.query<DigestDoc>('notifications', `SELECT TOP ${top(limit)} * FROM c WHERE c.docKind = @kind AND c.dueAt <= @now ORDER BY c.dueAt ASC`, { kind: DIGEST, now });
        for (const digest of digests) unit.delete('notifications', digest.pk, digest.id);
        return digests.map((d): DueNotificationDigest => ({ tenantId: d.tenantId, ruleId: d.ruleId, from: d.startedAt, to: d.dueAt, entries: d.entries }));
      }),
  };
}

export function cosmosEventSubscriptions(runner: UnitRunner): EventSubscriptionRepository {
  const readSubscription = (unit: CosmosUnit, tenantId: string, id: string): Promise<Doc | null> => unit.get('notifications', tenantId, docId(SUBSCRIPTION, id));
  const readDelivery = (unit: CosmosUnit, tenantId: string, id: string): Promise<Doc | null> => unit.get('notifications', tenantId, docId(DELIVERY, id));
  const changeDelivery = (tenantId: string, id: string, change: (d: EventDeliveryRecord) => EventDeliveryRecord): Promise<EventDeliveryRecord | null> =>
    runner.run(async (unit) => {
      const doc = await readDelivery(unit, tenantId, id);
      if (!doc) return null;
      const delivery = change(fromDoc<EventDeliveryRecord>(doc));
      unit.put('notifications', toDoc(DELIVERY, tenantId, id, delivery));
      return delivery;
    });
  return {
    insert: (subscription) => runner.run(async (unit) => unit.create('notifications', toDoc(SUBSCRIPTION, subscription.tenantId, subscription.id, subscription))),
    get: (tenantId, id) =>
      runner.run(async (unit) => {
        const doc = await readSubscription(unit, tenantId, id);
        return doc ? fromDoc<EventSubscriptionRecord>(doc) : null;
      }),
    list: (tenantId) =>
      runner.run(async (unit) =>
        (await unit.query<Doc>('notifications', 'SELECT TOP 1000 * FROM c WHERE c.docKind = @kind ORDER BY c.createdAt ASC, c.id ASC', { kind: SUBSCRIPTION }, tenantId)).map((doc) =>
          fromDoc<EventSubscriptionRecord>(doc),
        ),
      ),
    update: (tenantId, id, patch, updatedAt) =>
      runner.run(async (unit) => {
        const doc = await readSubscription(unit, tenantId, id);
        if (!doc) return null;
        const subscription = withPatch(fromDoc<EventSubscriptionRecord>(doc), patch, { updatedAt });
        unit.put('notifications', toDoc(SUBSCRIPTION, tenantId, id, subscription));
        return subscription;
      }),
    delete: (tenantId, id) =>
      runner.run(async (unit) => {
        const doc = await readSubscription(unit, tenantId, id);
        if (!doc) return false;
        unit.delete('notifications', tenantId, doc.id);
        const deliveries = await unit.query<Doc>('notifications', 'SELECT * FROM c WHERE c.docKind = @kind AND c.subscriptionId = @id', { kind: DELIVERY, id }, tenantId);
        for (const delivery of deliveries) unit.delete('notifications', tenantId, delivery.id);
        return true;
      }),
    insertDeliveries: (deliveries) =>
      runner.run(async (unit) => {
        for (const delivery of deliveries) unit.create('notifications', toDoc(DELIVERY, delivery.tenantId, delivery.id, delivery));
      }),
    getDelivery: (tenantId, id) =>
      runner.run(async (unit) => {
        const doc = await readDelivery(unit, tenantId, id);
        return doc ? fromDoc<EventDeliveryRecord>(doc) : null;
      }),
    listDeliveries: (tenantId, subscriptionId, limit) =>
      runner.run(async (unit) =>
        (
          await unit.query<Doc>(
            'notifications',
            `SELECT TOP ${top(limit)} * FROM c WHERE c.docKind = @kind AND c.subscriptionId = @subscriptionId ORDER BY c.createdAt DESC, c.id DESC`,
            { kind: DELIVERY, subscriptionId },
            tenantId,
          )
        ).map((doc) => fromDoc<EventDeliveryRecord>(doc)),
      ),
    recordAttempt: (tenantId, id, attempt, next) =>
      changeDelivery(tenantId, id, (d) => ({ ...d, attempts: [...d.attempts, attempt].slice(-MAX_ATTEMPTS_KEPT), status: next.status, nextAttemptAt: next.nextAttemptAt, updatedAt: attempt.at })),
    setDeliveryStatus: (tenantId, id, status, nextAttemptAt, updatedAt) => changeDelivery(tenantId, id, (d) => ({ ...d, status, nextAttemptAt, updatedAt })),
    purgeDeliveries: (now, limit) =>
      runner.run(async (unit) => {
        const docs = await unit.query<Doc>('notifications', `SELECT TOP ${top(limit)} * FROM c WHERE c.docKind = @kind AND c.expiresAt <= @now`, { kind: DELIVERY, now });
        for (const doc of docs) unit.delete('notifications', doc.pk, doc.id);
        return docs.length;
      }),
  };
}
