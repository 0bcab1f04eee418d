/**
 * Notion webhooks with the sandbox: the manual subscription POSTs its verification_token,
 * which the intake keeps as the signing secret; once the user pastes it back (the
 * sandbox's verify), a page edit arrives signed with it, and the worker turns the thin
 * event into an incremental run on `sync-inbound`; a forged event is refused.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createNotionSimulator } from '../sandbox/notion/index.ts';
import { defaultMapping } from '../src/mapping/index.ts';
import { notionProvider } from '../src/providers/notion/index.ts';
import { createWebhookEventHandler, WebhookRegistrations } from '../src/webhooks/index.ts';
import { Cleanups, startSandboxPlatform, waitFor } from './fixtures/webhooks-sandbox.ts';

const cleanups = new Cleanups();
afterEach(() => cleanups.run());

describe('Notion webhooks with the sandbox', () => {
  it('keeps the verification_token, verifies events with it, and turns a page edit into an incremental run', { timeout: 60_000 }, async () => {
    const { control, handle, store, clock, queue, vault, receiver, base, ctx } = await startSandboxPlatform({
      simulator: createNotionSimulator(), provider: notionProvider, size: 20, seed: 5, path: 'notion', tenantId: 'ten_n', connectionId: 'con_n',
      integration: { id: 'int_n', object: 'contacts', mapping: (defaultMapping('notion', 'contact') ?? {}) as unknown as Record<string, unknown> }, cleanups, dirPrefix: 'tributary-webhooks-notion-',
    });
    const registrations = new WebhookRegistrations({ store, secrets: vault, clock, publicBaseUrl: base, contextFor: () => ctx, onChange: (id) => receiver.invalidate(id) });
    const registration = await registrations.register({ tenantId: 'ten_n', connectionId: 'con_n', integrationId: 'int_n' });
    expect(registration.manualSteps.join(' ')).toContain(registration.url);
    expect((await registrations.verify('ten_n', registration.id)).ok).toBe(false);

    // The manual step: the subscription is created at Notion, which POSTs its token to us.
    const subscription = await control('/notion/webhooks', 'POST', { url: registration.url });
    await waitFor('the token kept as the secret', () => (handle.db.prepare('SELECT webhook_secret_ref AS ref FROM webhooks WHERE id = ?').get(registration.id) as { ref: string | null }).ref);
    await waitFor('the handshake audited', () => (handle.db.prepare("SELECT count(*) AS n FROM webhook_audit WHERE outcome = 'handshake'").get() as { n: number }).n > 0);
    expect((await registrations.verify('ten_n', registration.id)).ok).toBe(true);
    await control(`/notion/webhooks/${String(subscription['id'])}/verify`, 'POST', { verification_token: subscription['verification_token'] });

    const consumer = queue.consume('webhook-events', createWebhookEventHandler({ store, queue, clock, providerFor: () => notionProvider, contextFor: () => ctx }), { concurrency: 2 });
    cleanups.push(() => consumer.stop());
    const pages = (await control('/notion/contacts')).records as { id: string }[];
    await control(`/notion/contacts/${encodeURIComponent(pages[0]!.id)}`, 'PATCH', { Name: 'Renamed in Notion' });

    const job = await waitFor('an incremental run on sync-inbound', () => handle.db.prepare("SELECT payload, idempotency_key FROM jobs WHERE queue = 'sync-inbound'").get() as { payload: string; idempotency_key: string } | undefined);
    expect(JSON.parse(job.payload)).toEqual({ tenantId: 'ten_n', integrationId: 'int_n', trigger: 'webhook' });
    expect(job.idempotency_key).toBe('sync:int_n');
    const forged = await fetch(registration.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-notion-signature': 'sha256=' + '0'.repeat(64) }, body: '{"id":"x","type":"page.deleted"}' });
    expect(forged.status).toBe(401);
  });
});
