/**
 * `dedup.reviews_waiting` end to end, in the composed platform (SQLite, the queue, the
 * inbound worker and notifier roles) against the sandbox: a tenant pulls Salesforce
 * Contacts through one connection, then the same people through a second connection
 * whose mapping carries no email or phone and whose dedup rules score names between the
 * review and the match thresholds. That pull opens a dedup review per person; the
 * tenant's Slack channel gets one message saying how many reviews wait, with a button to
 * the admin UI's dedup reviews page. A later pull that opens another review for the same
 * integration inside the rule's fold window is not sent on its own: it comes as one
 * "1 more" message when the window ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox } from '../sandbox/index.ts';
import { createProviderHttp } from '../src/connections/index.ts';
import type { Connection } from '../src/domain/connection.ts';
import { PROVIDERS } from '../src/providers/index.ts';
import { inboundWorkerRole } from '../src/runtime/roles/inbound-worker.ts';
import { notifierRole } from '../src/runtime/roles/notifier.ts';
import type { RoleContext, RunningRole } from '../src/runtime/roles/role.ts';
import { startTempPlatform, type TempPlatform } from '../src/runtime/testing/temp-platform.ts';
import type { Json } from './notifications-fixture.ts';

const PUBLIC_URL = 'https://tributary.example.com';
const SYSTEM = { actor: { kind: 'system' as const, keyId: null, tenantId: null }, requestId: null };
/** Long enough to hold the second pull; the "1 more" message comes when it ends. */
const FOLD_WINDOW_MS = 8_000;

let t: TempPlatform;
let sandbox: { url: string; close(): Promise<void> };
let salesforceToken = '';
const roles: RunningRole[] = [];

async function control(method: string, path: string, body?: unknown): Promise<Json> {
  const response = await fetch(`${sandbox.url}${path}`, { method, ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }) });
  return response.json();
}

async function until<T>(what: string, read: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, size: 12, seed: 5 });
  t = await startTempPlatform({ adminKey: 'dedup-notifications-admin-key-0123456789', allowPrivateEgress: true, publicUrl: PUBLIC_URL });
  salesforceToken = (await control('POST', '/_sandbox/tokens', { provider: 'salesforce' })).accessToken as string;
  const s = t.platform.services;
  // Pulls use a sandbox-minted token (credentials are not what this test is about).
  const contextFor = () => (connection: Connection) => {
    const info = { id: connection.id, tenantId: connection.tenantId, baseUrl: connection.baseUrl!, settings: {} };
    return { connection: info, http: createProviderHttp({ provider: PROVIDERS.salesforce, connection: info, tokens: { accessToken: async () => salesforceToken, refreshAfterUnauthorized: async () => null }, egress: { allowPrivate: true }, maxAttempts: 1 }) };
  };
  const context = { services: s, logger: s.logger, workers: { leaseMs: null }, roles: ['inbound-worker', 'notifier'] } as unknown as RoleContext;
  roles.push(await inboundWorkerRole({ providerFor: (id) => (id === 'salesforce' ? PROVIDERS.salesforce : undefined), contextFor, pageSize: 50 }).start(context));
  roles.push(await notifierRole.start({ services: s, logger: s.logger, notifier: { flushIntervalMs: 100 } }));
}, 30_000);

afterAll(async () => {
  for (const role of roles.splice(0)) await role.stop();
  await t?.close();
  await sandbox?.close();
});

describe('dedup.reviews_waiting', () => {
  it('a pull that opens dedup reviews sends one Slack message with how many wait and a link to the reviews page; repeats fold', { timeout: 60_000 }, async () => {
    const s = t.platform.services;
    const tenant = await s.tenants.create(SYSTEM, { name: 'dedup-acme' });
    const key = (await s.apiKeys.create(SYSTEM, { tenantId: tenant.id, name: 'k' })).plaintext;
    const call = async (method: 'GET' | 'POST' | 'PUT' | 'PATCH', url: string, payload?: unknown): Promise<Json> => {
      const response = await t.app.inject({ method, url, headers: { authorization: `Bearer ${key}` }, ...(payload === undefined ? {} : { payload: payload as object }) });
      return { status: response.statusCode, body: response.body === '' ? null : response.json() };
    };
    const hook = await control('POST', '/_sandbox/slack/incoming-webhooks', { channel: 'general' });
    const channel = await call('POST', '/v1/notification-channels', { name: 'ops', kind: 'slack_webhook', url: hook.url });
    expect(channel.status).toBe(201);
    expect((await call('POST', '/v1/notification-rules', { name: 'dedup', channelId: channel.body.id, minSeverity: 'info', foldWindowMs: FOLD_WINDOW_MS })).status).toBe(201);
    const posts = async (): Promise<Json[]> => ((await control('GET', `/_sandbox/slack/incoming-webhooks/${hook.id}`)).posts as Json[]).map((p) => p.body);
    const reviewPosts = async () => (await posts()).filter((p) => String(p.text).includes('Possible duplicates are waiting for review'));

    const integrationOn = async (connectionId: string): Promise<string> => {
      const now = new Date().toISOString();
      await s.store.connections.insert({ id: connectionId, tenantId: tenant.id, provider: 'salesforce', name: connectionId, status: 'active', baseUrl: `${sandbox.url}/salesforce`, account: {}, credentialId: null, createdAt: now, updatedAt: now });
      const created = await call('POST', '/v1/integrations', { connectionId, object: 'Contact', schedule: { intervalMs: 3_600_000 } });
      expect(created.status).toBe(201);
      return created.body.id as string;
    };
    const runToEnd = async (integrationId: string): Promise<Json> => {
      const started = await call('POST', `/v1/integrations/${integrationId}/sync`, {});
      expect(started.status).toBe(202);
      return until('the run to finish', async () => {
        const run = (await call('GET', `/v1/runs/${started.body.runId}`)).body;
        return run.finishedAt === null ? undefined : run;
      });
    };
    const listOpen = async (): Promise<Json[]> => (await call('GET', '/v1/dedup/reviews?status=open&limit=100')).body.items as Json[];
    const openReviews = async (): Promise<number> => (await listOpen()).length;

    // The first source: every Contact becomes a person, with its email.
    const first = await integrationOn('con_dedup_first');
    expect((await runToEnd(first)).status).toBe('succeeded');
    expect(await openReviews()).toBe(0);

    // The second source: no email or phone (no exact key), names scored between the thresholds.
    const second = await integrationOn('con_dedup_second');
    const mapping = structuredClone((await call('GET', `/v1/integrations/${second}/mapping`)).body.mapping) as Json;
    mapping.targets[0].fields = (mapping.targets[0].fields as Json[]).filter((f) => !['email', 'phone', 'mobilePhone'].includes(f.target));
    expect((await call('PUT', `/v1/integrations/${second}/mapping`, { mapping })).status).toBe(200);
    const names = { entityType: 'person', fields: [{ field: 'givenName', kind: 'givenName' }, { field: 'familyName', kind: 'surname' }], thresholds: { match: 0.999999, review: 0.2 } };
    expect((await call('PATCH', `/v1/integrations/${second}`, { dedupRules: { person: names } })).status).toBe(200);
    expect((await runToEnd(second)).status).toBe('succeeded');
    const opened = await listOpen();
    const waiting = opened.length;
    expect(waiting).toBeGreaterThan(0);
    for (const review of opened) expect(review.score).toBeGreaterThanOrEqual(0.2);
    for (const review of opened) expect(review.score).toBeLessThan(0.999999);

    const [post] = await until('the reviews message', async () => ((await reviewPosts()).length > 0 ? reviewPosts() : undefined));
    const blocks = JSON.stringify(post.blocks);
    expect(post.text).toContain(second);
    expect(blocks).toContain(`*reviewsWaiting*\\n${waiting}`);
    expect(blocks).toContain(`*newReviews*\\n${waiting}`);
    expect(blocks).toContain(`"url":"${PUBLIC_URL}/#/dedup"`);

    // A new person reaches both sources; the second's next pull opens one more review, inside the fold window.
    const [someone] = (await control('GET', '/_sandbox/salesforce/Contact?limit=1')).records as Json[];
    await control('POST', '/_sandbox/salesforce/Contact', { FirstName: 'Augusta', LastName: 'Byron-King', Email: 'augusta.king@example.org', AccountId: someone.AccountId });
    expect((await runToEnd(first)).status).toBe('succeeded');
    expect((await runToEnd(second)).status).toBe('succeeded');
    expect(await openReviews()).toBe(waiting + 1);
    const folded = await until('the folded repeat', async () => (await reviewPosts()).find((p) => String(p.text).includes('1 more since')), FOLD_WINDOW_MS + 15_000);
    expect(JSON.stringify(folded.blocks)).toContain(`*reviewsWaiting*\\n${waiting + 1}`);
    expect(await reviewPosts()).toHaveLength(2);
  });
});
