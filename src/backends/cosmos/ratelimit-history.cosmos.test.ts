import type { Clock } from '../../ports/clock.ts';
import { runRateLimitHistoryContract } from '../../ports/contracts/ratelimit-history.contract.ts';
import { useCosmosTarget } from './cosmos-test-support.ts';

/** The rate-limit history contract on Cosmos DB (in-process compatible server; a real account with AZURE_COSMOS_*). */
const clock: Clock = { now: () => Date.parse('2026-01-01T00:00:00.000Z') };
const cosmos = useCosmosTarget(process.env);

runRateLimitHistoryContract('CosmosStore', () => cosmos.fresh(clock));
