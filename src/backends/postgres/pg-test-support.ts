import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Clock } from '../../ports/clock.ts';
import { PostgresStore } from './store.ts';

/**
 * Test support for the PostgreSQL backend's `*.pg.test.ts` files (not used by feature
 * code): each store lives in a schema `trb_<random hex>` of its own, created here and
 * dropped with CASCADE at cleanup, so tests never touch any other schema.
 */
export interface PgTestSchema {
  readonly schema: string;
  openStore(clock: Clock): PostgresStore;
  /** Closes every store opened here, then drops the schema. */
  drop(): Promise<void>;
}

export async function createPgTestSchema(url: string): Promise<PgTestSchema> {
  const schema = `trb_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
  } finally {
    await admin.end();
  }
  const stores: PostgresStore[] = [];
  return {
    schema,
    openStore: (clock) => {
      const store = new PostgresStore({ connectionString: url, clock, schema, maxConnections: 4 });
      stores.push(store);
      return store;
    },
    drop: async () => {
      for (const store of stores) await store.close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}
