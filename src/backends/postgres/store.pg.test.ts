import { describe, expect, it } from 'vitest';
import type { Clock } from '../../ports/clock.ts';
import { runStoreContract } from '../../ports/contracts/store.contract.ts';
import { runSyncStoreContract } from '../../ports/contracts/sync-store.contract.ts';
import { isTributaryError } from '../../domain/errors.ts';
import { loadMigrations } from '../sqlite/migrate.ts';
import { loadPgMigrations } from './migrate.ts';
import { createPgTestSchema } from './pg-test-support.ts';
import { PostgresStore } from './store.ts';

/**
 * The Store contracts against a real PostgreSQL (127.0.0.1:5432, database `test`, trust
 * auth; TRIBUTARY_TEST_DATABASE_URL overrides it). Every fixture gets its own schema
 * `trb_<random>`, dropped at cleanup.
 */
const URL = process.env.TRIBUTARY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const clock: Clock = { now: () => Date.parse('2026-01-01T00:00:00.000Z') };

runStoreContract('PostgresStore', async () => {
  const schema = await createPgTestSchema(URL);
  return {
    store: schema.openStore(clock),
    openSecond: async () => schema.openStore(clock),
    cleanup: () => schema.drop(),
  };
});

runSyncStoreContract('PostgresStore', async () => {
  const schema = await createPgTestSchema(URL);
  return { store: schema.openStore(clock), cleanup: () => schema.drop() };
});

describe('PostgresStore specifics', () => {
  it('carries the same migration versions and names as the SQLite store', () => {
    expect(loadPgMigrations().map((m) => `${m.version}_${m.name}`)).toEqual(loadMigrations().map((m) => `${m.version}_${m.name}`));
  });

  it('fails with STORE_UNAVAILABLE when the server cannot be reached', async () => {
    const store = new PostgresStore({ connectionString: 'postgres://postgres@127.0.0.1:1/test', clock });
    try {
      const error: unknown = await store.ping().then(() => null, (e: unknown) => e);
      expect(isTributaryError(error) && error.code).toBe('STORE_UNAVAILABLE');
      const read: unknown = await store.tenants.get('ten_a').then(() => null, (e: unknown) => e);
      expect(isTributaryError(read) && read.code).toBe('STORE_UNAVAILABLE');
    } finally {
      await store.close();
    }
  });

  it('rejects a schema name that is not a plain identifier', () => {
    expect(() => new PostgresStore({ connectionString: URL, clock, schema: 'x; DROP SCHEMA public' })).toThrow(/schema/);
  });

  it('runs a clashing transaction again instead of losing its update, across two stores', async () => {
    const schema = await createPgTestSchema(URL);
    try {
      const a = schema.openStore(clock);
      const b = schema.openStore(clock);
      await a.migrate();
      await a.tenants.insert({ id: 'ten_a', name: 'A', metadata: { count: 0 }, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z' });
      const increment = (store: PostgresStore): Promise<void> =>
        store.transaction(async (tx) => {
          const current = await tx.tenants.get('ten_a');
          await new Promise((resolve) => setImmediate(resolve));
          await tx.tenants.update('ten_a', { metadata: { count: Number(current?.metadata.count) + 1 } }, '2026-01-01T00:00:01.000Z');
        });
      await Promise.all([increment(a), increment(b), increment(a), increment(b)]);
      expect((await a.tenants.get('ten_a'))?.metadata.count).toBe(4);
    } finally {
      await schema.drop();
    }
  });
});
