import { runWebhookDeliveryEventContract } from '../../../ports/contracts/webhook-delivery-event.contract.ts';
import { ManualClock } from '../../memory/clock.ts';
import { createPgTestSchema } from '../pg-test-support.ts';

const URL = process.env.TRIBUTARY_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

runWebhookDeliveryEventContract('PostgresStore', async () => {
  const schema = await createPgTestSchema(URL);
  const store = schema.openStore(new ManualClock(Date.parse('2026-01-05T09:00:00.000Z')));
  await store.migrate();
  return { store, cleanup: () => schema.drop() };
});
