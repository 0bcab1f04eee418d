import { runWebhookDeliveryEventContract } from '../../ports/contracts/webhook-delivery-event.contract.ts';
import { ManualClock } from '../memory/clock.ts';
import { useCosmosTarget } from './cosmos-test-support.ts';

/** In-process Cosmos DB-compatible server; a real account with AZURE_COSMOS_*. */
const cosmos = useCosmosTarget(process.env);

runWebhookDeliveryEventContract('CosmosStore', () => cosmos.fresh(new ManualClock(Date.parse('2026-01-05T09:00:00.000Z')), { migrate: true }));
