import type { ConnectionService } from '../connections/index.ts';
import type { Notifications } from '../notifications/index.ts';
import type { PrometheusMetrics } from '../observability/index.ts';
import type { CredentialService } from '../credentials/index.ts';
import type { Clock } from '../ports/clock.ts';
import type { JobQueue } from '../ports/job-queue.ts';
import type { Locks } from '../ports/locks.ts';
import type { SecretStore } from '../ports/secret-store.ts';
import type { Store } from '../ports/store.ts';
import type { RateLimitAdmin, RateLimitHistorySampler, RateLimiter } from '../ratelimit/index.ts';
import type { ConflictReviewService, DedupReviewService, EntityService, HostWriteService, IntegrationService, MergeService, ResolverRegistry } from '../sync/index.ts';
import type { WebhookReceiver, WebhookRegistrations } from '../webhooks/index.ts';
import type { MetricsAuth } from './config/index.ts';
import type { RootLogger } from './logging/logger.ts';
import type { Readiness } from './readiness.ts';
import type { ApiKeyService, AuditService, TenantService } from './tenancy/index.ts';

/**
 * Everything the roles and the API are built from, as ports and services. Built once by
 * the composition root (`buildPlatform`); nothing here says which backend is behind a
 * port. Route groups and roles receive only the members they use.
 */
export interface Services {
  readonly clock: Clock;
  readonly logger: RootLogger;
  readonly store: Store;
  readonly queue: JobQueue;
  readonly locks: Locks;
  readonly secrets: SecretStore;
  readonly tenants: TenantService;
  readonly apiKeys: ApiKeyService;
  readonly audit: AuditService;
  readonly readiness: Readiness;
  /** Credentials of connections: storage, OAuth flows, refresh (single-flight). */
  readonly credentials: CredentialService;
  /** Tenants' connections to providers. */
  readonly connections: ConnectionService;
  /** The multi-level limiter every provider call goes through. */
  readonly rateLimiter: RateLimiter;
  /** Status, overrides and resets of the limiter, for the API. */
  readonly rateLimits: RateLimitAdmin;
  /** Stores the limiter's usage per budget per interval (the scheduler role runs it, one leader at a time). */
  readonly rateLimitHistory: RateLimitHistorySampler;
  /** Webhook intake: verifies a delivery and stores it durably before answering 2xx. */
  readonly webhookReceiver: WebhookReceiver;
  /** Webhook registrations at the providers (management API, channel renewal). */
  readonly webhookRegistrations: WebhookRegistrations;
  /** Integrations (sync configurations), their mappings, manual runs and runs. */
  readonly integrations: IntegrationService;
  /** Entities, their links and relationships, and the change feed, for the API. */
  readonly entities: EntityService;
  /** The host product's entity writes (create, patch, delete, bulk), each with its outbox row for the outbound worker. */
  readonly hostWrites: HostWriteService;
  /** The conflict review queue: list, decide (completing the sync), dismiss. */
  readonly conflicts: ConflictReviewService;
  /**
   * Conflict resolvers registered in code (`PlatformOptions.resolvers`), for integrations
   * whose strategy is `custom` with a `resolver`: the pull, webhook and push paths use them.
   */
  readonly resolvers: ResolverRegistry;
  /** The dedup review queue: possible duplicates waiting for a person, accept (merge) or reject. */
  readonly dedupReviews: DedupReviewService;
  /** Merge lineage of entities, and undoing a merge. */
  readonly merges: MergeService;
  /** Slack and Teams notifications (channels, rules, delivery) and events to the host product. */
  readonly notifications: Notifications;
  /** The process's Prometheus instruments: features get it as their `Metrics`; `GET /metrics` scrapes it. */
  readonly metrics: PrometheusMetrics;
  /** Who may read `GET /metrics` (TRIBUTARY_METRICS_AUTH). */
  readonly metricsAuth: MetricsAuth;
}
