import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EventDeliveryRecord, EventSubscriptionRecord, NotificationChannelRecord, NotificationRuleRecord, Store } from '../ports/store.ts';

/**
 * Cases for the notification and event subscription repositories, run by the SQLite and
 * PostgreSQL suites against a real store each (`*.test.ts` beside each backend). `open`
 * gives a migrated store on a fresh database; `cleanup` closes it and removes the database.
 */
export interface NotificationStoreFixture {
  readonly store: Store;
  cleanup(): Promise<void>;
}

export const AT = '2026-01-05T09:00:00.000Z';

const channel = (id: string, tenantId: string): NotificationChannelRecord => ({
  id, tenantId, name: id, kind: 'slack_webhook', secretRef: 'sec_1', maskedTarget: 'hooks.slack.com/…', connectionId: null, slackChannel: null,
  status: 'active', failureCount: 0, lastError: null, lastSuccessAt: null, lastFailureAt: null, createdAt: AT, updatedAt: AT,
});
const rule = (id: string, tenantId: string, channelId: string): NotificationRuleRecord => ({
  id, tenantId, channelId, name: id, eventTypes: ['sync.failed'], minSeverity: 'warning', foldWindowMs: 1000, digestIntervalMs: null, enabled: true, createdAt: AT, updatedAt: AT,
});
const subscription: EventSubscriptionRecord = {
  id: 'evs_a', tenantId: 'ten_a', url: 'https://example.test/hook', description: 'a', eventTypes: ['sync.failed', 'sync.succeeded'],
  secretRef: 'sec_1', status: 'active', failingSince: null, disabledReason: null, createdAt: AT, updatedAt: AT,
};
const delivery: EventDeliveryRecord = {
  id: 'msg_a', tenantId: 'ten_a', subscriptionId: 'evs_a', eventType: 'sync.failed', payload: '{"type":"sync.failed"}', status: 'pending',
  attempts: [], nextAttemptAt: AT, createdAt: AT, updatedAt: AT, expiresAt: '2026-02-04T09:00:00.000Z',
};

export function runNotificationRepositoryCases(name: string, open: () => Promise<NotificationStoreFixture>): void {
  let fixture: NotificationStoreFixture;
  let store: Store;

  beforeEach(async () => {
    fixture = await open();
    store = fixture.store;
    for (const id of ['ten_a', 'ten_b']) await store.tenants.insert({ id, name: id, metadata: {}, createdAt: AT, updatedAt: AT });
    await store.notifications.insertChannel(channel('nch_a', 'ten_a'));
    await store.notifications.insertRule(rule('nru_a', 'ten_a', 'nch_a'));
  });
  afterEach(async () => {
    await fixture.cleanup();
  });

  describe(`${name}: notification repository`, () => {
    it("keeps tenants apart: another tenant's channel is absent and cannot carry its rules", async () => {
      expect(await store.notifications.getChannel('ten_b', 'nch_a')).toBeNull();
      expect(await store.notifications.updateChannel('ten_b', 'nch_a', { name: 'x' }, AT)).toBeNull();
      expect(await store.notifications.deleteChannel('ten_b', 'nch_a')).toBe(false);
      await expect(store.notifications.insertRule(rule('nru_b', 'ten_b', 'nch_a'))).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await store.notifications.updateRule('ten_a', 'nru_a', { channelId: 'nch_missing' }, AT)).toBeNull();
      expect(await store.notifications.listRules('ten_b')).toEqual([]);
    });

    it('opens a fold window, counts repeats inside it, and hands an ended window to one sweep only', async () => {
      const notifications = store.notifications;
      expect(await notifications.recordOccurrence('ten_a', 'nru_a', 'k', { n: 1 }, 0, 1000)).toEqual({ kind: 'first', expired: null });
      expect(await notifications.recordOccurrence('ten_a', 'nru_a', 'k', { n: 2 }, 10, 1000)).toEqual({ kind: 'folded', count: 1 });
      expect(await notifications.recordOccurrence('ten_a', 'nru_a', 'k', { n: 3 }, 999, 1000)).toEqual({ kind: 'folded', count: 2 });
      expect(await notifications.takeDueFolds(999, 10)).toEqual([]);
      const [taken, again] = await Promise.all([notifications.takeDueFolds(1000, 10), notifications.takeDueFolds(1000, 10)]);
      expect([...taken, ...again]).toEqual([{ tenantId: 'ten_a', ruleId: 'nru_a', foldKey: 'k', count: 2, since: 0, lastEvent: { n: 3 } }]);
      expect(await notifications.recordOccurrence('ten_a', 'nru_a', 'k', { n: 4 }, 1500, 1000)).toEqual({ kind: 'first', expired: null });
    });

    it('reports the repeats of an ended window not yet swept when the next event opens a new one', async () => {
      const notifications = store.notifications;
      await notifications.recordOccurrence('ten_a', 'nru_a', 'k', { n: 1 }, 0, 1000);
      await notifications.recordOccurrence('ten_a', 'nru_a', 'k', { n: 2 }, 500, 1000);
      expect(await notifications.recordOccurrence('ten_a', 'nru_a', 'k', { n: 3 }, 5000, 1000)).toEqual({ kind: 'first', expired: { count: 1, since: 0, lastEvent: { n: 2 } } });
    });

    it('marks a channel failing after repeated failures, disabled when told, and active again after a success', async () => {
      const fail = (status: 'by_count' | 'disabled') => store.notifications.recordDelivery('ten_a', 'nch_a', { ok: false, at: AT, error: 'E', status, failingAfter: 2 });
      expect(await fail('by_count')).toMatchObject({ status: 'active', failureCount: 1, lastError: 'E', lastFailureAt: AT });
      expect(await fail('by_count')).toMatchObject({ status: 'failing', failureCount: 2 });
      expect(await store.notifications.recordDelivery('ten_a', 'nch_a', { ok: true, at: AT })).toMatchObject({ status: 'active', failureCount: 0, lastSuccessAt: AT });
      expect(await fail('disabled')).toMatchObject({ status: 'disabled' });
      expect(await fail('by_count')).toMatchObject({ status: 'disabled', failureCount: 2 });
    });

    it('accumulates a digest per rule and deletes its state with the channel', async () => {
      const item = (foldKey: string, at: number, severity = 'warning') => ({ foldKey, type: 'sync.failed', severity, subject: { kind: 'integration', id: foldKey }, at });
      await store.notifications.addToDigest('ten_a', 'nru_a', item('a', 100), 100, 1000);
      await store.notifications.addToDigest('ten_a', 'nru_a', item('a', 200, 'critical'), 200, 1000);
      await store.notifications.addToDigest('ten_a', 'nru_a', item('b', 300), 300, 1000);
      expect(await store.notifications.takeDueDigests(1099, 10)).toEqual([]);
      const [digest] = await store.notifications.takeDueDigests(1100, 10);
      expect(digest).toMatchObject({ ruleId: 'nru_a', from: 100, to: 1100 });
      expect(digest?.entries).toEqual({
        a: { type: 'sync.failed', severity: 'critical', subject: { kind: 'integration', id: 'a' }, count: 2, firstAt: 100, lastAt: 200 },
        b: { type: 'sync.failed', severity: 'warning', subject: { kind: 'integration', id: 'b' }, count: 1, firstAt: 300, lastAt: 300 },
      });
      await store.notifications.recordOccurrence('ten_a', 'nru_a', 'k', {}, 0, 1000);
      await store.notifications.recordOccurrence('ten_a', 'nru_a', 'k', {}, 1, 1000);
      expect(await store.notifications.deleteChannel('ten_a', 'nch_a')).toBe(true);
      expect(await store.notifications.getRule('ten_a', 'nru_a')).toBeNull();
      expect(await store.notifications.takeDueFolds(10_000, 10)).toEqual([]);
    });
  });

  describe(`${name}: event subscription repository`, () => {
    beforeEach(async () => {
      await store.eventSubscriptions.insert(subscription);
      await store.eventSubscriptions.insertDeliveries([delivery]);
    });

    it('reads back a subscription with its event types and a delivery with its signed payload text', async () => {
      expect(await store.eventSubscriptions.get('ten_a', 'evs_a')).toEqual(subscription);
      expect(await store.eventSubscriptions.getDelivery('ten_a', 'msg_a')).toEqual(delivery);
    });

    it('appends each attempt in order and sets the next status, in its own tenant only', async () => {
      const first = { at: '2026-01-05T09:00:01.000Z', status: 500, error: 'HTTP 500' };
      const second = { at: '2026-01-05T09:00:06.000Z', status: 200, error: null };
      await store.eventSubscriptions.recordAttempt('ten_a', 'msg_a', first, { status: 'pending', nextAttemptAt: '2026-01-05T09:00:06.000Z' });
      const done = await store.eventSubscriptions.recordAttempt('ten_a', 'msg_a', second, { status: 'delivered', nextAttemptAt: null });
      expect(done).toMatchObject({ status: 'delivered', nextAttemptAt: null, attempts: [first, second], updatedAt: second.at });
      expect(await store.eventSubscriptions.recordAttempt('ten_b', 'msg_a', second, { status: 'delivered', nextAttemptAt: null })).toBeNull();
    });
  });
}
