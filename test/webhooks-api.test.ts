/**
 * The management routes (`/webhooks`) on Fastify with the real error handler, over the
 * registration service on SQLite: a manual (Slack) registration, its view, verify before
 * and after a delivery, secret rotation, unregister. Authentication and the tenant scope
 * are the runtime's; here a hook sets the tenant the scope would.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorHandling } from '../src/runtime/api/errors/error-handler.ts';
import { webhookRoutes } from '../src/runtime/api/routes/webhooks.ts';
import { WebhookRegistrations } from '../src/webhooks/index.ts';
import { startWebhookIntake, type WebhookIntake } from './fixtures/webhooks-intake.ts';

describe('webhook management routes', () => {
  let dir: string;
  let intake: WebhookIntake;
  let api: FastifyInstance;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tributary-webhooks-api-'));
    intake = await startWebhookIntake({ dir });
    const webhooks = new WebhookRegistrations({
      store: intake.store, secrets: intake.vault, clock: { now: () => Date.now() }, publicBaseUrl: intake.url,
      contextFor: () => { throw new Error('no provider calls expected'); }, onChange: (id) => intake.receiver.invalidate(id),
    });
    api = Fastify();
    api.setValidatorCompiler(TypeBoxValidatorCompiler);
    await api.register(errorHandling);
    api.decorateRequest('tributaryTenantId', null);
    api.addHook('preValidation', async (request) => {
      request.tributaryTenantId = intake.tenantId;
    });
    await api.register(webhookRoutes, { prefix: '/v1', webhooks });
  });
  afterEach(async () => {
    await api.close();
    await intake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('registers a manual Slack webhook, shows its deliveries, verifies, rotates and unregisters it', async () => {
    const secret = 'slack-signing-secret-abcdef';
    const at = new Date().toISOString();
    await intake.store.connections.insert({ id: 'con_slack', tenantId: intake.tenantId, provider: 'slack', name: 'slack', status: 'active', baseUrl: null, account: {}, credentialId: null, createdAt: at, updatedAt: at });
    const created = await api.inject({ method: 'POST', url: '/v1/webhooks', payload: { connectionId: 'con_slack', config: { signingSecret: secret } } });
    expect(created.statusCode).toBe(201);
    expect(created.body).not.toContain(secret);
    const registration = created.json() as { id: string; url: string; path: string; manualSteps: string[] };
    expect(registration.path).toBe(`/webhooks/${registration.id}/events`);
    expect(registration.url).toBe(`${intake.url}${registration.path}`);
    expect(registration.manualSteps.length).toBeGreaterThan(0);

    const before = await api.inject({ method: 'POST', url: `/v1/webhooks/${registration.id}/verify` });
    expect(before.json()).toMatchObject({ ok: false });

    const body = JSON.stringify({ type: 'url_verification', challenge: 'c1', token: 't' });
    const ts = String(Math.floor(Date.now() / 1000));
    const answer = await fetch(registration.url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-slack-request-timestamp': ts, 'x-slack-signature': `v0=${createHmac('sha256', secret).update(`v0:${ts}:${body}`).digest('hex')}` }, body });
    expect(await answer.text()).toBe('c1');
    const after = await api.inject({ method: 'POST', url: `/v1/webhooks/${registration.id}/verify` });
    expect(after.json()).toMatchObject({ ok: true });
    const shown = await api.inject({ method: 'GET', url: `/v1/webhooks/${registration.id}` });
    expect(shown.json()).toMatchObject({ status: 'active', failureCount: 0, recentDeliveries: [{ outcome: 'accepted', verified: true }] });
    expect((await api.inject({ method: 'GET', url: '/v1/webhooks' })).json()).toMatchObject({ items: [{ id: registration.id }], nextCursor: null });

    const rotated = await api.inject({ method: 'POST', url: `/v1/webhooks/${registration.id}/rotate-secret`, payload: { secret: 'the-new-slack-secret', overlapSeconds: 60 } });
    expect(rotated.statusCode).toBe(200);
    expect(rotated.body).not.toContain('the-new-slack-secret');

    expect((await api.inject({ method: 'DELETE', url: `/v1/webhooks/${registration.id}` })).statusCode).toBe(204);
    expect((await api.inject({ method: 'GET', url: `/v1/webhooks/${registration.id}` })).statusCode).toBe(404);
    expect((await fetch(registration.url, { method: 'POST', body: '{}' })).status).toBe(404);
  });

  it('refuses a registration without what the provider needs, naming the field', async () => {
    const answer = await api.inject({ method: 'POST', url: '/v1/webhooks', payload: { connectionId: intake.connectionId } });
    // The fixture's connection is GitHub: it needs a repository or organisation.
    expect(answer.statusCode).toBe(400);
    expect(answer.json()).toMatchObject({ error: { code: 'VALIDATION_FAILED', field: 'config.repo' } });
    expect((await api.inject({ method: 'POST', url: '/v1/webhooks', payload: { connectionId: 'con_nope' } })).statusCode).toBe(404);
  });
});
