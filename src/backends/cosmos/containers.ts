import type { ContainerRequest, IndexingPolicy } from '@azure/cosmos';

/**
 * The Cosmos DB containers of the Store. The reference's containers (sync-tasks,
 * sync-results, integrations, entities, webhooks, webhook-audit, credentials,
 * token-refresh) plus the ones it leaves implicit (tenants, audit, connections,
 * notifications). Every container is partitioned by `/pk`, which is the tenant id for
 * tenant-owned documents; the few global documents say their own partition (see
 * `GLOBAL_PARTITIONS`). Containers that keep rows with an expiry have TTL switched on with
 * no default (`defaultTtl: -1`): each such document carries its own `ttl`, so Cosmos DB
 * drops it when due even if no purge runs; `purgeExpired` only makes it exact.
 */
export const CONTAINERS = {
  tenants: { ttl: false },
  // Credential access entries expire (90 days); admin actions carry no `ttl` and stay.
  audit: { ttl: true },
  connections: { ttl: false },
  credentials: { ttl: true },
  'token-refresh': { ttl: true },
  integrations: { ttl: false },
  'sync-tasks': { ttl: false },
  'sync-results': { ttl: true },
  // Processed outbox rows expire here.
  entities: { ttl: true },
  webhooks: { ttl: true },
  'webhook-audit': { ttl: true },
  notifications: { ttl: false },
  // Rate-limit usage samples, one partition per tenant (GLOBAL_PARTITIONS.system for global and provider budgets).
  'rate-limit-history': { ttl: true },
} as const satisfies Record<string, { ttl: boolean }>;

export type ContainerName = keyof typeof CONTAINERS;

export const CONTAINER_NAMES = Object.keys(CONTAINERS) as ContainerName[];

/** Partitions of documents that belong to no one tenant. */
export const GLOBAL_PARTITIONS = {
  /** API keys (tenant and admin) and their hash index: few, and the hash must be unique across all. */
  apiKeys: '_apikeys',
  /** Admin audit entries about no tenant. */
  system: '_system',
  /** Migration bookkeeping. */
  meta: '_meta',
  /** Commit journals of multi-group units (journal.ts). */
  journal: '_journal',
} as const;

/** Properties our sort orders use; Cosmos DB serves a multi-property ORDER BY only from a composite index. */
const SORT_KEYS: readonly (readonly string[])[] = [
  ['/createdAt', '/id'],
  ['/at', '/id'],
  ['/receivedAt', '/id'],
  ['/startedAt', '/id'],
  ['/expiresAt', '/id'],
  ['/expiryTime', '/id'],
  ['/priorityRank', '/nextScheduled', '/id'],
  ['/seq', '/id'],
  ['/mergedAt', '/id'],
];

function indexingPolicy(): IndexingPolicy {
  const composite = SORT_KEYS.flatMap((paths) => [
    paths.map((path) => ({ path, order: 'ascending' as const })),
    paths.map((path) => ({ path, order: 'descending' as const })),
  ]);
  return { indexingMode: 'consistent', automatic: true, includedPaths: [{ path: '/*' }], compositeIndexes: composite };
}

/** The definition `migrate` creates a container with (prefix: a test's own namespace). */
export function containerRequest(name: ContainerName, prefix: string): ContainerRequest {
  return {
    id: `${prefix}${name}`,
    partitionKey: { paths: ['/pk'] },
    indexingPolicy: indexingPolicy(),
    ...(CONTAINERS[name].ttl ? { defaultTtl: -1 } : {}),
  };
}
