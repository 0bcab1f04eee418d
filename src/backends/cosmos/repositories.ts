import type { Clock } from '../../ports/clock.ts';
import type { Repositories } from '../../ports/store.ts';
import type { UnitRunner } from './runner.ts';
import { cosmosConnections, cosmosCredentials, cosmosOAuthStates, cosmosTokenRefreshAudit } from './repositories/connections.ts';
import { cosmosEntities } from './repositories/entities.ts';
import { cosmosIntegrations, cosmosRuns } from './repositories/sync.ts';
import { cosmosConflicts } from './repositories/conflicts.ts';
import { cosmosDedupReviews, cosmosLinkSweep, cosmosMerges } from './repositories/dedup.ts';
import { cosmosEventSubscriptions, cosmosNotifications } from './repositories/notifications.ts';
import { cosmosOutbox } from './repositories/outbox.ts';
import { cosmosRateLimitHistory } from './repositories/ratelimit-history.ts';
import { cosmosWebhooks } from './repositories/webhooks.ts';
import { cosmosApiKeys, cosmosAudit, cosmosSecrets, cosmosTenants } from './repositories/tenancy.ts';

/** Every repository over one runner: the top-level one (a unit per call) or a transaction's. */
export function createCosmosRepositories(runner: UnitRunner, clock: Clock): Repositories {
  return {
    tenants: cosmosTenants(runner),
    apiKeys: cosmosApiKeys(runner),
    audit: cosmosAudit(runner, clock),
    secrets: cosmosSecrets(runner),
    connections: cosmosConnections(runner),
    credentials: cosmosCredentials(runner),
    tokenRefreshAudit: cosmosTokenRefreshAudit(runner, clock),
    oauthStates: cosmosOAuthStates(runner, clock),
    integrations: cosmosIntegrations(runner),
    entities: cosmosEntities(runner),
    runs: cosmosRuns(runner, clock),
    webhooks: cosmosWebhooks(runner, clock),
    notifications: cosmosNotifications(runner),
    eventSubscriptions: cosmosEventSubscriptions(runner),
    dedupReviews: cosmosDedupReviews(runner),
    merges: cosmosMerges(runner),
    linkSweep: cosmosLinkSweep(runner),
    outbox: cosmosOutbox(runner, clock),
    conflicts: cosmosConflicts(runner),
    rateLimitHistory: cosmosRateLimitHistory(runner, clock),
  };
}
