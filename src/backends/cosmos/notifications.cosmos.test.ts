import { runNotificationRepositoryCases } from '../notification-repositories.cases.ts';
import { ManualClock } from '../memory/clock.ts';
import { useCosmosTarget } from './cosmos-test-support.ts';

/** The notification and event subscription repositories on Cosmos DB (in-process compatible server; a real account with AZURE_COSMOS_*). */
const cosmos = useCosmosTarget(process.env);

runNotificationRepositoryCases('CosmosStore', () => cosmos.fresh(new ManualClock(Date.parse('2026-01-05T09:00:00.000Z')), { migrate: true }));
