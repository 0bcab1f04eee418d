import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../../ports/clock.ts';
import { createPgTestSchema, type PgTestSchema } from './pg-test-support.ts';
import { PostgresStore } from './store.ts';

const URL = process.env.TRIBUTARY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const clock: Clock = { now: () => Date.parse('2026-01-01T00:00:00.000Z') };

let schema: PgTestSchema | null = null;
const stores: PostgresStore[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.close();
  await schema?.drop();
  schema = null;
});

describe('PostgresStore under contention (cluster mode: many processes commit at once)', () => {
  it('commits every one of many transactions that all conflict with each other, with few retries', async () => {
    schema = await createPgTestSchema(URL);
    const setup = schema.openStore(clock);
    await setup.migrate();
    // Eight "processes" (own pools); each transaction reads every tenant, then adds one:
    // each pair is a write skew that SERIALIZABLE must refuse, so retried blindly most of
    // them would fail again and again. Retries run one at a time in the retry lane and must get through.
    for (let n = 0; n < 8; n++) {
      stores.push(new PostgresStore({ connectionString: URL, clock, schema: schema.schema, maxConnections: 2, transactionRetries: 3 }));
    }
    const results = await Promise.allSettled(
      stores.map((store, n) =>
        store.transaction(async (tx) => {
          const seen = (await tx.tenants.list({ limit: 100 })).items.length;
          const at = new Date(clock.now()).toISOString();
          await tx.tenants.insert({ id: `ten_${n}`, name: `saw ${seen}`, metadata: {}, createdAt: at, updatedAt: at });
          return seen;
        }),
      ),
    );
    expect(results.map((result) => result.status)).toEqual(Array(8).fill('fulfilled'));
    // Serializable after all: the counts each saw are 0..7, as if run one after another.
    const seen = results.map((result) => (result as PromiseFulfilledResult<number>).value).sort((a, b) => a - b);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });
});
