/**
 * No echo through webhooks. The push world (the sandbox's Salesforce and Google, SQLite,
 * the real outbound handler) plus the real webhook intake (receiver on a real port,
 * queue) and webhook worker, registered for Salesforce Outbound Messages, which the
 * sandbox sends for every Contact create or update, our own API writes included.
 *
 * 1. A Salesforce user edits a Contact: the outbound message reaches the intake, the
 *    worker fetches the Contact and changes the entity, and the push writes the same
 *    person's Google contact exactly once (nothing goes back to Salesforce).
 * 2. The host edits the entity: the push writes Salesforce and Google once each, and the
 *    outbound message Salesforce sends for OUR write comes back through the intake and
 *    the worker: it changes nothing and pushes nothing.
 * 3. Three more cycles (pulls of both providers, pushes, webhooks settled): no provider
 *    write, no entity change.
 * Provider writes are counted from the sandbox's request log.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Connection } from '../src/domain/connection.ts';
import { googleProvider } from '../src/providers/google/index.ts';
import type { Provider } from '../src/providers/provider.ts';
import { salesforceProvider } from '../src/providers/salesforce/index.ts';
import { createWebhookEventHandler, WebhookRegistrations } from '../src/webhooks/index.ts';
import { Cleanups, startWebhookIntake, waitFor } from './fixtures/webhooks-sandbox.ts';
import { SF, TENANT, sharedPerson, startPushWorld, type Json, type PushWorld } from './push-fixture.ts';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

const providers: Record<string, Provider> = { salesforce: salesforceProvider, google: googleProvider };

/** Provider writes in the sandbox's request log since the last clear (SOQL queries are reads). */
async function writes(w: PushWorld): Promise<{ salesforce: Json[]; google: Json[] }> {
  const isWrite = (r: Json) => r.method !== 'GET' && !String(r.path).includes('/query');
  return { salesforce: (await w.requests('salesforce')).filter(isWrite), google: (await w.requests('google')).filter(isWrite) };
}

async function webhookSetup(w: PushWorld) {
  const { queue, vault, base } = await startWebhookIntake({ store: w.store, handle: w.handle, clock: w.clock, cleanups, dirPrefix: 'tributary-push-echo-' });
  const contextFor = (connection: Connection, signal: AbortSignal) => w.contextFor(connection, signal);
  const registrations = new WebhookRegistrations({ store: w.store, secrets: vault, clock: w.clock, publicBaseUrl: base, contextFor });
  const org = (await w.control('/salesforce/org')) as { orgId: string };
  const registration = await registrations.register({ tenantId: TENANT, connectionId: SF.connection, integrationId: SF.integration, config: { organizationId: org.orgId } });
  await w.control('/salesforce/outbound-messages', 'POST', { url: registration.url, object: 'Contact' });
  const consumer = queue.consume('webhook-events', createWebhookEventHandler({ store: w.store, queue, clock: w.clock, providerFor: (id) => providers[id], contextFor }), { concurrency: 2 });
  cleanups.push(() => consumer.stop());
  let acked = 0;
  return {
    /**
     * Waits until Salesforce has had `expected` more notifications acknowledged since the
     * last settle, and every stored webhook event is processed; returns how many arrived.
     */
    async settle(expected: number): Promise<number> {
      const deliveredNow = async () => ((await w.control('/deliveries?provider=salesforce')).deliveries as Json[]).filter((d) => d.delivered === true).length;
      await waitFor(`${expected} acknowledged outbound message(s)`, async () => (await deliveredNow()) >= acked + expected, 20_000);
      await waitFor('every webhook event processed', () => w.sql<{ n: number }>("SELECT COUNT(*) AS n FROM webhook_events WHERE status <> 'processed'")[0]!.n === 0, 20_000);
      const failed = w.sql<{ n: number }>("SELECT COUNT(*) AS n FROM webhook_events WHERE error IS NOT NULL")[0]!.n;
      expect(failed).toBe(0);
      const now = await deliveredNow();
      const arrived = now - acked;
      acked = now;
      return arrived;
    },
  };
}

describe('push: our own writes coming back through webhooks change nothing', () => {
  it('a Salesforce edit reaches Google once through the webhook; the echo of our Salesforce write changes and pushes nothing, over three cycles', { timeout: 120_000 }, async () => {
    const w = await startPushWorld();
    cleanups.push(() => w.close());
    // Converge before webhooks are on: pull both, push what the pulls queued, twice.
    for (let i = 0; i < 2; i += 1) {
      await w.pull('salesforce');
      await w.pull('google');
      await w.drain();
      await w.advance(5_000);
    }
    const hooks = await webhookSetup(w);
    const person = sharedPerson(w);
    const feed = () => w.sql<{ n: number }>('SELECT COUNT(*) AS n FROM entity_changes')[0]!.n;
    const pending = async () => w.store.outbox.list(TENANT, { pending: true });

    // 1. A Salesforce user edits the phone: webhook -> entity -> one write to Google.
    await w.control(`/salesforce/Contact/${person.contactId}`, 'PATCH', { Phone: '+1 415 555 0142' });
    expect(await hooks.settle(1)).toBe(1);
    const afterWebhook = (await w.store.entities.get(TENANT, person.entityId))!;
    expect(afterWebhook.fields.phone).toBe('+14155550142');
    await w.clearRequests();
    expect(await w.drain()).toBeGreaterThanOrEqual(1);
    const first = await writes(w);
    expect(first.salesforce).toEqual([]);
    expect(first.google).toHaveLength(1);
    expect(first.google[0]).toMatchObject({ method: 'PATCH', status: 200, body: { phoneNumbers: [{ value: '+14155550142' }] } });
    // Google contacts send no notifications; nothing came back through Salesforce either.
    expect(await hooks.settle(0)).toBe(0);
    expect(await pending()).toEqual([]);

    // 2. A host edit: one write to each provider; Salesforce's notification of our write is the echo.
    await w.advance(5_000);
    await w.clearRequests();
    const updated = await w.writes.update(TENANT, person.entityId, { fields: { title: 'Echo Officer', email: 'echo.push@example.com' } });
    expect(await w.drain()).toBe(1);
    const second = await writes(w);
    expect(second.salesforce).toHaveLength(1);
    expect(second.salesforce[0]).toMatchObject({ method: 'PATCH', status: 204, body: { Title: 'Echo Officer', Email: 'echo.push@example.com' } });
    expect(second.google).toHaveLength(1);
    expect(second.google[0]).toMatchObject({ method: 'PATCH', status: 200 });
    const feedAfterPush = feed();
    expect(await hooks.settle(1)).toBe(1);
    // The echo went through the intake and the worker (a webhook run wrote it) and changed nothing.
    expect(w.sql<{ n: number }>("SELECT COUNT(*) AS n FROM sync_runs WHERE type = 'webhook'")[0]!.n).toBe(2);
    expect(feed()).toBe(feedAfterPush);
    expect((await w.store.entities.get(TENANT, person.entityId))!.version).toBe(updated.version);
    expect(await pending()).toEqual([]);
    expect(await w.drain()).toBe(0);
    expect(await writes(w)).toEqual({ salesforce: second.salesforce, google: second.google });

    // 3. Three more cycles with webhooks: nothing is written anywhere, the entity stays.
    for (let i = 0; i < 3; i += 1) {
      await w.advance(5_000);
      await w.clearRequests();
      await w.pull('salesforce');
      await w.pull('google');
      await w.drain();
      expect(await hooks.settle(0)).toBe(0);
      expect(await w.drain()).toBe(0);
      expect(await writes(w)).toEqual({ salesforce: [], google: [] });
    }
    expect(feed()).toBe(feedAfterPush);
    const final = (await w.store.entities.get(TENANT, person.entityId))!;
    expect(final.version).toBe(updated.version);
    expect(final.fields).toMatchObject({ phone: '+14155550142', title: 'Echo Officer', email: 'echo.push@example.com' });
    const contact = ((await w.control('/salesforce/Contact?limit=100000')).records as Json[]).find((c) => c.Id === person.contactId);
    expect(contact).toMatchObject({ Title: 'Echo Officer', Email: 'echo.push@example.com' });
    const google = ((await w.control('/google/contacts?limit=100000')).records as Json[]).find((c) => c.resourceName === person.resourceName);
    expect(google.phoneNumbers[0].value).toBe('+14155550142');
    expect(google.emailAddresses[0].value).toBe('echo.push@example.com');
  });
});
