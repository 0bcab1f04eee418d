import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAzureHandlers } from '../azure-functions/handlers.ts';
import { deleteKeysWithPrefix } from '../backends/redis/job-queue-keys.ts';
import { startCosmosTarget, type CosmosTarget } from '../backends/cosmos/cosmos-test-support.ts';
import { CosmosStore } from '../backends/cosmos/store.ts';
import { buildPlatform, openStore } from './compose.ts';
import { createLogger } from './logging/logger.ts';
import { resolveConfig } from './config/index.ts';
import { azureQueue, azureSecrets, azureStore } from './azure-wiring.ts';

const clock = { now: () => Date.now() };
const system = { actor: { kind: 'system' as const, keyId: null, tenantId: null }, requestId: null };
const REDIS = 'redis://127.0.0.1:6379';

describe('Azure mode configuration', () => {
  it('refuses Cosmos DB or Service Bus without Redis, and a Cosmos endpoint without its key, naming the key', () => {
    expect(() => resolveConfig({ cosmosEndpoint: 'https://a.documents.azure.com:443/', cosmosKey: 'k' })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID', field: 'cosmosEndpoint' }));
    expect(() => resolveConfig({ serviceBusConnectionString: 'Endpoint=sb://n.servicebus.windows.net/;SharedAccessKeyName=a;SharedAccessKey=b' })).toThrow(
      expect.objectContaining({ field: 'serviceBusConnectionString' }),
    );
    expect(() => resolveConfig({ cosmosEndpoint: 'https://a.documents.azure.com:443/', redisUrl: REDIS })).toThrow(/TRIBUTARY_COSMOS_KEY/);
  });

  it('picks nothing from Azure when no Azure key is set', async () => {
    const config = resolveConfig({});
    expect(await azureStore(config, clock)).toBeNull();
    expect(await azureQueue(config, { clock, logger: undefined as never, stopGraceMs: 0 })).toBeNull();
    expect(await azureSecrets(config, clock)).toBeNull();
  });

  it('never shows the Cosmos key or the Service Bus connection string in the resolved configuration', () => {
    const config = resolveConfig({
      cosmosEndpoint: 'https://a.documents.azure.com:443/', cosmosKey: 'cosmos-key-value', redisUrl: REDIS,
      serviceBusConnectionString: 'Endpoint=sb://n.servicebus.windows.net/;SharedAccessKeyName=a;SharedAccessKey=sb-key-value',
    });
    expect(JSON.stringify(config)).not.toMatch(/cosmos-key-value|sb-key-value/);
    expect(config.azure.cosmos).toMatchObject({ endpoint: 'https://a.documents.azure.com:443/', databaseId: 'tributary' });
  });
});

describe('Azure mode store, through the composition root', () => {
  let target: CosmosTarget;
  let endpoint: string;

  beforeAll(async () => {
    target = await startCosmosTarget(null);
    endpoint = target.endpoint;
  });
  afterAll(async () => {
    await target.close();
  });

  it('opens, migrates and uses a Cosmos DB store when TRIBUTARY_COSMOS_ENDPOINT is set', async () => {
    const config = resolveConfig({ cosmosEndpoint: endpoint, cosmosKey: 'dGVzdA==', cosmosDatabase: `w${randomBytes(4).toString('hex')}`, redisUrl: REDIS });
    const opened = await openStore(config, { clock });
    try {
      expect(opened.store).toBeInstanceOf(CosmosStore);
      expect(opened.migration.applied).toEqual([1, 2]);
      const tenant = await opened.services.tenants.create(system, { name: 'Azure tenant' });
      expect(await opened.store.tenants.get(tenant.id)).toMatchObject({ name: 'Azure tenant' });
    } finally {
      await opened.close();
    }
  });

  it('builds the whole platform on Cosmos DB and Redis, and serves the API through the Azure function', async () => {
    const prefix = `azt${randomBytes(4).toString('hex')}`;
    const config = resolveConfig({
      cosmosEndpoint: endpoint, cosmosKey: 'dGVzdA==', cosmosDatabase: prefix, redisUrl: REDIS, redisPrefix: prefix,
      masterKey: randomBytes(32).toString('base64'), adminKey: 'admin-key-for-azure-mode-tests-0123456789', dataDir: `/tmp/${prefix}`,
    });
    const logger = createLogger({ level: 'error', destination: new Writable({ write: (_c, _e, done) => done() }) });
    const platform = await buildPlatform(config, { logger });
    const redis = new Redis(REDIS);
    try {
      expect(platform.services.store).toBeInstanceOf(CosmosStore);
      const handlers = createAzureHandlers({ services: async () => platform.services, logger, refreshWindowMs: 3_600_000 });
      const context = new InvocationContext({ functionName: 'Api', logHandler: () => undefined });
      const admin = { authorization: 'Bearer admin-key-for-azure-mode-tests-0123456789', 'content-type': 'application/json' };
      const created = await handlers.api(new HttpRequest({ method: 'POST', url: 'https://x/v1/tenants', headers: admin, body: { string: JSON.stringify({ name: 'On Cosmos' }) } }), context);
      expect(created.status).toBe(201);
      const listed = await handlers.api(new HttpRequest({ method: 'GET', url: 'https://x/v1/tenants', headers: admin }), context);
      expect(JSON.parse(Buffer.from(listed.body as Uint8Array).toString()).items.map((t: { name: string }) => t.name)).toEqual(['On Cosmos']);
    } finally {
      await platform.close();
      await deleteKeysWithPrefix(redis, prefix);
      redis.disconnect();
    }
  });
});
