/**
 * Slack Events API end to end with the sandbox: the manual registration's request URL is
 * given to the sandbox's event subscription (its signed url_verification is answered with
 * the challenge), a user edited in the workspace fires `user_change`, signed v0, which is
 * verified, stored, enqueued, and turned by the worker into a targeted fetch of that user
 * applied to the entity store.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createSandbox } from '../sandbox/index.ts';
import { createSlackSimulator } from '../sandbox/slack/index.ts';
import { openSqlite } from '../src/backends/sqlite/database.ts';
import { SqliteJobQueue } from '../src/backends/sqlite/job-queue.ts';
import { SqliteStore } from '../src/backends/sqlite/store.ts';
import { loadOrCreateKeyring } from '../src/backends/vault/master-keyring.ts';
import { LocalVault } from '../src/backends/vault/local-vault.ts';
import { createProviderHttp } from '../src/connections/index.ts';
import { defaultMapping } from '../src/mapping/index.ts';
import type { ProviderContext } from '../src/providers/provider.ts';
import { slackProvider } from '../src/providers/slack/index.ts';
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

describe('Slack events with the sandbox', () => {
  it('answers url_verification and turns a user_change into a targeted entity update', { timeout: 60_000 }, async () => {
    const sandbox = await createSandbox({ providers: [createSlackSimulator()], size: 20, seed: 3 });
    const sandboxUrl = await sandbox.listen(0);
    cleanups.push(() => sandbox.close());
    const control = async (path: string, method = 'GET', body?: unknown) => {
      const res = await fetch(`${sandboxUrl}/_sandbox${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      return (await res.json()) as Record<string, unknown>;
    };
    const dir = mkdtempSync(join(tmpdir(), 'tributary-webhooks-slack-'));
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
    await store.tenants.insert({ id: 'ten_slack', name: 'Slack', metadata: {}, createdAt: now, updatedAt: now });
    await store.connections.insert({ id: 'con_slack', tenantId: 'ten_slack', provider: 'slack', name: 'slack', status: 'active', baseUrl: `${sandboxUrl}/slack/api`, account: {}, credentialId: null, createdAt: now, updatedAt: now });
    const mapping = defaultMapping('slack', 'users');
    await store.integrations.insert({
      id: 'int_slack', tenantId: 'ten_slack', connectionId: 'con_slack', object: 'users', direction: 'pull', mapping: mapping as unknown as Record<string, unknown>,
      mappingVersion: 1, schedule: null, priority: 'normal', dedupRules: {}, conflictStrategy: {}, fieldOwnership: {}, enabled: true, cursor: null, cursorUpdatedAt: null, createdAt: now, updatedAt: now,
    }, null);
    const token = (await control('/tokens', 'POST', { provider: 'slack' }))['accessToken'] as string;
    const connection = { id: 'con_slack', tenantId: 'ten_slack', baseUrl: `${sandboxUrl}/slack/api`, settings: {} };
    const http = createProviderHttp({ provider: slackProvider, connection, tokens: { accessToken: async () => token, refreshAfterUnauthorized: async () => token }, egress: { allowPrivate: true }, backoff: { baseMs: 5, maxMs: 50 } });
    const ctx: ProviderContext = { http, connection, now: () => clock.now() };

    const receiver = new WebhookReceiver({ store, queue, secrets: vault, clock });
    const app = Fastify();
    await app.register(webhookReceiverRoutes, { receiver });
    const base = await app.listen({ host: '127.0.0.1', port: 0 });
    cleanups.push(async () => {
      await app.close();
      await receiver.drain();
    });
    const signingSecret = 'slack-app-signing-secret-0123456789';
    const registrations = new WebhookRegistrations({ store, secrets: vault, clock, publicBaseUrl: base, contextFor: () => ctx, onChange: (id) => receiver.invalidate(id) });
    const registration = await registrations.register({ tenantId: 'ten_slack', connectionId: 'con_slack', config: { signingSecret } });
    expect(registration.manualSteps.join(' ')).toContain(registration.url);

    // The manual step, done by the sandbox: Slack verifies the URL before accepting it.
    const subscribed = await control('/slack/event-subscriptions', 'POST', { url: registration.url, signingSecret });
    expect(JSON.stringify(subscribed)).not.toMatch(/error|refused/i);
    expect((await registrations.verify('ten_slack', registration.id)).ok).toBe(true);

    const consumer = queue.consume('webhook-events', createWebhookEventHandler({ store, queue, clock, providerFor: () => slackProvider, contextFor: () => ctx }), { concurrency: 2 });
    cleanups.push(() => consumer.stop());
    const users = (await control('/slack/users')).records as { id: string; is_bot?: boolean }[];
    const user = users.find((u) => !u.is_bot) ?? users[0]!;
    await control(`/slack/users/${user.id}`, 'PATCH', { real_name: 'Renamed In Slack' });

    const entity = await waitFor('the entity of the edited user', () => {
      const row = handle.db.prepare("SELECT e.fields FROM entity_links l JOIN entities e ON e.id = l.entity_id WHERE l.external_id = ? OR l.record_id = ?").get(user.id, user.id) as { fields: string } | undefined;
      return row && (JSON.parse(row.fields) as { name?: string }).name === 'Renamed In Slack' ? row : null;
    });
    expect(entity).toBeTruthy();
    const events = handle.db.prepare('SELECT event_type, status FROM webhook_events').all() as { event_type: string; status: string }[];
    expect(events.map((e) => e.event_type)).toContain('event_callback:user_change');
    await waitFor('processed', () => (handle.db.prepare("SELECT count(*) AS n FROM webhook_events WHERE status != 'processed'").get() as { n: number }).n === 0);
  });
});
