import type { Clock } from '../../../ports/clock.ts';
import type { RateLimitHistoryRepository, RateLimitSample } from '../../../ports/store.ts';
import { GLOBAL_PARTITIONS } from '../containers.ts';
import { docId, expiryFields, pageQuery, toDoc } from '../documents.ts';
import type { UnitRunner } from '../runner.ts';
import type { Doc } from '../unit.ts';

const SAMPLE = 'rlsample';

/** Filters that are plain equality on one document field. */
const EQUALS = [
  ['connectionId', 'connectionId'],
  ['provider', 'provider'],
  ['level', 'level'],
  ['key', 'key'],
] as const;

/** A sample's identity, (key, at), as its record id (`rid`, also the page cursor's tie-breaker). */
function sampleId(sample: Pick<RateLimitSample, 'key' | 'at'>): string {
  return `${sample.key}@${sample.at}`;
}

function toSample(doc: Doc): RateLimitSample {
  const d = doc as unknown as RateLimitSample;
  return {
    key: d.key, at: d.at, level: d.level, kind: d.kind, rule: d.rule, provider: d.provider, tenantId: d.tenantId,
    connectionId: d.connectionId, used: d.used, limit: d.limit, windowMs: d.windowMs, expiresAt: d.expiresAt,
  };
}

/**
 * Rate-limit usage samples on Cosmos DB, in the `rate-limit-history` container (TTL on:
 * each document carries its own `ttl`), partitioned by tenant, tenant-less budgets under
 * GLOBAL_PARTITIONS.system. Each sample is its own unit: read by id, created only when
 * absent, so `record` is idempotent (a sampler that lost the race to create it reruns and
 * finds it). `list` within one tenant's partition, or across partitions for admins.
 */
export function cosmosRateLimitHistory(runner: UnitRunner, clock: Clock): RateLimitHistoryRepository {
  return {
    async record(samples) {
      let added = 0;
      for (const sample of samples) {
        const pk = sample.tenantId ?? GLOBAL_PARTITIONS.system;
        const id = sampleId(sample);
        added += await runner.run(async (unit) => {
          if ((await unit.get('rate-limit-history', pk, docId(SAMPLE, id))) !== null) return 0;
          unit.createIfAbsent('rate-limit-history', toDoc(SAMPLE, pk, id, sample, { rid: id, ...expiryFields(sample.expiresAt, clock) }));
          return 1;
        });
      }
      return added;
    },
    list: (filter = {}) =>
      runner.run((unit) => {
        const where: string[] = [];
        const parameters: Record<string, unknown> = {};
        for (const [name, field] of EQUALS) {
          const value = filter[name];
          if (value === undefined) continue;
          where.push(`c.${field} = @${name}`);
          parameters[name] = value;
        }
        if (filter.since !== undefined) {
          where.push('c.at >= @since');
          parameters.since = filter.since;
        }
        if (filter.until !== undefined) {
          where.push('c.at < @until');
          parameters.until = filter.until;
        }
        return pageQuery(
          unit,
          'rate-limit-history',
          { kind: SAMPLE, where, parameters, sort: 'at', ...(filter.tenantId === undefined ? {} : { pk: filter.tenantId }) },
          filter,
          toSample,
        );
      }),
  };
}
