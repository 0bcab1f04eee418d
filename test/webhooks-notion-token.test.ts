/**
 * Notion's verification_token: Notion POSTs it once when the subscription is created;
 * the intake keeps it in the vault as the signing secret, and the tenant reveals it
 * exactly once through `POST /v1/webhooks/:id/verification-token/reveal` (to paste it
 * back into Notion). Then 410; another tenant gets 404 without using the reveal up; the
 * token never appears in a GET, a list, the audit or the logs.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Fastify, { type FastifyInstance } from 'fastify';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { newId } from '../src/domain/ids.ts';
import { errorHandling } from '../src/runtime/api/errors/error-handler.ts';
import { webhookRoutes } from '../src/runtime/api/routes/webhooks.ts';
import { startTempPlatform } from '../src/runtime/testing/temp-platform.ts';
import { WebhookRegistrations } from '../src/webhooks/index.ts';
import { startWebhookIntake, type WebhookIntake } from './fixtures/webhooks-intake.ts';

const TOKEN = 'secret_k3Jd9QpV7mWx2Lr8ZtYb4NcHe6FgAs1U';

describe("Notion's verification token", () => {
  let dir: string;
  let intake: WebhookIntake;
  let api: FastifyInstance;
  let logs: string;
  let otherTenant: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-webhooks-notion-token-'));
    intake = await startWebhookIntake({ dir });
    const at = new Date().toISOString();
    otherTenant = newId('ten');
    await intake.store.tenants.insert({ id: otherTenant, name: 'Other tenant', metadata: {}, createdAt: at, updatedAt: at });
    for (const tenantId of [intake.tenantId, otherTenant]) {
      await intake.store.connections.insert({ id: `con_notion_${tenantId}`, tenantId, provider: 'notion', name: 'notion', status: 'active', baseUrl: null, account: {}, credentialId: null, createdAt: at, updatedAt: at });
    }
    const webhooks = new WebhookRegistrations({
      store: intake.store, secrets: intake.vault, clock: { now: () => Date.now() }, publicBaseUrl: intake.url,
      contextFor: () => { throw new Error('no provider calls expected'); }, onChange: (id) => intake.receiver.invalidate(id),
    });
    logs = '';
    const stream = new Writable({ write(chunk: Buffer, _encoding, done) { logs += chunk.toString(); done(); } });
    api = Fastify({ logger: { level: 'trace', stream } });
    api.setValidatorCompiler(TypeBoxValidatorCompiler);
    await api.register(errorHandling);
    api.decorateRequest('tributaryTenantId', null);
    // The tenant scope's decision, made here from a test header.
    api.addHook('preValidation', async (request) => {
      request.tributaryTenantId = String(request.headers['x-test-tenant'] ?? intake.tenantId);
    });
    await api.register(webhookRoutes, { prefix: '/v1', webhooks });
  });
  afterEach(async () => {
    await api.close();
    await intake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const register = async (tenantId = intake.tenantId) => {
    const created = await api.inject({ method: 'POST', url: '/v1/webhooks', headers: { 'x-test-tenant': tenantId }, payload: { connectionId: `con_notion_${tenantId}` } });
    expect(created.statusCode).toBe(201);
    return created.json() as { id: string; url: string; verificationToken: string | null; manualSteps: string[] };
  };
  const reveal = (id: string, tenantId = intake.tenantId) => api.inject({ method: 'POST', url: `/v1/webhooks/${id}/verification-token/reveal`, headers: { 'x-test-tenant': tenantId } });
  // Notion's handshake when the subscription is created: the token alone, unsigned.
  const handshake = (url: string, token = TOKEN) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ verification_token: token }) });

  it('is revealed once to its own tenant, then 410; never shown by GET, list, audit or logs', async () => {
    const registration = await register();
    expect(registration.verificationToken).toBe('awaiting');
    expect(registration.manualSteps.join(' ')).toContain(`/v1/webhooks/${registration.id}/verification-token/reveal`);
    const early = await reveal(registration.id);
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ error: { code: 'CONFLICT' } });

    expect((await handshake(registration.url)).status).toBe(200);
    const shown = await api.inject({ method: 'GET', url: `/v1/webhooks/${registration.id}` });
    expect(shown.json()).toMatchObject({ verificationToken: 'available', recentDeliveries: [{ outcome: 'handshake', verified: true }] });

    // Another tenant: as if it did not exist, and the one reveal is not used up.
    const foreign = await reveal(registration.id, otherTenant);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.body).not.toContain(TOKEN);

    const first = await reveal(registration.id);
    expect(first.statusCode).toBe(200);
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.json()).toEqual({ verificationToken: TOKEN });
    const second = await reveal(registration.id);
    expect(second.statusCode).toBe(410);
    expect(second.json()).toMatchObject({ error: { code: 'ALREADY_REVEALED' } });
    expect(second.body).not.toContain(TOKEN);

    const after = await api.inject({ method: 'GET', url: `/v1/webhooks/${registration.id}` });
    expect(after.json()).toMatchObject({ verificationToken: 'revealed' });
    const listed = await api.inject({ method: 'GET', url: '/v1/webhooks' });
    for (const body of [shown.body, after.body, listed.body]) expect(body).not.toContain(TOKEN);
    const stored = JSON.stringify(intake.handle.db.prepare('SELECT * FROM webhook_audit').all()) + JSON.stringify(intake.handle.db.prepare('SELECT * FROM webhooks').all()) + JSON.stringify(intake.handle.db.prepare('SELECT * FROM webhook_events').all());
    expect(stored).not.toContain(TOKEN);
    expect(logs.length).toBeGreaterThan(0);
    expect(logs).not.toContain(TOKEN);

    // Still the signing secret: Notion's events signed with it verify.
    const event = JSON.stringify({ id: 'evt-notion-1', type: 'page.properties_updated', entity: { id: 'p1', type: 'page' } });
    const signed = await fetch(registration.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-notion-signature': `sha256=${createHmac('sha256', TOKEN).update(event).digest('hex')}` }, body: event });
    expect(signed.status).toBe(200);
  });

  it('gives the token to exactly one of concurrent callers, and a later status change does not re-arm it', async () => {
    const registration = await register();
    expect((await handshake(registration.url)).status).toBe(200);
    const answers = await Promise.all(Array.from({ length: 6 }, () => reveal(registration.id)));
    expect(answers.map((a) => a.statusCode).sort()).toEqual([200, 410, 410, 410, 410, 410]);

    // The receiver rewrites config from its cached copy when a registration's status changes.
    const before = await intake.store.webhooks.get(intake.tenantId, registration.id);
    await intake.store.webhooks.update(intake.tenantId, registration.id, { status: 'failing', config: { handshakeAt: 'x' } }, new Date().toISOString());
    expect(before?.config).toHaveProperty('once');
    expect((await reveal(registration.id)).statusCode).toBe(410);
  });

  it('only Notion registrations have a token to reveal', async () => {
    const at = new Date().toISOString();
    await intake.store.connections.insert({ id: 'con_slack', tenantId: intake.tenantId, provider: 'slack', name: 'slack', status: 'active', baseUrl: null, account: {}, credentialId: null, createdAt: at, updatedAt: at });
    const slack = (await api.inject({ method: 'POST', url: '/v1/webhooks', payload: { connectionId: 'con_slack', config: { signingSecret: 'slack-signing-secret-xyz' } } })).json() as { id: string; verificationToken: string | null };
    expect(slack.verificationToken).toBeNull();
    const answer = await reveal(slack.id);
    expect(answer.statusCode).toBe(409);
    expect(answer.body).not.toContain('slack-signing-secret-xyz');
    expect((await reveal('whk_00000000000000000000000000000000')).statusCode).toBe(404);
  });
});

describe("Notion's verification token through the whole API (real keys and tenant scope)", () => {
  it('reveals it only to the owning tenant, once, and never logs it', { timeout: 60_000 }, async () => {
    const adminKey = 'admin-key-for-notion-token-tests-0123';
    const t = await startTempPlatform({ adminKey, logLevel: 'debug' });
    try {
      const admin = { authorization: `Bearer ${adminKey}` };
      const tenant = async (name: string) => {
        const created = (await t.app.inject({ method: 'POST', url: '/v1/tenants', headers: admin, payload: { name } })).json() as { id: string };
        const key = (await t.app.inject({ method: 'POST', url: `/v1/tenants/${created.id}/api-keys`, headers: admin, payload: { name: 'ci' } })).json() as { key: string };
        return { id: created.id, headers: { authorization: `Bearer ${key.key}` } };
      };
      const a = await tenant('A');
      const b = await tenant('B');
      const at = new Date().toISOString();
      await t.platform.services.store.connections.insert({ id: 'con_notion_a', tenantId: a.id, provider: 'notion', name: 'notion', status: 'active', baseUrl: null, account: {}, credentialId: null, createdAt: at, updatedAt: at });
      const created = await t.app.inject({ method: 'POST', url: '/v1/webhooks', headers: a.headers, payload: { connectionId: 'con_notion_a' } });
      expect(created.statusCode).toBe(201);
      const { id, path } = created.json() as { id: string; path: string };
      const handshake = await t.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ verification_token: TOKEN }) });
      expect(handshake.statusCode).toBe(200);

      const reveal = (headers: Record<string, string>, prefix = '/v1') => t.app.inject({ method: 'POST', url: `${prefix}/webhooks/${id}/verification-token/reveal`, headers });
      expect((await reveal(b.headers)).statusCode).toBe(404);
      expect((await reveal(admin, `/v1/tenants/${b.id}`)).statusCode).toBe(404);
      expect((await t.app.inject({ method: 'GET', url: `/v1/webhooks/${id}`, headers: b.headers })).statusCode).toBe(404);
      const shown = await reveal(a.headers);
      expect(shown.statusCode).toBe(200);
      expect(shown.json()).toEqual({ verificationToken: TOKEN });
      expect((await reveal(admin, `/v1/tenants/${a.id}`)).statusCode).toBe(410);
      expect((await reveal(a.headers)).statusCode).toBe(410);
      expect((await t.app.inject({ method: 'GET', url: `/v1/webhooks/${id}`, headers: a.headers })).json()).toMatchObject({ verificationToken: 'revealed' });
      expect(t.logs()).toContain(`/webhooks/${id}/verification-token/reveal`);
      // The intake route writes no per-request lines (its deliveries are audited instead).
      expect(t.logs()).not.toContain(path);
      expect(t.logs()).not.toContain(TOKEN);
    } finally {
      await t.close();
    }
  });
});
