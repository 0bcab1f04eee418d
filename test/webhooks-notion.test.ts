/**
 * Notion webhooks with the sandbox: the manual subscription POSTs its verification_token,
 * which the intake keeps as the signing secret; once the user pastes it back (the
 * sandbox's verify), a page edit arrives signed with it, and the worker turns the thin
 * event into an incremental run on `sync-inbound`; a forged event is refused.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createSandbox } from '../sandbox/index.ts';
import { createNotionSimulator } from '../sandbox/notion/index.ts';
import { openSqlite } from '../src/backends/sqlite/database.ts';
import { SqliteJobQueue } from '../src/backends/sqlite/job-queue.ts';
import { SqliteStore } from '../src/backends/sqlite/store.ts';
import { loadOrCreateKeyring } from '../src/backends/vault/master-keyring.ts';
import { LocalVault } from '../src/backends/vault/local-vault.ts';
import { createProviderHttp } from '../src/connections/index.ts';
import { defaultMapping } from '../src/mapping/index.ts';
import { notionProvider } from '../src/providers/notion/index.ts';
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

describe('Notion webhooks with the sandbox', () => {
  it('keeps the verification_token, verifies events with it, and turns a page edit into an incremental run', { timeout: 60_000 }, async () => {
    const sandbox = await createSandbox({ providers: [createNotionSimulator()], size: 20, seed: 5 });
    const sandboxUrl = await sandbox.listen(0);
    cleanups.push(() => sandbox.close());
    const control = async (path: string, method = 'GET', body?: unknown) => {
      const res = await fetch(`${sandboxUrl}/_sandbox${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      return (await res.json()) as Record<string, unknown>;
    };
    const dir = mkdtempSync(join(tmpdir(), 'tributary-webhooks-notion-'));
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
    const baseUrl = `${sandboxUrl}/notion`;
    await store.tenants.insert({ id: 'ten_n', name: 'Google', metadata: {}, createdAt: now, updatedAt: now });
    await store.connections.insert({ id: 'con_n', tenantId: 'ten_n', provider: 'notion', name: 'notion', status: 'active', baseUrl, account: {}, credentialId: null, createdAt: now, updatedAt: now });
    await store.integrations.insert({
      id: 'int_n', tenantId: 'ten_n', connectionId: 'con_n', object: 'contacts', direction: 'pull', mapping: (defaultMapping('notion', 'contact') ?? {}) as unknown as Record<string, unknown>,
      mappingVersion: 1, schedule: null, priority: 'normal', dedupRules: {}, conflictStrategy: {}, fieldOwnership: {}, enabled: true, cursor: null, cursorUpdatedAt: null, createdAt: now, updatedAt: now,
    }, null);
    const token = (await control('/tokens', 'POST', { provider: 'notion' }))['accessToken'] as string;
    const connection = { id: 'con_n', tenantId: 'ten_n', baseUrl, settings: {} };
    const http = createProviderHttp({ provider: notionProvider, connection, tokens: { accessToken: async () => token, refreshAfterUnauthorized: async () => token }, egress: { allowPrivate: true }, backoff: { baseMs: 5, maxMs: 50 } });
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
