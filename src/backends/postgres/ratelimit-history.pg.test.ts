import type { Clock } from '../../ports/clock.ts';
import { runRateLimitHistoryContract } from '../../ports/contracts/ratelimit-history.contract.ts';
import { createPgTestSchema } from './pg-test-support.ts';

/** The rate-limit history contract against a real PostgreSQL, each fixture in a schema of its own (see store.pg.test.ts). */
const URL = process.env.TRIBUTARY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const clock: Clock = { now: () => Date.parse('2026-01-01T00:00:00.000Z') };

runRateLimitHistoryContract('PostgresStore', async () => {
  const schema = await createPgTestSchema(URL);
  return { store: schema.openStore(clock), cleanup: () => schema.drop() };
});
