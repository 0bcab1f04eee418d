import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { CosmosClient } from '@azure/cosmos';
import { afterAll, beforeAll } from 'vitest';
import { createHttpServer } from '@vercel/cosmosdb-server';
import type { Clock } from '../../ports/clock.ts';
import { CosmosStore } from './store.ts';

/**
 * Test support for the Cosmos DB backend's tests (not used by feature code): a
 * Cosmos DB-compatible server (@vercel/cosmosdb-server, in memory) started in this
 * process on a random port, or a real account when one is given. Each fixture gets its own container prefix `t<hex>_`, so
 * tests never see each other's documents; on a real account its containers are deleted
 * at cleanup.
 */
export interface CosmosTarget {
  readonly client: CosmosClient;
  /** The account endpoint (the local server's `http://127.0.0.1:<port>`). */
  readonly endpoint: string;
  readonly databaseId: string;
  readonly real: boolean;
  close(): Promise<void>;
}

/** The emulator's well-known dummy key: it checks no signature. */
const LOCAL_KEY = Buffer.from('tributary-test-key').toString('base64');

/** A real account to test against (the test file reads it from AZURE_COSMOS_ENDPOINT / AZURE_COSMOS_KEY). */
export interface CosmosAccount {
  readonly endpoint: string;
  readonly key: string;
  readonly databaseId: string;
}

export async function startCosmosTarget(account: CosmosAccount | null): Promise<CosmosTarget> {
  if (account) {
    const client = new CosmosClient({ endpoint: account.endpoint, key: account.key });
    return { client, endpoint: account.endpoint, databaseId: account.databaseId, real: true, close: async () => client.dispose() };
  }
  const server = createHttpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new CosmosClient({ endpoint, key: LOCAL_KEY, connectionPolicy: { enableEndpointDiscovery: false } });
  return {
    client,
    endpoint,
    databaseId: 'tributary',
    real: false,
    close: async () => {
      client.dispose();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface CosmosTestNamespace {
  /** Prepended to the container names of this namespace. */
  readonly prefix: string;
  openStore(clock: Clock): CosmosStore;
  /** Closes every store opened here, then (on a real account) deletes the namespace's containers. */
  drop(): Promise<void>;
}

export function createCosmosNamespace(target: CosmosTarget): CosmosTestNamespace {
  const prefix = `t${randomBytes(5).toString('hex')}_`;
  const stores: CosmosStore[] = [];
  return {
    prefix,
    openStore: (clock) => {
      const store = new CosmosStore({ client: target.client, databaseId: target.databaseId, containerPrefix: prefix, clock });
      stores.push(store);
      return store;
    },
    drop: async () => {
      for (const store of stores) await store.close();
      if (!target.real) return;
      const { resources } = await target.client.database(target.databaseId).containers.readAll().fetchAll();
      for (const container of resources.filter((c) => c.id.startsWith(prefix))) {
        await target.client.database(target.databaseId).container(container.id).delete();
      }
    },
  };
}

/** The account in AZURE_COSMOS_ENDPOINT / AZURE_COSMOS_KEY (database AZURE_COSMOS_DATABASE), or null: the in-process server. */
export function cosmosAccountFromEnv(env: Readonly<Record<string, string | undefined>>): CosmosAccount | null {
  const { AZURE_COSMOS_ENDPOINT: endpoint, AZURE_COSMOS_KEY: key } = env;
  return endpoint && key ? { endpoint, key, databaseId: env.AZURE_COSMOS_DATABASE ?? 'tributary-test' } : null;
}

export interface FreshCosmosStore {
  readonly store: CosmosStore;
  readonly namespace: CosmosTestNamespace;
  /** Another store over the same containers (a second process). */
  openSecond(): Promise<CosmosStore>;
  cleanup(): Promise<void>;
}

export interface CosmosFixture {
  /** The target of this test file (started in its beforeAll). */
  target(): CosmosTarget;
  /** A store in a namespace of its own, migrated when asked (the contracts migrate themselves). */
  fresh(clock: Clock, options?: { migrate?: boolean }): Promise<FreshCosmosStore>;
  /** Runs `test` on a fresh migrated store, then drops its namespace whatever happened. */
  withStore(clock: Clock, test: (store: CosmosStore, namespace: CosmosTestNamespace) => Promise<void>): Promise<void>;
}

/** One Cosmos DB target for the calling test file (`env`: its process.env): started before its tests, closed after them. */
export function useCosmosTarget(env: Readonly<Record<string, string | undefined>>): CosmosFixture {
  let target: CosmosTarget | null = null;
  beforeAll(async () => {
    target = await startCosmosTarget(cosmosAccountFromEnv(env));
  });
  afterAll(async () => {
    await target?.close();
  });
  const current = (): CosmosTarget => {
    if (target === null) throw new Error('the Cosmos DB target starts in beforeAll: use it inside a test');
    return target;
  };
  const fresh = async (clock: Clock, options: { migrate?: boolean } = {}): Promise<FreshCosmosStore> => {
    const namespace = createCosmosNamespace(current());
    const store = namespace.openStore(clock);
    if (options.migrate) await store.migrate();
    return { store, namespace, openSecond: async () => namespace.openStore(clock), cleanup: () => namespace.drop() };
  };
  return {
    target: current,
    fresh,
    withStore: async (clock, test) => {
      const { store, namespace, cleanup } = await fresh(clock, { migrate: true });
      try {
        await test(store, namespace);
      } finally {
        await cleanup();
      }
    },
  };
}
