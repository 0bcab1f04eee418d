import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../sandbox/index.ts';
import { PROVIDERS, objectOf } from '../src/providers/index.ts';
import type { ProviderContext, ProviderId } from '../src/providers/index.ts';
import { startTempPlatform } from '../src/runtime/testing/temp-platform.ts';
import type { TempPlatform } from '../src/runtime/testing/temp-platform.ts';
import { PROVIDER_LIST, SANDBOX_PATHS, connectByOAuth, sandboxOAuthOptions, startConnectionsSandbox } from './fixtures/connections-sandbox.ts';
import type { ConnectionBody } from './fixtures/connections-sandbox.ts';

const ADMIN_KEY = 'connections-test-admin-key-0123456789';
const admin = { authorization: `Bearer ${ADMIN_KEY}` };
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

let sandbox: Sandbox;
let base: string;
let control: <T>(path: string, method?: string, body?: unknown) => Promise<T>;
let t: TempPlatform;
let tenantA: string;
let tenantB: string;
let keyA: string;
let keyB: string;
/** Every response body the tests saw, for the secret grep at the end. */
const seen: string[] = [];
/** Every secret value the tests handled or the platform held. */
const secrets = new Set<string>(PROVIDER_LIST.map((provider) => `sandbox-${provider}-secret`));
const connected = new Map<ProviderId, ConnectionBody>();

async function createTenant(name: string): Promise<{ id: string; key: string }> {
  const tenant = await t.app.inject({ method: 'POST', url: '/v1/tenants', headers: admin, payload: { name } });
  const id = tenant.json<{ id: string }>().id;
  const key = await t.app.inject({ method: 'POST', url: `/v1/tenants/${id}/api-keys`, headers: admin, payload: { name: 'ci' } });
  return { id, key: key.json<{ key: string }>().key };
}

async function contextOf(connection: ConnectionBody): Promise<ProviderContext> {
  const service = t.platform.services.connections;
  return service.providerContext(await service.connection(connection.tenantId, connection.id));
}

async function accessTokenOf(connection: ConnectionBody): Promise<string> {
  return t.platform.services.credentials
    .tokenSource({ tenantId: connection.tenantId, connectionId: connection.id, provider: connection.provider as ProviderId })
    .accessToken();
}

/** A record of the provider's main object to create, from what the connection can read. */
async function newRecordFor(provider: ProviderId, ctx: ProviderContext): Promise<Record<string, unknown>> {
  switch (provider) {
    case 'salesforce':
      return { FirstName: 'Ada', LastName: 'Connector', Email: 'ada.connector@example.com' };
    case 'slack': {
      const channels = await objectOf(PROVIDERS.slack, 'channels').readPage(ctx, null, { pageSize: 200 });
      const general = channels.records.find((record) => record.data.name === 'general');
      return { channel: general?.id ?? channels.records[0]?.id, text: 'Connected by Tributary' };
    }
    case 'github': {
      const repositories = await objectOf(PROVIDERS.github, 'repositories').readPage(ctx, null, { pageSize: 5 });
      return { repo: repositories.records[0]?.id, title: 'Connected by Tributary', body: 'An issue written through the connection.' };
    }
    case 'google':
      return { names: [{ givenName: 'Ada', familyName: 'Connector' }], emailAddresses: [{ value: 'ada.connector@example.com' }] };
    case 'notion':
      return { Name: { title: [{ text: { content: 'Ada Connector' } }] } };
  }
}

beforeAll(async () => {
  ({ sandbox, base, control } = await startConnectionsSandbox());
  t = await startTempPlatform({ adminKey: ADMIN_KEY, allowPrivateEgress: true, publicUrl: 'http://tributary.test:8080', ...sandboxOAuthOptions() });
  ({ id: tenantA, key: keyA } = await createTenant('A'));
  ({ id: tenantB, key: keyB } = await createTenant('B'));
  secrets.add(keyA).add(keyB).add(ADMIN_KEY);
});

afterAll(async () => {
  await t?.close();
  await sandbox?.close();
});

describe('connecting the five providers through the API', () => {
  it('connects each provider by the full OAuth redirect flow, active with account info and objects, then reads and writes its main object', async () => {
    const notionInfo = await control<{ data_sources: { id: string; object: string }[] }>('/notion/info');
    const contacts = notionInfo.data_sources.find((source) => source.object === 'contacts')?.id;
    for (const provider of PROVIDER_LIST) {
      const settings = provider === 'notion' ? { dataSourceId: contacts } : {};
      const { connection, bodies } = await connectByOAuth(t, base, bearer(keyA), provider, settings);
      seen.push(...bodies);
      expect(connection, `${provider}: ${JSON.stringify(connection.lastError)}`).toMatchObject({ provider, status: 'active', tenantId: tenantA });
      expect(connection.account?.accountId).toBeTruthy();
      expect(connection.objects).toContain(SANDBOX_PATHS[provider].main);
      expect(connection.credential).toMatchObject({ type: 'oauth2_authorization_code', status: 'valid' });
      if (provider === 'salesforce') expect(connection.baseUrl).toBe(`${base}/salesforce`);
      connected.set(provider, connection);
      secrets.add(await accessTokenOf(connection));

      const ctx = await contextOf(connection);
      const object = objectOf(PROVIDERS[provider], SANDBOX_PATHS[provider].main);
      const page = await object.readPage(ctx, null, { pageSize: 5 });
      expect(page.records.length, provider).toBeGreaterThan(0);
      const created = await object.create?.(ctx, await newRecordFor(provider, ctx));
      expect(created?.id, provider).toBeTruthy();
      const fetched = await object.fetchOne(ctx, created?.id ?? '');
      expect(fetched?.id, provider).toBe(created?.id);
    }
    // Every call went through the platform's rate limiter, counted per connection.
    const counted = new Set((await t.platform.services.rateLimits.status({ tenantId: tenantA })).map((entry) => entry.connectionId));
    for (const provider of ['slack', 'github'] as const) expect(counted, provider).toContain(connected.get(provider)?.id);
  });

  it('treats the OAuth state as single use, and sends the browser to the returnUrl given at connect', async () => {
    const { connection, callbackUrl } = await connectByOAuth(t, base, bearer(keyA), 'google', {}, '/v1/connections', { returnUrl: 'https://app.example.com/connected?from=tributary' });
    expect(connection.status).toBe('active');
    const replay = await t.app.inject({ method: 'GET', url: callbackUrl });
    seen.push(replay.body);
    expect(replay.statusCode).toBe(404);
    expect(replay.json<{ error: { code: string; field: string } }>().error).toMatchObject({ code: 'NOT_FOUND', field: 'query.state' });
    const forged = await t.app.inject({ method: 'GET', url: '/v1/oauth/callback?state=forged&code=x' });
    expect(forged.statusCode).toBe(404);
    const denied = await t.app.inject({ method: 'GET', url: '/v1/oauth/callback?state=any&error=access_denied' });
    expect(denied.json<{ error: { field: string } }>().error.field).toBe('query.error');
  });

  it('connects API-key and token credentials at once: a Notion internal token and a GitHub personal token', async () => {
    const notionToken = (await control<{ accessToken: string }>('/tokens', 'POST', { provider: 'notion' })).accessToken;
    const githubToken = (await control<{ accessToken: string }>('/tokens', 'POST', { provider: 'github' })).accessToken;
    secrets.add(notionToken).add(githubToken);
    const cases = [
      { provider: 'notion', baseUrl: `${base}/notion`, credential: { type: 'api_key', apiKey: notionToken }, object: 'users' },
      { provider: 'github', baseUrl: `${base}/github`, credential: { type: 'bearer_token', token: githubToken }, object: 'repositories' },
    ] as const;
    for (const item of cases) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/v1/connections',
        headers: bearer(keyA),
        payload: { provider: item.provider, name: `${item.provider} token`, baseUrl: item.baseUrl, credential: item.credential },
      });
      seen.push(response.body);
      expect(response.statusCode, response.body).toBe(201);
      const { connection, authorizeUrl } = response.json<{ connection: ConnectionBody; authorizeUrl: string | null }>();
      expect(authorizeUrl).toBeNull();
      expect(connection).toMatchObject({ status: 'active', credential: { type: item.credential.type, status: 'valid', expiresAt: null } });
      expect(connection.objects).toContain(item.object);
      const page = await objectOf(PROVIDERS[item.provider], item.object).readPage(await contextOf(connection), null, { pageSize: 5 });
      expect(page.records.length).toBeGreaterThan(0);
    }
  });

  it('answers a wrong token with the connection in needs_reauth and the reason, never the token', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/connections',
      headers: bearer(keyA),
      payload: { provider: 'github', name: 'bad token', baseUrl: `${base}/github`, credential: { type: 'bearer_token', token: 'ghp_not_a_real_token_0000000000' } },
    });
    seen.push(response.body);
    expect(response.statusCode).toBe(201);
    expect(response.json<{ connection: ConnectionBody }>().connection).toMatchObject({ status: 'needs_reauth', lastError: { code: 'PROVIDER_AUTH_FAILED' } });
    expect(response.body).not.toContain('ghp_not_a_real_token');
  });

  it('serves objects, validate, get and list; another tenant gets 404 on every route and an empty list', async () => {
    const salesforce = connected.get('salesforce');
    if (salesforce === undefined) throw new Error('the OAuth test did not connect Salesforce');
    const objects = await t.app.inject({ url: `/v1/connections/${salesforce.id}/objects`, headers: bearer(keyA) });
    seen.push(objects.body);
    const contact = objects.json<{ items: { name: string; fields: { name: string }[] }[] }>().items.find((object) => object.name === 'Contact');
    expect(contact?.fields.map((field) => field.name)).toContain('Email');

    const validated = await t.app.inject({ method: 'POST', url: `/v1/connections/${salesforce.id}/validate`, headers: bearer(keyA) });
    seen.push(validated.body);
    expect(validated.json<ConnectionBody>().status).toBe('active');

    const viaAdmin = await t.app.inject({ url: `/v1/tenants/${tenantA}/connections/${salesforce.id}`, headers: admin });
    expect(viaAdmin.json<ConnectionBody>().id).toBe(salesforce.id);
    const list = await t.app.inject({ url: '/v1/connections', headers: bearer(keyA) });
    seen.push(list.body);
    expect(list.json<{ items: ConnectionBody[] }>().items.map((item) => item.id)).toContain(salesforce.id);

    const asB = bearer(keyB);
    const attempts = [
      { method: 'GET', url: `/v1/connections/${salesforce.id}`, headers: asB },
      { method: 'GET', url: `/v1/connections/${salesforce.id}/objects`, headers: asB },
      { method: 'POST', url: `/v1/connections/${salesforce.id}/validate`, headers: asB },
      { method: 'DELETE', url: `/v1/connections/${salesforce.id}`, headers: asB },
      { method: 'GET', url: `/v1/tenants/${tenantA}/connections/${salesforce.id}`, headers: asB },
      { method: 'GET', url: `/v1/tenants/${tenantB}/connections/${salesforce.id}`, headers: admin },
      { method: 'DELETE', url: `/v1/tenants/${tenantB}/connections/${salesforce.id}`, headers: admin },
    ] as const;
    for (const attempt of attempts) {
      const response = await t.app.inject(attempt);
      expect(response.statusCode, `${attempt.method} ${attempt.url}`).toBe(404);
      expect(response.json<{ error: { code: string } }>().error.code).toBe('NOT_FOUND');
    }
    expect((await t.app.inject({ url: '/v1/connections', headers: asB })).json<{ items: unknown[] }>().items).toEqual([]);
    expect((await t.app.inject({ url: `/v1/connections/${salesforce.id}`, headers: bearer(keyA) })).statusCode).toBe(200);
    const audit = await t.app.inject({ url: `/v1/audit?tenantId=${tenantA}&action=connection.create`, headers: admin });
    expect(audit.json<{ items: unknown[] }>().items.length).toBeGreaterThanOrEqual(PROVIDER_LIST.length);
  });

  it('refuses bad input naming the field: unknown provider, a credential type the provider does not take, a malformed credential', async () => {
    const cases = [
      { payload: { provider: 'dropbox', name: 'x', credential: { type: 'api_key', apiKey: 'k' } }, field: 'body.provider' },
      { payload: { provider: 'slack', name: 'x', credential: { type: 'basic', username: 'u', password: 'p' } }, field: 'body.credential.type' },
      { payload: { provider: 'notion', name: 'x', baseUrl: `${base}/notion`, credential: { type: 'api_key' } }, field: 'body.credential.apiKey' },
    ];
    for (const item of cases) {
      const response = await t.app.inject({ method: 'POST', url: '/v1/connections', headers: bearer(keyA), payload: item.payload });
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json<{ error: { field: string } }>().error.field).toBe(item.field);
    }
  });

  it('deleting a connection revokes its token at the provider and destroys its secrets', async () => {
    const salesforce = connected.get('salesforce');
    if (salesforce === undefined) throw new Error('the OAuth test did not connect Salesforce');
    const token = await accessTokenOf(salesforce);
    const restCall = () => fetch(`${base}/salesforce/services/data/v60.0/limits`, { headers: { authorization: `Bearer ${token}` } });
    expect((await restCall()).status).toBe(200);
    const db = new Database(join(t.dir, 'data', 'tributary.db'), { readonly: true });
    try {
      const secretRows = () => db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM secrets WHERE tenant_id = ?').get(tenantA)?.n ?? 0;
      const credentialRows = () => db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM credentials WHERE connection_id = ?').get(salesforce.id)?.n ?? 0;
      const before = secretRows();
      expect(credentialRows()).toBe(1);

      const deleted = await t.app.inject({ method: 'DELETE', url: `/v1/connections/${salesforce.id}`, headers: bearer(keyA) });
      expect(deleted.statusCode, deleted.body).toBe(204);
      expect((await restCall()).status).toBe(401);
      expect(credentialRows()).toBe(0);
      expect(secretRows()).toBeLessThan(before);
      expect((await t.app.inject({ url: `/v1/connections/${salesforce.id}`, headers: bearer(keyA) })).statusCode).toBe(404);
    } finally {
      db.close();
    }
  });

  it('documents the connection routes in the OpenAPI document, the callback without a key', async () => {
    const doc = (await t.app.inject({ url: '/docs/json' })).json<{ paths: Record<string, Record<string, { security?: unknown[] }>> }>();
    for (const path of ['/v1/connections', '/v1/connections/{id}', '/v1/connections/{id}/validate', '/v1/connections/{id}/objects', '/v1/tenants/{tenantId}/connections']) {
      expect(Object.keys(doc.paths), path).toContain(path);
    }
    expect(doc.paths['/v1/oauth/callback']?.get?.security).toEqual([]);
  });

  it('never puts a secret in a response or a log line', () => {
    const text = [...seen, t.logs()].join('\n');
    expect(text.length).toBeGreaterThan(1000);
    for (const secret of secrets) expect(text.includes(secret), `a secret (${secret.slice(0, 6)}…) leaked`).toBe(false);
  });
});

describe('the egress policy', () => {
  it('refuses a private base URL unless the operator allows it, naming the field', async () => {
    const strict = await startTempPlatform({ adminKey: ADMIN_KEY, logLevel: 'silent', ...sandboxOAuthOptions() });
    try {
      const tenant = await strict.app.inject({ method: 'POST', url: '/v1/tenants', headers: admin, payload: { name: 'S' } });
      const url = `/v1/tenants/${tenant.json<{ id: string }>().id}/connections`;
      for (const field of ['baseUrl', 'authBaseUrl'] as const) {
        const payload = { provider: 'notion', name: 'internal', [field]: `${base}/notion`, credential: { type: 'api_key', apiKey: 'secret_x' } };
        const refused = await strict.app.inject({ method: 'POST', url, headers: admin, payload });
        expect(refused.statusCode, refused.body).toBe(400);
        expect(refused.json<{ error: { field: string; message: string } }>().error).toMatchObject({ field: `body.${field}` });
      }
      const listed = await strict.app.inject({ url, headers: admin });
      expect(listed.json<{ items: unknown[] }>().items).toEqual([]);
    } finally {
      await strict.close();
    }
  });
});
