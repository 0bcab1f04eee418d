import type { Repositories } from '../../ports/store.ts';
import { PgApiKeyRepository } from './repositories/api-keys.ts';
import { PgAuditRepository } from './repositories/audit.ts';
import { PgConnectionRepository } from './repositories/connections.ts';
import { PgCredentialRepository } from './repositories/credentials.ts';
import { PgOAuthStateRepository } from './repositories/oauth-states.ts';
import { PgSecretRowRepository } from './repositories/secrets.ts';
import { PgTenantRepository } from './repositories/tenants.ts';
import { PgTokenRefreshAuditRepository } from './repositories/token-refresh-audit.ts';
import { PgEntityRepository } from './repositories/entities.ts';
import { PgIntegrationRepository } from './repositories/integrations.ts';
import { PgSyncRunRepository } from './repositories/runs.ts';
import { PgEventSubscriptionRepository } from './repositories/event-subscriptions.ts';
import { PgNotificationRepository } from './repositories/notifications.ts';
import { PgWebhookRepository } from './repositories/webhooks.ts';
import { PgOutboxRepository } from './repositories/outbox.ts';
import { PgConflictRepository } from './repositories/conflicts.ts';
import { PgDedupReviewRepository } from './repositories/dedup-reviews.ts';
import { PgMergeRepository } from './repositories/merges.ts';
import { PgLinkSweepRepository } from './repositories/link-sweep.ts';
import { PgRateLimitHistoryRepository } from './repositories/ratelimit-history.ts';
import type { PgContext } from './sql.ts';

/** The repositories over one PgContext (the pool, or a transaction's client). */
export function createPgRepositories(sql: PgContext): Repositories {
  return {
    tenants: new PgTenantRepository(sql),
    apiKeys: new PgApiKeyRepository(sql),
    audit: new PgAuditRepository(sql),
    secrets: new PgSecretRowRepository(sql),
    connections: new PgConnectionRepository(sql),
    credentials: new PgCredentialRepository(sql),
    tokenRefreshAudit: new PgTokenRefreshAuditRepository(sql),
    oauthStates: new PgOAuthStateRepository(sql),
    integrations: new PgIntegrationRepository(sql),
    entities: new PgEntityRepository(sql),
    runs: new PgSyncRunRepository(sql),
    webhooks: new PgWebhookRepository(sql),
    notifications: new PgNotificationRepository(sql),
    eventSubscriptions: new PgEventSubscriptionRepository(sql),
    outbox: new PgOutboxRepository(sql),
    dedupReviews: new PgDedupReviewRepository(sql),
    merges: new PgMergeRepository(sql),
    linkSweep: new PgLinkSweepRepository(sql),
    conflicts: new PgConflictRepository(sql),
    rateLimitHistory: new PgRateLimitHistoryRepository(sql),
  };
}
