/**
 * Google Calendar watch channels with the sandbox: registration opens a channel through
 * the API (its `sync` notification is audited, nothing to process), a change to an event
 * sends an `exists` notification checked by channel id and token, which the worker turns
 * into an incremental run of the integration on `sync-inbound` (a signal, not a fetch);
 * unregister stops the channel.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createSandbox } from '../sandbox/index.ts';
import { createGoogleSimulator } from '../sandbox/google/index.ts';
import { openSqlite } from '../src/backends/sqlite/database.ts';
import { SqliteJobQueue } from '../src/backends/sqlite/job-queue.ts';
import { SqliteStore } from '../src/backends/sqlite/store.ts';
import { loadOrCreateKeyring } from '../src/backends/vault/master-keyring.ts';
import { LocalVault } from '../src/backends/vault/local-vault.ts';
import { createProviderHttp } from '../src/connections/index.ts';
import { defaultMapping } from '../src/mapping/index.ts';
import { googleProvider } from '../src/providers/google/index.ts';
import type { ProviderContext } from '../src/providers/provider.ts';
import { webhookReceiverRoutes } from '../src/runtime/api/webhook-receiver.ts';
import { createWebhookEventHandler, WebhookReceiver, WebhookRegistrations } from '../src/webhooks/index.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function waitFor<T>(what: string, probe: () => T | undefined | null | false, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('Google watch channels with the sandbox', () => {
  it('opens a channel, turns a change notification into an incremental run, and stops the channel', { timeout: 60_000 }, async () => {
    const sandbox = await createSandbox({ providers: [createGoogleSimulator()], size: 20, seed: 5 });
    const sandboxUrl = await sandbox.listen(0);
    cleanups.push(() => sandbox.close());
    const control = async (path: string, method = 'GET', body?: unknown) => {
      const res = await fetch(`${sandboxUrl}/_sandbox${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      return (await res.json()) as Record<string, unknown>;
    };
    const dir = mkdtempSync(join(tmpdir(), 'tributary-webhooks-google-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const clock = { now: () => Date.now() };
    const handle = openSqlite({ path: join(dir, 'tributary.db') });
    const store = new SqliteStore(handle, { clock });
    await store.migrate();
    cleanups.push(() => store.close());
    const queue = new SqliteJobQueue(handle, { clock, pollMs: 20 });
    cleanups.push(() => queue.close());
    const vault = new LocalVault({ store, keyring: await loadOrCreateKeyring({ file: join(dir, 'master.key') }), clock });
    const now = new Date().toISOString();
    const baseUrl = `${sandboxUrl}/google`;
    await store.tenants.insert({ id: 'ten_g', name: 'Google', metadata: {}, createdAt: now, updatedAt: now });
    await store.connections.insert({ id: 'con_g', tenantId: 'ten_g', provider: 'google', name: 'google', status: 'active', baseUrl, account: {}, credentialId: null, createdAt: now, updatedAt: now });
    await store.integrations.insert({
      id: 'int_g', tenantId: 'ten_g', connectionId: 'con_g', object: 'events', direction: 'pull', mapping: defaultMapping('google', 'events') as unknown as Record<string, unknown>,
      mappingVersion: 1, schedule: null, priority: 'normal', dedupRules: {}, conflictStrategy: {}, fieldOwnership: {}, enabled: true, cursor: null, cursorUpdatedAt: null, createdAt: now, updatedAt: now,
    }, null);
    const token = (await control('/tokens', 'POST', { provider: 'google' }))['accessToken'] as string;
    const connection = { id: 'con_g', tenantId: 'ten_g', baseUrl, settings: {} };
    const http = createProviderHttp({ provider: googleProvider, connection, tokens: { accessToken: async () => token, refreshAfterUnauthorized: async () => token }, egress: { allowPrivate: true }, backoff: { baseMs: 5, maxMs: 50 } });
    const ctx: ProviderContext = { http, connection, now: () => clock.now() };

    const receiver = new WebhookReceiver({ store, queue, secrets: vault, clock });
    const app = Fastify();
    await app.register(webhookReceiverRoutes, { receiver });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    cleanups.push(async () => {
      await app.close();
      await receiver.drain();
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
