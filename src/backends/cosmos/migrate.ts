import type { Container, CosmosClient } from '@azure/cosmos';
import type { MigrationStatus } from '../../ports/store.ts';
import { CONTAINER_NAMES, GLOBAL_PARTITIONS, containerRequest, type ContainerName } from './containers.ts';
import { cosmosStatus, translateCosmosError } from './errors.ts';

/**
 * Cosmos DB has no schema: a "migration" creates the database and the containers
 * (partition key, TTL, composite indexes) when absent, and records its version as a
 * document whose create succeeds for exactly one of several concurrent migrators.
 * Version 1 is the container set of containers.ts; a later version would add containers
 * or re-shape documents in the same way, one marker document per version.
 */
const VERSIONS = [1] as const;

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
    try {
      await container('tenants').items.create({ id: `migration:${version}`, pk: GLOBAL_PARTITIONS.meta, docKind: 'migration', version });
      applied.push(version);
    } catch (error) {
      if (cosmosStatus(error) !== 409) throw translateCosmosError(error);
    }
  }
  return { version: Math.max(...VERSIONS), applied };
}

async function createTolerant(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (error) {
    if (cosmosStatus(error) !== 409) throw translateCosmosError(error);
  }
}
