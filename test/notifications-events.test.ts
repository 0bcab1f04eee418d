/**
 * Each notification event from the feature where it happens to a delivered message, and
 * the host-product events to a subscribed endpoint, in the composed platform (SQLite,
 * the queue, the notifier role) against the sandbox: Slack incoming webhooks and the
 * Teams Workflows simulator receive the messages; a local HTTP server plays the host
 * product's endpoint. Features act for real: the inbound worker role pulls from the
 * Salesforce simulator (with injected faults), the credentials feature refreshes against
 * the Google simulator's token endpoint, the webhook registrations renew a Google channel.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../sandbox/index.ts';
import { createProviderHttp } from '../src/connections/index.ts';
import type { Connection } from '../src/domain/connection.ts';
import { PROVIDERS } from '../src/providers/index.ts';
import { inboundWorkerRole } from '../src/runtime/roles/inbound-worker.ts';
import { notifierRole } from '../src/runtime/roles/notifier.ts';
import type { RoleContext, RunningRole } from '../src/runtime/roles/role.ts';
import { startTempPlatform, type TempPlatform } from '../src/runtime/testing/temp-platform.ts';
import { SigningSecrets } from '../src/webhooks/index.ts';
import type { Json } from './notifications-fixture.ts';

const ADMIN_KEY = 'notifications-events-admin-key-0123456789';
const SYSTEM = { actor: { kind: 'system' as const, keyId: null, tenantId: null }, requestId: null };

let t: TempPlatform;
let sandbox: { url: string; close(): Promise<void> };
let host: { url: string; received: Json[]; close(): Promise<void> };
const roles: RunningRole[] = [];
/** Salesforce tokens minted by each sandbox, by its base URL. */
const salesforceTokens = new Map<string, string>();

async function control(method: string, path: string, body?: unknown): Promise<Json> {
  const response = await fetch(`${sandbox.url}${path}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
  return response.json();
}

/** The host product's endpoint: records every delivery (body parsed), answers 200. */
async function startHost(): Promise<typeof host> {
  const received: Json[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({ headers: request.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/events`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

async function until<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
}

interface Tenant {
  id: string;
  key: string;
  call(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown): Promise<Json>;
  /** Slack posts (or Teams posts) whose text names this title. */
  post(title: string): Promise<Json>;
  /** Host deliveries of this tenant of this type. */
  hostEvents(type: string): Json[];
}

/** A tenant with one channel (Slack incoming webhook, or a Teams workflow) taking every event from info up, and a host subscription. */
async function tenant(name: string, kind: 'slack_webhook' | 'teams_workflow' = 'slack_webhook'): Promise<Tenant> {
  const s = t.platform.services;
  const created = await s.tenants.create(SYSTEM, { name });
  const key = (await s.apiKeys.create(SYSTEM, { tenantId: created.id, name: 'k' })).plaintext;
  const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: unknown): Promise<Json> => {
    const response = await t.app.inject({ method, url, headers: { authorization: `Bearer ${key}` }, ...(payload === undefined ? {} : { payload: payload as object }) });
    return { status: response.statusCode, body: response.body === '' ? null : response.json() };
  };
  const target = kind === 'slack_webhook' ? await control('POST', '/_sandbox/slack/incoming-webhooks', {}) : await control('POST', '/_sandbox/teams/workflows', { name });
  const channel = await call('POST', '/v1/notification-channels', { name: 'ops', kind, url: target.url });
  if (channel.status !== 201) throw new Error(JSON.stringify(channel.body));
  expect((await call('POST', '/v1/notification-rules', { name: 'all', channelId: channel.body.id, minSeverity: 'info' })).status).toBe(201);
  expect((await call('POST', '/v1/event-subscriptions', { url: host.url })).status).toBe(201);
  const posts = async (): Promise<Json[]> =>
    kind === 'slack_webhook'
      ? ((await control('GET', `/_sandbox/slack/incoming-webhooks/${target.id}`)).posts as Json[]).map((p) => ({ text: p.body.text as string, raw: p.body }))
      : ((await control('GET', `/_sandbox/teams/workflows/${target.id}`)).posts as Json[]).map((p) => ({ text: JSON.stringify(p.body), raw: p.body }));
  return {
    id: created.id,
    key,
    call,
    post: (title) => until(`a message "${title}" for ${name}`, async () => (await posts()).find((p) => p.text.includes(title))),
    hostEvents: (type) => host.received.filter((r) => r.body.tenantId === created.id && r.body.type === type),
  };
}

/** A Salesforce connection of the tenant on the sandbox and a Contact pull integration. */
async function contactsIntegration(tenantRow: Tenant, base = sandbox.url): Promise<string> {
  const now = new Date().toISOString();
  const connectionId = `con_${tenantRow.id.slice(4, 20)}`;
  await t.platform.services.store.connections.insert({
    id: connectionId, tenantId: tenantRow.id, provider: 'salesforce', name: 'SF', status: 'active', baseUrl: `${base}/salesforce`, account: {}, credentialId: null, createdAt: now, updatedAt: now,
  });
  const created = await tenantRow.call('POST', '/v1/integrations', { connectionId, object: 'Contact', schedule: { intervalMs: 3_600_000 } });
  expect(created.status).toBe(201);
  return created.body.id as string;
}

async function runToEnd(tenantRow: Tenant, integrationId: string): Promise<Json> {
  const started = await tenantRow.call('POST', `/v1/integrations/${integrationId}/sync`, {});
  expect(started.status).toBe(202);
  return until('the run to finish', async () => {
    const run = (await tenantRow.call('GET', `/v1/runs/${started.body.runId}`)).body;
    return run.finishedAt === null ? undefined : run;
  });
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, size: 24, seed: 11 });
  host = await startHost();
  t = await startTempPlatform({
    adminKey: ADMIN_KEY, allowPrivateEgress: true, publicUrl: 'https://tributary.example.com',
    oauthClients: { google: { clientId: 'sandbox-google-client', clientSecret: 'sandbox-google-secret' } },
  });
  salesforceTokens.set(`${sandbox.url}/salesforce`, (await control('POST', '/_sandbox/tokens', { provider: 'salesforce' })).accessToken as string);
  const s = t.platform.services;
  // Pulls use a sandbox-minted token (the credentials feature is exercised by the refresh cases).
  const contextFor = () => (connection: Connection) => {
    const info = { id: connection.id, tenantId: connection.tenantId, baseUrl: connection.baseUrl!, settings: {} };
    return { connection: info, http: createProviderHttp({ provider: PROVIDERS.salesforce, connection: info, tokens: { accessToken: async () => salesforceTokens.get(info.baseUrl) ?? 'none', refreshAfterUnauthorized: async () => null }, egress: { allowPrivate: true }, maxAttempts: 1 }) };
  };
  const context = { services: s, logger: s.logger, workers: { leaseMs: null }, roles: ['inbound-worker', 'notifier'] } as unknown as RoleContext;
  roles.push(await inboundWorkerRole({ providerFor: (id) => (id === 'salesforce' ? PROVIDERS.salesforce : undefined), contextFor, pageSize: 5 }).start(context));
  roles.push(await notifierRole.start({ services: s, logger: s.logger, notifier: { flushIntervalMs: 100 } }));
}, 30_000);

afterAll(async () => {
  for (const role of roles.splice(0)) await role.stop();
  await t?.close();
  await host?.close();
  await sandbox?.close();
});

describe('events from the features that raise them', () => {
  it('a pull that fails sends "Sync failed"; the next good run sends "Sync recovered"; the host hears run.completed and entity.created', async () => {
    const acme = await tenant('acme-failing');
    const integrationId = await contactsIntegration(acme);
    const fault = await control('POST', '/_sandbox/faults', { provider: 'salesforce', kind: 'status', status: 400, path: '^/services/data/v[0-9.]+/query' });
    const failed = await runToEnd(acme, integrationId);
    expect(failed.status).toBe('failed');
    const failedPost = await acme.post('Sync failed');
    expect(failedPost.text).toContain(integrationId);
    expect(JSON.stringify(failedPost.raw)).toContain(`https://tributary.example.com/#/integrations/${integrationId}`);

    await control('DELETE', `/_sandbox/faults/${fault.id}`);
    const good = await runToEnd(acme, integrationId);
    expect(good.status).toBe('succeeded');
    expect((await acme.post('Sync recovered')).text).toContain(integrationId);

    const completed = await until('run.completed deliveries', async () => (acme.hostEvents('run.completed').length >= 2 ? acme.hostEvents('run.completed') : undefined));
    expect(completed.map((d) => d.body.data.status)).toEqual(['failed', 'succeeded']);
    expect(completed[1].body.data).toMatchObject({ runId: good.id, integrationId, counts: { created: good.result.recordsCreated } });
    expect(completed[0].headers['webhook-signature']).toMatch(/^v1,/);
    // The entity change feed reaches the subscription as entity.created, one per new entity.
    const created = await until('entity.created deliveries', async () => (acme.hostEvents('entity.created').length >= good.result.recordsCreated ? acme.hostEvents('entity.created') : undefined));
    expect(new Set(created.map((d) => d.body.data.entityId)).size).toBe(created.length);
    expect(created[0].body.data).toMatchObject({ op: 'create', type: expect.any(String) });
  }, 40_000);

  it('a pull whose records fail mapping sends "Sync run finished with failed records" (run.partial)', async () => {
    const acme = await tenant('acme-partial');
    const integrationId = await contactsIntegration(acme);
    // A mapping that requires the email, and a Contact without one.
    const integration = (await acme.call('GET', `/v1/integrations/${integrationId}`)).body;
    const mapping = structuredClone(integration.mapping) as Json;
    mapping.targets[0].fields.find((f: Json) => f.target === 'email').required = true;
    expect((await acme.call('PUT', `/v1/integrations/${integrationId}/mapping`, { mapping })).status).toBe(200);
    const [victim] = (await control('GET', '/_sandbox/salesforce/Contact?limit=1')).records as Json[];
    await control('PATCH', `/_sandbox/salesforce/Contact/${victim.Id}`, { Email: null });

    const run = await runToEnd(acme, integrationId);
    expect(run.status).toBe('partial');
    const post = await acme.post('Sync run finished with failed records');
    expect(post.text).toContain(integrationId);
    expect(JSON.stringify(post.raw)).toMatch(/failedRecords/);
  }, 30_000);

  it('a token refresh that fails sends "Token refresh is failing" to Teams; a dead grant sends "needs re-authorisation" and connection.status_changed', async () => {
    const acme = await tenant('acme-tokens', 'teams_workflow');
    const s = t.platform.services;
    const now = new Date().toISOString();
    await s.store.connections.insert({ id: 'con_google_tokens', tenantId: acme.id, provider: 'google', name: 'G', status: 'active', baseUrl: `${sandbox.url}/google`, account: {}, credentialId: null, createdAt: now, updatedAt: now });
    const begun = await s.credentials.beginAuthorization({ tenantId: acme.id, connectionId: 'con_google_tokens', provider: 'google', authBaseUrl: `${sandbox.url}/google`, redirectUri: 'https://app.example/cb' });
    const location = new URL((await fetch(begun.authorizeUrl, { redirect: 'manual' })).headers.get('location') ?? '');
    const completed = await s.credentials.completeAuthorization({ state: location.searchParams.get('state')!, code: location.searchParams.get('code')! });
    const credentialId = completed.credential.id;

    const fault = await control('POST', '/_sandbox/faults', { provider: 'google', kind: 'status', status: 503, path: '^/token' });
    expect(await s.credentials.refresh(acme.id, credentialId, 'scheduled')).toMatchObject({ outcome: 'failed', errorCode: 'PROVIDER_UNAVAILABLE' });
    await control('DELETE', `/_sandbox/faults/${fault.id}`);
    expect((await acme.post('Token refresh is failing')).text).toContain('con_google_tokens');

    // Revoke the grant at Google: the next refresh is refused with invalid_grant.
    const row = await s.store.credentials.get(acme.id, credentialId);
    const secret = JSON.parse(await s.secrets.get(acme.id, row!.secretRef!)) as { tokens: { refreshToken: string } };
    expect((await fetch(`${sandbox.url}/google/revoke?token=${encodeURIComponent(secret.tokens.refreshToken)}`, { method: 'POST' })).status).toBe(200);
    expect(await s.credentials.refresh(acme.id, credentialId, 'scheduled')).toMatchObject({ outcome: 'failed' });
    expect((await acme.post('Connection needs re-authorisation')).text).toContain('con_google_tokens');
    const changed = await until('connection.status_changed', async () => acme.hostEvents('connection.status_changed').find((d) => d.body.data.status === 'needs_reauth'));
    expect(changed.body.data).toEqual({ connectionId: 'con_google_tokens', provider: 'google', name: 'G', previousStatus: 'active', status: 'needs_reauth' });
  }, 30_000);

  it('a watch channel that cannot be renewed sends "Webhook registration is failing"', async () => {
    const acme = await tenant('acme-webhooks');
    const s = t.platform.services;
    const now = new Date().toISOString();
    await s.store.connections.insert({ id: 'con_google_hooks', tenantId: acme.id, provider: 'google', name: 'G', status: 'active', baseUrl: `${sandbox.url}/google`, account: {}, credentialId: null, createdAt: now, updatedAt: now });
    const ref = await new SigningSecrets(s.secrets).create(acme.id, 'whk_renewal0000000000000000000001', 'channel-token');
    await s.store.webhooks.insert({
      id: 'whk_renewal0000000000000000000001', tenantId: acme.id, integrationId: null, connectionId: 'con_google_hooks', providerId: 'google',
      webhookUrl: 'https://tributary.example.com/webhooks/whk_renewal0000000000000000000001/events', webhookSecretRef: ref, providerWebhookId: 'chan-1',
      events: [], status: 'active', failureCount: 0, createdAt: now, updatedAt: now, expiresAt: new Date(Date.now() + 3_600_000).toISOString(), scheme: null, config: { kind: 'calendar' },
    });
    // The connection has no credential: the provider call cannot be made, so the renewal fails.
    expect(await s.webhookRegistrations.renewExpiring()).toBe(0);
    const post = await acme.post('Webhook registration is failing');
    expect(post.text).toContain('whk_renewal0000000000000000000001');
  }, 20_000);
});
