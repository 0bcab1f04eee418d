/**
 * Salesforce Outbound Messages end to end with the sandbox: a manual registration whose
 * deliveries are checked against the org id; a Contact edited in the sandbox sends its
 * SOAP notification, answered `<Ack>true</Ack>` only once stored; the worker fetches the
 * Contact and the entity changes, with no full sync.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { salesforceProvider } from '../src/providers/salesforce/index.ts';
import { createWebhookEventHandler, WebhookRegistrations } from '../src/webhooks/index.ts';
import { Cleanups, startWebhookIntake, waitFor } from './fixtures/webhooks-sandbox.ts';
import { CONNECTION, INTEGRATION, linkedEntities, startWorld, TENANT, type Json } from './sync-fixture.ts';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

describe('Salesforce outbound messages with the sandbox', () => {
  it('acknowledges a verified notification and applies the fetched Contact', { timeout: 60_000 }, async () => {
    const world = await startWorld({ provider: 'salesforce', object: 'Contact', size: 30 });
    cleanups.push(() => world.close());
    await world.run({ pageSize: 50 });
    const clock = { now: () => Date.now() };
    const { queue, vault, base } = await startWebhookIntake({ store: world.store, handle: world.handle, clock, cleanups, dirPrefix: 'tributary-webhooks-sf-' });
    const registrations = new WebhookRegistrations({ store: world.store, secrets: vault, clock, publicBaseUrl: base, contextFor: () => world.ctx });
    const org = (await world.control('/salesforce/org')) as { orgId: string };
    const registration = await registrations.register({ tenantId: TENANT, connectionId: CONNECTION, integrationId: INTEGRATION, config: { organizationId: org.orgId } });
    await world.control('/salesforce/outbound-messages', 'POST', { url: registration.url, object: 'Contact' });
    // A second target claims another org: its deliveries are refused (and retried by Salesforce).
    await world.control('/salesforce/outbound-messages', 'POST', { url: registration.url, object: 'Contact', orgId: '00D000000000001AAA' });

    const consumer = queue.consume('webhook-events', createWebhookEventHandler({ store: world.store, queue, clock, providerFor: () => salesforceProvider, contextFor: () => world.ctx }), { concurrency: 2 });
    cleanups.push(() => consumer.stop());
    const contacts = (await world.control('/salesforce/Contact?limit=100')).records as Json[];
    const target = contacts.find((c) => c.AccountId) as Json;
    const account = ((await world.control('/salesforce/Account?limit=100')).records as Json[]).find((a) => a.Id === target.AccountId) as Json;
    expect(linkedEntities(world, 'Contact').get(target.Id)?.fields.organizationName).toBe(account.Name);
    await world.control(`/salesforce/Contact/${target.Id}`, 'PATCH', { Title: 'Webhook Officer' });

    await waitFor('the updated entity', () => JSON.stringify(linkedEntities(world, 'Contact').get(target.Id)?.fields ?? {}).includes('Webhook Officer'));
    // The fetched record carries the parent field the mapping reads, as the pull's did: the entity keeps it.
    expect(linkedEntities(world, 'Contact').get(target.Id)?.fields.organizationName).toBe(account.Name);
    await waitFor('the refused delivery audited', () => world.sql<{ n: number }>("SELECT count(*) AS n FROM webhook_audit WHERE detail = 'wrong_organization'")[0]?.n);
    const deliveries = (await world.control('/deliveries?provider=salesforce')) as Json;
    const list = (Array.isArray(deliveries) ? deliveries : deliveries.deliveries ?? deliveries.records ?? []) as Json[];
    expect(list.some((d) => d.delivered === true)).toBe(true);
    expect(world.sql<{ type: string }>("SELECT type FROM sync_runs WHERE type = 'webhook'").length).toBeGreaterThan(0);
  });
});
