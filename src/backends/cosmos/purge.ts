import type { Container } from '@azure/cosmos';
import { cosmosCall, cosmosStatus, translateCosmosError } from './errors.ts';

/** Documents deleted per round, so a large purge never holds a long stretch of RUs. */
const PURGE_BATCH = 100;

/**
 * Deletes documents whose `expiresAtMs` passed from the TTL containers, a round of at
 * most PURGE_BATCH per container at a time. Cosmos DB's own TTL removes them anyway
 * (each carries `ttl`); this makes expiry exact at `now` (an injected clock in tests).
 * A document already gone (TTL or another purger) is not counted.
 */
export async function purgeExpiredCosmos(containers: readonly Container[], now: number): Promise<number> {
  let total = 0;
  for (const container of containers) {
    for (;;) {
      const { resources } = await cosmosCall(() =>
        container.items
          .query<{ id: string; pk: string }>({
            query: `SELECT TOP ${PURGE_BATCH} c.id, c.pk FROM c WHERE IS_NUMBER(c.expiresAtMs) AND c.expiresAtMs <= @now`,
            parameters: [{ name: '@now', value: now }],
          })
          .fetchAll(),
      );
      for (const doc of resources) {
        try {
          await container.item(doc.id, doc.pk).delete();
          total += 1;
        } catch (error) {
          if (cosmosStatus(error) !== 404) throw translateCosmosError(error);
        }
      }
      if (resources.length < PURGE_BATCH) break;
    }
  }
  return total;
}
