import type { Clock } from '../../ports/clock.ts';
import { runDedupStoreContract } from '../../ports/contracts/dedup-store.contract.ts';
import { createPgTestSchema } from './pg-test-support.ts';

/** The dedup-decision and link-sweep contract against a real PostgreSQL, each fixture in its own schema. */
const URL = process.env.TRIBUTARY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const clock: Clock = { now: () => Date.parse('2026-01-01T00:00:00.000Z') };

runDedupStoreContract('PostgresStore', async () => {
  const schema = await createPgTestSchema(URL);
  return { store: schema.openStore(clock), cleanup: () => schema.drop() };
});
