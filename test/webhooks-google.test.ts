/**
 * Google Calendar watch channels with the sandbox: registration opens a channel through
 * the API (its `sync` notification is audited, nothing to process), a change to an event
 * sends an `exists` notification checked by channel id and token, which the worker turns
 * into an incremental run of the integration on `sync-inbound` (a signal, not a fetch);
 * unregister stops the channel.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createGoogleSimulator } from '../sandbox/google/index.ts';
import { defaultMapping } from '../src/mapping/index.ts';
import { googleProvider } from '../src/providers/google/index.ts';
import { createWebhookEventHandler, WebhookRegistrations } from '../src/webhooks/index.ts';
import { Cleanups, startSandboxPlatform, waitFor } from './fixtures/webhooks-sandbox.ts';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

describe('Google watch channels with the sandbox', () => {
  it('opens a channel, turns a change notification into an incremental run, and stops the channel', { timeout: 60_000 }, async () => {
    const { control, handle, store, clock, queue, vault, receiver, base, ctx } = await startSandboxPlatform({
      simulator: createGoogleSimulator(), provider: googleProvider, size: 20, seed: 5, path: 'google', tenantId: 'ten_g', connectionId: 'con_g',
      integration: { id: 'int_g', object: 'events', mapping: defaultMapping('google', 'events') as unknown as Record<string, unknown> }, cleanups, dirPrefix: 'tributary-webhooks-google-',
    });
    const registrations = new WebhookRegistrations({ store, secrets: vault, clock, publicBaseUrl: base, contextFor: () => ctx, onChange: (id) => receiver.invalidate(id) });
    const registration = await registrations.register({ tenantId: 'ten_g', connectionId: 'con_g', integrationId: 'int_g', config: { calendarId: 'primary' } });
    expect(registration.providerWebhookId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(registration.expiresAt ?? '')).toBeGreaterThan(Date.now());
    expect((await registrations.verify('ten_g', registration.id)).ok).toBe(true);

    const consumer = queue.consume('webhook-events', createWebhookEventHandler({ store, queue, clock, providerFor: () => googleProvider, contextFor: () => ctx }), { concurrency: 2 });
    cleanups.push(() => consumer.stop());
    const events = (await control('/google/events')).records as { id: string }[];
    await control(`/google/events/${encodeURIComponent(events[0]!.id)}`, 'PATCH', { summary: 'Moved by a person' });

    const job = await waitFor('an incremental run on sync-inbound', () => handle.db.prepare("SELECT payload, idempotency_key FROM jobs WHERE queue = 'sync-inbound'").get() as { payload: string; idempotency_key: string } | undefined);
    expect(JSON.parse(job.payload)).toEqual({ tenantId: 'ten_g', integrationId: 'int_g', trigger: 'webhook' });
    expect(job.idempotency_key).toBe('sync:int_g');
    const stored = handle.db.prepare('SELECT event_type FROM webhook_events').all() as { event_type: string }[];
    expect(stored.map((e) => e.event_type)).toEqual(['exists']);

    await registrations.unregister('ten_g', registration.id);
    await control(`/google/events/${encodeURIComponent(events[1]!.id)}`, 'PATCH', { summary: 'After the channel stopped' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((handle.db.prepare('SELECT count(*) AS n FROM webhook_events').get() as { n: number }).n).toBe(1);
  });
});
