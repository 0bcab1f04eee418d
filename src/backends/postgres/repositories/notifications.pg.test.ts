import { ManualClock } from '../../memory/clock.ts';
import { AT, runNotificationRepositoryCases } from '../../notification-repositories.cases.ts';
import { createPgTestSchema } from '../pg-test-support.ts';

const URL = process.env.TRIBUTARY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

runNotificationRepositoryCases('PostgreSQL', async () => {
  const schema = await createPgTestSchema(URL);
  const store = schema.openStore(new ManualClock(Date.parse(AT)));
  await store.migrate();
  return { store, cleanup: () => schema.drop() };
});
