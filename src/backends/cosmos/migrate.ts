import type { Container, CosmosClient } from '@azure/cosmos';
import type { MigrationStatus } from '../../ports/store.ts';
import { CONTAINER_NAMES, GLOBAL_PARTITIONS, containerRequest, type ContainerName } from './containers.ts';
import { cosmosCall, cosmosStatus, translateCosmosError } from './errors.ts';

/**
 * Cosmos DB has no schema: a "migration" creates the database and the containers
 * (partition key, TTL, composite indexes) when absent, and records its version as a
 * document whose create succeeds for exactly one of several concurrent migrators.
 * Version 1 is the container set of containers.ts. A later version's step runs on an
 * account migrated before it (new accounts get containers.ts's definitions already);
 * steps are idempotent, since two migrators may both run one before either records it.
 */
const STEPS: Readonly<Record<number, (container: (name: ContainerName) => Container) => Promise<void>>> = {
  1: async () => undefined,
  // 2: the audit container's TTL on (credential access entries expire after 90 days).
  2: (container) => enableTtl(container('audit')),
};
const VERSIONS = Object.keys(STEPS).map(Number);

export async function migrateCosmos(
  client: CosmosClient,
  databaseId: string,
  prefix: string,
  container: (name: ContainerName) => Container,
): Promise<MigrationStatus> {
  // createIfNotExists reads then creates: a concurrent migrator may create in between (409), which is success.
  await createTolerant(() => client.databases.createIfNotExists({ id: databaseId }));
  const database = client.database(databaseId);
  for (const name of CONTAINER_NAMES) {
    await createTolerant(() => database.containers.createIfNotExists(containerRequest(name, prefix)));
  }
  const applied: number[] = [];
  for (const version of VERSIONS) {
    const marker = `migration:${version}`;
    const { resource } = await cosmosCall(() => container('tenants').item(marker, GLOBAL_PARTITIONS.meta).read());
    if (resource !== undefined) continue;
    await STEPS[version]?.(container);
    try {
      await container('tenants').items.create({ id: marker, pk: GLOBAL_PARTITIONS.meta, docKind: 'migration', version });
      applied.push(version);
    } catch (error) {
      if (cosmosStatus(error) !== 409) throw translateCosmosError(error);
    }
  }
  return { version: Math.max(...VERSIONS), applied };
}

/** Switches per-document TTL on (`defaultTtl: -1`) when the container has TTL off. */
async function enableTtl(container: Container): Promise<void> {
  const { resource } = await cosmosCall(() => container.read());
  if (resource === undefined || resource.defaultTtl !== undefined) return;
  await cosmosCall(() => container.replace({ ...resource, defaultTtl: -1 }));
}

async function createTolerant(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (error) {
    if (cosmosStatus(error) !== 409) throw translateCosmosError(error);
  }
}
