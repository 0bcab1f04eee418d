import { Writable } from 'node:stream';
import { HttpRequest, InvocationContext, type Timer } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../runtime/logging/logger.ts';
import { startTempPlatform, type TempPlatform } from '../runtime/testing/temp-platform.ts';
import { createAzureHandlers, type AzureHandlers } from './handlers.ts';
import { jobFromTrigger } from './trigger-job.ts';

/**
 * Each Azure function invoked as the Functions host would call it, with the library's own
 * InvocationContext, HttpRequest and Timer shapes, over a real (embedded SQLite) platform.
 */
const ADMIN_KEY = 'admin-key-for-azure-functions-tests-0123';
const system = { actor: { kind: 'system' as const, keyId: null, tenantId: null }, requestId: null };
const timer: Timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: '', next: '', lastUpdated: '' } };
const context = (functionName: string, triggerMetadata?: Record<string, unknown>): InvocationContext =>
  new InvocationContext({ functionName, invocationId: `inv-${functionName}`, logHandler: () => undefined, ...(triggerMetadata ? { triggerMetadata } : {}) });

let t: TempPlatform;
let handlers: AzureHandlers;
let tenantA: string;
let keyA: string;

beforeAll(async () => {
  t = await startTempPlatform({ adminKey: ADMIN_KEY, logLevel: 'error' });
  const logger = createLogger({ level: 'error', destination: new Writable({ write: (_c, _e, done) => done() }) });
  handlers = createAzureHandlers({ services: async () => t.platform.services, logger, refreshWindowMs: 3_600_000 });
  const { tenants, apiKeys } = t.platform.services;
  tenantA = (await tenants.create(system, { name: 'A' })).id;
  await tenants.create(system, { name: 'B' });
  keyA = (await apiKeys.create(system, { tenantId: tenantA, name: 'a' })).plaintext;
});

afterAll(async () => {
  await t.close();
});

describe('Azure functions', () => {
  it('SyncScheduler (timer) enqueues each due integration on sync-inbound', async () => {
    const { store } = t.platform.services;
    const at = new Date().toISOString();
    await store.connections.insert({ id: 'con_az', tenantId: tenantA, provider: 'github', name: 'gh', status: 'active', baseUrl: null, account: {}, credentialId: null, createdAt: at, updatedAt: at });
    await store.integrations.insert(
      { id: 'int_az', tenantId: tenantA, connectionId: 'con_az', object: 'issue', direction: 'pull', mapping: {}, mappingVersion: 1, schedule: { intervalMs: 3_600_000 }, priority: 'normal', dedupRules: {}, conflictStrategy: {}, fieldOwnership: {}, enabled: true, cursor: null, cursorUpdatedAt: null, createdAt: at, updatedAt: at },
      '2020-01-01T00:00:00.000Z',
    );
    expect(await handlers.syncScheduler(timer, context('SyncScheduler'))).toBe(1);
    const inbound = (await t.platform.services.queue.stats()).find((s) => s.queue === 'sync-inbound');
    expect((inbound?.ready ?? 0) + (inbound?.delayed ?? 0)).toBe(1);
    // Rescheduled an interval ahead: a second tick finds nothing due.
    expect(await handlers.syncScheduler(timer, context('SyncScheduler'))).toBe(0);
  });

  it('RateLimitHistory (timer) stores the usage of each busy budget', async () => {
    const { rateLimiter, store } = t.platform.services;
    await rateLimiter.acquire({ provider: 'github', tenantId: tenantA, connectionId: 'con_az_rl', operation: 'read' });
    expect(await handlers.rateLimitHistory(timer, context('RateLimitHistory'))).toBeGreaterThan(0);
    const samples = (await store.rateLimitHistory.list({ key: 'connection:github:core:con_az_rl' })).items;
    expect(samples.map((sample) => sample.used)).toEqual([1]);
  });

  it('TokenRefresher (timer) runs one refresh pass', async () => {
    expect(await handlers.tokenRefresher(timer, context('TokenRefresher'))).toEqual({ refreshed: 0, failed: 0, skipped: 0 });
  });

  it('Api (HTTP) serves the API with its own key auth, scoped to the key\'s tenant', async () => {
    const list = async (authorization?: string) =>
      handlers.api(new HttpRequest({ method: 'GET', url: 'https://tributary.azurewebsites.net/v1/tenants', headers: authorization ? { authorization } : {} }), context('Api'));
    const denied = await list();
    expect(denied.status).toBe(401);
    expect(JSON.parse(String(denied.body))).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    const all = await list(`Bearer ${ADMIN_KEY}`);
    expect(all.status).toBe(200);
    expect(JSON.parse(Buffer.from(all.body as Uint8Array).toString()).items.map((x: { name: string }) => x.name).sort()).toEqual(['A', 'B']);
    const own = await handlers.api(new HttpRequest({ method: 'GET', url: `https://x/v1/tenants/${tenantA}`, headers: { authorization: `Bearer ${keyA}` } }), context('Api'));
    expect(own.status).toBe(200);
    // A tenant key sees its own tenant only.
    const scoped = await list(`Bearer ${keyA}`);
    expect(JSON.parse(Buffer.from(scoped.body as Uint8Array).toString()).items.map((x: { id: string }) => x.id)).toEqual([tenantA]);
  });

  it('WebhookReceiver (HTTP) answers from the intake: an unknown registration is a 404 with the error code', async () => {
    const response = await handlers.webhookReceiver(
      new HttpRequest({ method: 'POST', url: 'https://x/webhooks/whr_missing/events', headers: { 'content-type': 'application/json' }, body: { string: '{"a":1}' } }),
      context('WebhookReceiver'),
    );
    expect(response.status).toBe(404);
    expect(JSON.parse(Buffer.from(response.body as Uint8Array).toString())).toMatchObject({ error: { code: 'NOT_FOUND' } });
  });

  it('SyncInboundWorker (Service Bus) runs the pull handler for the message and lets its failure through, so the message is not completed', async () => {
    // This integration's mapping is empty: the pull refuses it, and the function must rethrow for Service Bus to redeliver or dead-letter.
    const outcome = await handlers
      .syncInboundWorker({ tenantId: tenantA, integrationId: 'int_az', trigger: 'manual' }, context('SyncInboundWorker', { deliveryCount: 1, messageId: 'm1', applicationProperties: { jobId: 'job_az1', maxAttempts: 3 } }))
      .then(() => 'completed', (error: unknown) => (error as { code?: string }).code ?? 'failed');
    expect(outcome).toBe('VALIDATION_FAILED');
  });

  it('SyncOutboundWorker (Service Bus) runs the push handler for the message', async () => {
    const outcome = await handlers
      .syncOutboundWorker({ tenantId: tenantA, outboxId: 'obx_missing', entityId: 'ent_missing' }, context('SyncOutboundWorker', { deliveryCount: 1, messageId: 'm2' }))
      .then(() => 'completed', (error: unknown) => (error as { code?: string }).code ?? 'failed');
    // A push for an outbox row that does not exist has nothing to do: acknowledged, not retried.
    expect(outcome).toBe('completed');
  });

  it('WebhookMaintenance (timer) re-enqueues a webhook event left pending on webhook-events', async () => {
    const { store, queue } = t.platform.services;
    const at = '2020-01-01T00:00:00.000Z';
    await store.connections.insert({ id: 'con_wh', tenantId: tenantA, provider: 'github', name: 'gh', status: 'active', baseUrl: null, account: {}, credentialId: null, createdAt: at, updatedAt: at });
    await store.webhooks.insert({
      id: 'whk_az', tenantId: tenantA, integrationId: null, connectionId: 'con_wh', providerId: 'github', webhookUrl: 'https://x/webhooks/whk_az/events', webhookSecretRef: null,
      providerWebhookId: null, events: ['issues'], status: 'active', failureCount: 0, createdAt: at, updatedAt: at, expiresAt: null, scheme: null, config: {},
    });
    await store.webhooks.recordDeliveries([{ auditId: 'wau_az', eventId: 'evt_az', registrationId: 'whk_az', tenantId: tenantA, deliveryId: 'd-az', eventType: 'issues', payloadJson: '{}', receivedAt: at, auditExpiresAt: '2099-01-01T00:00:00.000Z' }]);
    const before = (await queue.stats()).find((q) => q.queue === 'webhook-events');
    expect(await handlers.webhookMaintenance(timer, context('WebhookMaintenance'))).toEqual({ swept: 1, renewed: 0 });
    const after = (await queue.stats()).find((q) => q.queue === 'webhook-events');
    expect((after?.ready ?? 0) - (before?.ready ?? 0)).toBe(1);
  });

  it('WebhookEventsWorker (Service Bus) acknowledges an event that no longer exists', async () => {
    await expect(
      handlers.webhookEventsWorker({ eventId: 'evt_gone', tenantId: tenantA, registrationId: 'whk_az' }, context('WebhookEventsWorker', { deliveryCount: 1, messageId: 'm3' })),
    ).resolves.toBeUndefined();
  });

  it('reads the job of a trigger from its metadata: job id, attempt from the delivery count, priority, key', () => {
    const job = jobFromTrigger('sync-inbound', { tenantId: 't' }, {
      deliveryCount: 3, messageId: 'sync:int_1', correlationId: 'cor_1',
      applicationProperties: { jobId: 'job_1', priority: 'high', maxAttempts: 5, idempotencyKey: 'sync:int_1', enqueuedAt: 42, priorAttempts: 1 },
    });
    expect(job).toEqual({ id: 'job_1', queue: 'sync-inbound', payload: { tenantId: 't' }, priority: 'high', attempt: 4, maxAttempts: 5, idempotencyKey: 'sync:int_1', correlationId: 'cor_1', enqueuedAt: 42 });
  });
});
