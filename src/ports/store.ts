import type { Actor, ApiKey, AuditEntry, Tenant } from '../domain/tenancy.ts';
import type { WebhookDelivery, WebhookEvent, WebhookRegistration } from '../domain/webhook.ts';
import type { Connection, ConnectionStatus, Credential, TokenRefreshAudit } from '../domain/connection.ts';
import type { Entity, EntityChange, EntityLink, Relationship } from '../domain/entity.ts';
import type { Integration, SyncPriority, SyncSchedule } from '../domain/integration.ts';
import type { DedupReview } from '../domain/review.ts';
import type { RunRecordError, StoredError, SyncResult, SyncRun } from '../domain/sync-run.ts';

/**
 * One page of a cursor-paginated list. `nextCursor` is null on the last page; passing
 * it back returns the next page. Cursors are opaque (they encode the sort key of the
 * last item, so rows inserted meanwhile never shift a page), stable across processes,
 * and a malformed one fails with VALIDATION_FAILED (field `cursor`).
 */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

export interface PageRequest {
  /** Items per page: 50 when absent, at most 1000 (larger values are clamped); must be a positive integer. */
  limit?: number;
  cursor?: string | null;
}

/** Tenants. `insert` fails with CONFLICT when the id exists. */
export interface TenantRepository {
  insert(tenant: Tenant): Promise<void>;
  get(id: string): Promise<Tenant | null>;
  /** Oldest first, ordered by (createdAt, id). */
  list(page?: PageRequest): Promise<Page<Tenant>>;
  /** Changes only the fields present in `patch` (metadata is replaced whole); null when no such tenant. */
  update(id: string, patch: { name?: string; metadata?: Record<string, unknown> }, updatedAt: string): Promise<Tenant | null>;
}

/**
 * API keys. `insert` fails with CONFLICT when the id or the hash exists, and with
 * NOT_FOUND when `tenantId` names no tenant.
 */
export interface ApiKeyRepository {
  insert(key: ApiKey): Promise<void>;
  /** Lookup by the key's hash: the only way a presented key is found. */
  findByHash(hash: string): Promise<ApiKey | null>;
  /** Keys of one tenant, or admin keys when `tenantId` is null; revoked ones included; oldest first. */
  list(tenantId: string | null): Promise<ApiKey[]>;
  /** Returns false when no unrevoked key has this id in this scope. */
  revoke(id: string, tenantId: string | null, at: string): Promise<boolean>;
  /** Records a use of the key; a missing id is not an error. */
  touch(id: string, at: string): Promise<void>;
}

export interface AuditFilter extends PageRequest {
  tenantId?: string;
  /** Exact action, such as `tenant.create`. */
  action?: string;
  /** ISO-8601 time: entries at or after it. */
  since?: string;
  /** ISO-8601 time: entries strictly before it (with `since`, a half-open range). */
  until?: string;
  /** Who acted: `admin`, `tenant` or `system` keys. */
  actorKind?: Actor['kind'];
  /** Exact target, such as a key or connection id. */
  target?: string;
}

/** The admin audit log: append-only; `list` is newest first, ordered by (at, id) descending. */
export interface AuditRepository {
  append(entry: AuditEntry): Promise<void>;
  list(filter?: AuditFilter): Promise<Page<AuditEntry>>;
}

/** A stored, encrypted secret as the local vault keeps it. All binary fields are opaque. */
export interface SecretRow {
  readonly ref: string;
  readonly tenantId: string;
  readonly label: string;
  readonly keyVersion: number;
  readonly wrappedKey: Buffer;
  readonly ciphertext: Buffer;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * The local vault's rows. Every lookup is scoped by tenant: a ref under another tenant
 * is treated as absent. `insert` fails with CONFLICT when the ref exists.
 */
export interface SecretRowRepository {
  insert(row: SecretRow): Promise<void>;
  get(tenantId: string, ref: string): Promise<SecretRow | null>;
  /** Replace a row's crypto material (keyVersion, wrappedKey, ciphertext, updatedAt); false when it does not exist. */
  replace(row: SecretRow): Promise<boolean>;
  delete(tenantId: string, ref: string): Promise<boolean>;
  /** Rows with a key version below `keyVersion`, across tenants, at most `limit`, for re-wrapping in batches. */
  listWrappedBefore(keyVersion: number, limit: number): Promise<SecretRow[]>;
}

/** Fields of a connection that change after it was created; absent fields are left alone. */
export interface ConnectionPatch {
  name?: string;
  status?: ConnectionStatus;
  baseUrl?: string | null;
  account?: Record<string, unknown>;
  credentialId?: string | null;
}

/**
 * Connections, tenant-scoped: every method takes the tenant and never sees another
 * tenant's row (a foreign id is absent). `insert` fails with CONFLICT on a duplicate id
 * and NOT_FOUND when the tenant does not exist. `listAll` is the one cross-tenant read
 * (operator status CLI).
 */
export interface ConnectionRepository {
  insert(connection: Connection): Promise<void>;
  get(tenantId: string, id: string): Promise<Connection | null>;
  /** Oldest first, ordered by (createdAt, id). */
  list(tenantId: string, page?: PageRequest): Promise<Page<Connection>>;
  /** Every tenant's connections, oldest first. */
  listAll(page?: PageRequest): Promise<Page<Connection>>;
  /** One atomic update; null when no such connection in this tenant. */
  update(tenantId: string, id: string, patch: ConnectionPatch, updatedAt: string): Promise<Connection | null>;
  /** Deletes it (its credentials rows go with it); false when absent. */
  delete(tenantId: string, id: string): Promise<boolean>;
}

/** Token metadata that changes on refresh or re-authorisation; absent fields are left alone. */
export interface CredentialPatch {
  status?: string;
  expiryTime?: string | null;
  lastRefreshedAt?: string | null;
  /** Adds to refreshCount in the same statement (no lost increments). */
  refreshCountIncrement?: number;
  enabled?: boolean;
  accessTokenRef?: string | null;
  refreshTokenRef?: string | null;
  secretRef?: string | null;
  /** Replaced whole. */
  metadata?: Record<string, unknown>;
}

/**
 * Credential metadata rows (secret values live in the SecretStore). Tenant-scoped like
 * connections, except `listExpiring`, the token refresher's cross-tenant scan.
 * `insert` fails with NOT_FOUND when the tenant or connection does not exist.
 */
export interface CredentialRepository {
  insert(credential: Credential): Promise<void>;
  get(tenantId: string, id: string): Promise<Credential | null>;
  /** The credentials of one connection, oldest first. */
  listByConnection(tenantId: string, connectionId: string): Promise<Credential[]>;
  update(tenantId: string, id: string, patch: CredentialPatch, updatedAt: string): Promise<Credential | null>;
  /** Enabled credentials with status `valid` whose expiry is before `before` (ISO), soonest first, at most `limit`. */
  listExpiring(before: string, limit: number): Promise<Credential[]>;
  delete(tenantId: string, id: string): Promise<boolean>;
}

export interface TokenRefreshAuditFilter extends PageRequest {
  credentialId?: string;
}

/** Token refresh attempts, append-only, kept until `expiresAt` (purged by `purgeExpired`). `list` is newest first. */
export interface TokenRefreshAuditRepository {
  append(entry: TokenRefreshAudit): Promise<void>;
  list(tenantId: string, filter?: TokenRefreshAuditFilter): Promise<Page<TokenRefreshAudit>>;
}

/** A pending OAuth authorisation: the state parameter and the PKCE verifier, kept server-side. */
export interface OAuthStateRow {
  readonly state: string;
  readonly tenantId: string;
  readonly connectionId: string;
  readonly provider: string;
  /** Where to exchange the code, redirect URI, scopes, return URL, credential id, client id... (no secrets but the verifier). */
  readonly data: Record<string, unknown>;
  readonly codeVerifier: string;
  readonly createdAt: string;
  readonly expiresAt: string;
}

/** OAuth states: inserted once, taken at most once (take deletes), and only before they expire. */
export interface OAuthStateRepository {
  insert(row: OAuthStateRow): Promise<void>;
  /** Removes and returns the row when it exists and `expiresAt > now` (ISO); null otherwise. Also drops expired rows. */
  take(state: string, now: string): Promise<OAuthStateRow | null>;
}

/** The repositories, as seen inside or outside a transaction. */
export interface Repositories {
  readonly tenants: TenantRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly audit: AuditRepository;
  readonly secrets: SecretRowRepository;
  readonly connections: ConnectionRepository;
  readonly credentials: CredentialRepository;
  readonly tokenRefreshAudit: TokenRefreshAuditRepository;
  readonly oauthStates: OAuthStateRepository;
  readonly integrations: IntegrationRepository;
  readonly entities: EntityRepository;
  readonly runs: SyncRunRepository;
  readonly webhooks: WebhookRepository;
  readonly notifications: NotificationRepository;
  readonly eventSubscriptions: EventSubscriptionRepository;
}

export interface MigrationStatus {
  /** Highest applied migration version. */
  readonly version: number;
  /** Versions applied by this call (empty when the schema was current). */
  readonly applied: number[];
}

/**
 * Durable state: every container of the reference data model, behind repositories.
 * Repositories exist today for the platform's own containers (tenants, API keys, admin
 * audit, vault rows); the data-model containers (domain/connection.ts, integration.ts,
 * sync-run.ts, entity.ts, review.ts, webhook.ts) have their tables and get repositories
 * here as the features that use them land.
 *
 * `transaction` runs `fn` atomically: every write made through the `tx` repositories
 * commits together or not at all (a throw rolls back and rethrows the same error).
 * Transactions are serialisable with respect to each other: no update is lost; a
 * backend may instead fail one of two clashing transactions with a retryable error.
 * Writes made inside are invisible to others until the commit.
 * Rules for `fn`, which the embedded backend needs (it holds the one connection of the
 * process for the transaction's whole length):
 * - await nothing but the `tx` repositories: no network, no timers, no queue calls;
 *   do the outside I/O before or after the transaction;
 * - use only `tx`: calling the top-level repositories or `transaction` again from inside
 *   fails at once (transactions do not nest) rather than deadlocking;
 * - do not keep `tx`: its repositories fail once the transaction has ended.
 *
 * Writes made through the top-level repositories are each atomic on their own.
 * Failures are TributaryErrors: CONFLICT (duplicate key), NOT_FOUND (a referenced row is
 * missing), VALIDATION_FAILED (bad value or cursor), STORE_UNAVAILABLE (closed, busy or
 * unreachable backend: retryable). `migrate` applies forward-only, versioned migrations
 * in order, each in its own transaction; it is idempotent and safe to call from several
 * processes at once. Deliberately left out: cross-tenant queries except where a
 * repository says so, and any SQL in the interface.
 */
export interface Store extends Repositories {
  migrate(): Promise<MigrationStatus>;
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T>;
  /**
   * Delete rows whose TTL passed (`expiresAt <= now`, epoch ms) in every table with a
   * retention (sync results and runs, token refresh and webhook audits, processed
   * webhook events and outbox rows); returns how many went. Runs in small batches, so it
   * may be called while the platform serves traffic.
   */
  purgeExpired(now: number): Promise<number>;
  /** Throws STORE_UNAVAILABLE when the backend cannot answer. */
  ping(): Promise<void>;
  /** Waits for work in progress, then releases the backend; later calls fail with STORE_UNAVAILABLE. */
  close(): Promise<void>;
}

// ---------------------------------------------------------------- sync: integrations, entities, runs

/** Fields of an integration that change after it was created; absent fields are left alone. */
export interface IntegrationPatch {
  direction?: Integration['direction'];
  mapping?: Record<string, unknown>;
  mappingVersion?: number;
  schedule?: SyncSchedule | null;
  priority?: SyncPriority;
  dedupRules?: Record<string, unknown>;
  conflictStrategy?: Record<string, unknown>;
  fieldOwnership?: Record<string, unknown>;
  enabled?: boolean;
}

/** An integration whose schedule is due, as the scheduler's cross-tenant scan returns it. */
export interface DueIntegration {
  readonly tenantId: string;
  readonly integrationId: string;
  readonly priority: SyncPriority;
  readonly nextScheduled: string;
}

/**
 * Integrations (sync configurations) and their schedule state (`sync_tasks`, one
 * scheduled task per integration, created with it). Tenant-scoped: a foreign id is
 * absent. `insert` fails with NOT_FOUND when the tenant or connection does not exist.
 * `listDue` is the scheduler's one cross-tenant read.
 */
export interface IntegrationRepository {
  insert(integration: Integration, nextScheduled: string | null): Promise<void>;
  get(tenantId: string, id: string): Promise<Integration | null>;
  /** Oldest first, ordered by (createdAt, id). */
  list(tenantId: string, page?: PageRequest & { connectionId?: string }): Promise<Page<Integration>>;
  update(tenantId: string, id: string, patch: IntegrationPatch, updatedAt: string): Promise<Integration | null>;
  delete(tenantId: string, id: string): Promise<boolean>;
  /** The committed cursor; written in the same transaction as the page it covers. */
  setCursor(tenantId: string, id: string, cursor: unknown, at: string): Promise<void>;
  /** When the integration runs next (null: not scheduled). */
  setNextScheduled(tenantId: string, id: string, nextScheduled: string | null, at: string): Promise<void>;
  getNextScheduled(tenantId: string, id: string): Promise<string | null>;
  /** Enabled integrations due by `now`, high priority first, then the longest overdue; at most `limit`. */
  listDue(now: string, limit: number): Promise<DueIntegration[]>;
}

/** An entity link's key: the idempotency key of pull writes within one connection. */
export interface LinkKey {
  readonly object: string;
  readonly externalId: string;
}

/** A link joined with its entity, as the pull writer needs it to decide a write. */
export interface LinkedEntity {
  readonly linkId: string;
  readonly object: string;
  readonly externalId: string;
  readonly recordId: string | null;
  readonly remoteVersion: string | null;
  readonly baseSnapshot: Record<string, unknown> | null;
  readonly tombstonedAt: string | null;
  readonly entity: Entity;
}

/** One batch of entity-store writes: everything a page produced, applied in order, atomically. */
export interface EntityWriteBatch {
  readonly tenantId: string;
  readonly at: string;
  readonly entityInserts: readonly { id: string; type: string; fields: Record<string, unknown> }[];
  /** Replaces fields, version and deletedAt; updatedAt becomes `at`. */
  readonly entityUpdates: readonly { id: string; fields: Record<string, unknown>; version: number; deletedAt: string | null }[];
  readonly linkInserts: readonly {
    id: string; entityId: string; connectionId: string; integrationId: string | null; object: string; externalId: string;
    recordId: string | null; remoteVersion: string | null; baseSnapshot: Record<string, unknown> | null; tombstonedAt: string | null;
  }[];
  /** lastSyncedAt becomes `at`. */
  readonly linkUpdates: readonly {
    id: string; recordId: string | null; remoteVersion: string | null; baseSnapshot: Record<string, unknown> | null; tombstonedAt: string | null;
  }[];
  /** Inserted unless (from, kind, to) exists. */
  readonly relationships: readonly { fromEntityId: string; kind: string; toEntityId: string }[];
  /** Appended to the change feed in this order. */
  readonly changes: readonly { entityId: string; change: Record<string, unknown> }[];
  /** Inserted unless present. */
  readonly matchKeys: readonly { entityType: string; key: string; connectionId: string; object: string; entityId: string }[];
  readonly reviews: readonly DedupReview[];
}

export interface EntityFilter extends PageRequest {
  type?: string;
  /** Entities with a link through a connection of this provider. */
  provider?: string;
  /** ISO time: updated at or after it. */
  updatedSince?: string;
  /** Soft-deleted entities too. Default false. */
  includeDeleted?: boolean;
}

/**
 * The entity store: entities, their links, relationships, the change feed, match keys and
 * dedup reviews. Tenant-scoped throughout. Reads for the writer are batched (one
 * statement per call, whatever the number of keys); `applyBatch` writes a page.
 */
export interface EntityRepository {
  /** Links (live or tombstoned) of one connection with these keys, joined with their entities. */
  findLinks(tenantId: string, connectionId: string, keys: readonly LinkKey[]): Promise<LinkedEntity[]>;
  /** Links of one connection and object by the provider's record id (deletions). */
  findLinksByRecordId(tenantId: string, connectionId: string, object: string, recordIds: readonly string[]): Promise<LinkedEntity[]>;
  /** Live links per entity (absent: none). */
  countLiveLinks(tenantId: string, entityIds: readonly string[]): Promise<Map<string, number>>;
  /**
   * Live, unmerged entities of `entityType` holding any of `keys` through a link of a
   * source other than (`excludeConnectionId`, `excludeObject`).
   */
  findByMatchKeys(tenantId: string, entityType: string, keys: readonly string[], excludeConnectionId: string, excludeObject: string): Promise<{ key: string; entityId: string }[]>;
  getMany(tenantId: string, ids: readonly string[]): Promise<Entity[]>;
  applyBatch(batch: EntityWriteBatch): Promise<void>;
  get(tenantId: string, id: string): Promise<Entity | null>;
  /** Ordered by (createdAt, id). */
  list(tenantId: string, filter?: EntityFilter): Promise<Page<Entity>>;
  linksOf(tenantId: string, entityId: string): Promise<EntityLink[]>;
  relationshipsOf(tenantId: string, entityId: string): Promise<{ outgoing: Relationship[]; incoming: Relationship[] }>;
  /** Change feed entries with seq > `sinceSeq`, oldest first, at most `limit` (max 1000). */
  changes(tenantId: string, sinceSeq: number, limit: number): Promise<EntityChange[]>;
  listReviews(tenantId: string, status?: string): Promise<DedupReview[]>;
}

/** A run's record counters. */
export interface RunCounts {
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly deleted: number;
  readonly failed: number;
}

/** A run with its counters and whether it is a full resync. */
export interface SyncRunDetail extends SyncRun {
  readonly counts: RunCounts;
  readonly fullResync: boolean;
}

export interface RunProgress {
  readonly recordsSoFar: number;
  readonly pages: number;
  readonly totalEstimate: number | null;
  readonly checkpoint: unknown;
  readonly counts: RunCounts;
  readonly fullResync: boolean;
}

/**
 * Sync runs, their record errors and results. Tenant-scoped. `ensure` is idempotent:
 * the run a retried job names already exists and is returned as it is.
 */
export interface SyncRunRepository {
  ensure(run: SyncRun): Promise<SyncRunDetail>;
  get(tenantId: string, id: string): Promise<SyncRunDetail | null>;
  /** Newest first. */
  listByIntegration(tenantId: string, integrationId: string, page?: PageRequest): Promise<Page<SyncRunDetail>>;
  setStatus(tenantId: string, id: string, status: string, error: StoredError | null): Promise<void>;
  progress(tenantId: string, id: string, progress: RunProgress): Promise<void>;
  finish(tenantId: string, id: string, finish: { status: string; finishedAt: string; error: StoredError | null; expiresAt: string | null }): Promise<void>;
  addRecordErrors(errors: readonly (RunRecordError & { expiresAt: string | null })[]): Promise<void>;
  /** Oldest first, at most `limit`. */
  listRecordErrors(tenantId: string, runId: string, limit: number): Promise<RunRecordError[]>;
  insertResult(result: SyncResult): Promise<void>;
  getResultByRun(tenantId: string, runId: string): Promise<SyncResult | null>;
}

// ---------------------------------------------------------------- webhooks

/** A registration as stored: the domain row plus the verification scheme and provider config. */
export interface StoredWebhookRegistration extends WebhookRegistration {
  /** Verification scheme when not the provider's own (`standard`); null: the provider's. */
  readonly scheme: string | null;
  /** Provider-specific registration data (GitHub repo/org, Google resource id, Salesforce org id); never secrets. */
  readonly config: Record<string, unknown>;
}

/** Fields of a registration that change; absent fields are left alone. */
export interface WebhookRegistrationPatch {
  webhookSecretRef?: string | null;
  providerWebhookId?: string | null;
  events?: string[];
  status?: WebhookRegistration['status'];
  failureCount?: number;
  expiresAt?: string | null;
  config?: Record<string, unknown>;
}

/**
 * One verified delivery for `recordDeliveries`: its audit row, and unless `eventId` is
 * null (a handshake), the event row stored before the 2xx. `payloadJson` is the event
 * as JSON text (stored as is, so the intake does not re-encode a body it just parsed).
 */
export interface WebhookIntakeRecord {
  readonly auditId: string;
  readonly eventId: string | null;
  readonly registrationId: string;
  readonly tenantId: string;
  readonly deliveryId: string | null;
  readonly eventType: string;
  readonly payloadJson: string;
  readonly receivedAt: string;
  /** The audit row's expiry (received + 30 days). */
  readonly auditExpiresAt: string;
}

/**
 * What happened to one intake record: stored, or a duplicate of an earlier delivery (its
 * event, if any). `enqueued`: the event's job was committed in the same commit (see
 * `WebhookIntakeEnqueue`); false means the caller must enqueue it.
 */
export type WebhookIntakeOutcome =
  | { readonly stored: true; readonly enqueued: boolean }
  | { readonly stored: false; readonly eventId: string | null; readonly eventStatus: WebhookEvent['status'] | null; readonly enqueued: boolean };

/**
 * The job to add for each stored event (and for a duplicate whose event is still
 * pending): payload `{ eventId, tenantId, registrationId }` on `queue`, idempotency key
 * `<registrationId>:<deliveryId or eventId>`, correlation id the event id, priority
 * normal. A backend whose job queue lives in the same database (embedded SQLite) inserts
 * it in the same commit as the event, so one fsync makes both durable; other backends
 * ignore it and answer `enqueued: false`.
 */
export interface WebhookIntakeEnqueue {
  readonly queue: 'webhook-events';
  readonly maxAttempts: number;
  /** Epoch ms: the job's enqueue time. */
  readonly now: number;
}

/** A processed or failed event's new state. */
export interface WebhookEventPatch {
  status: WebhookEvent['status'];
  attempts?: number;
  processedAt?: string | null;
  error?: { code: string; message: string } | null;
  expiresAt?: string | null;
}

/**
 * Webhook registrations, the delivery audit and the intake events. Tenant-scoped except
 * `find` (the intake knows only the registration id in the URL), `listPendingEvents`
 * and `listExpiring` (the worker's cross-tenant sweeps).
 *
 * `recordDeliveries` is the intake's durable step, atomic for the whole batch (one
 * commit): per record, the audit row takes the UNIQUE (registration, delivery id) key;
 * when the key is taken the record is a duplicate (an audit row with outcome
 * `duplicate` and `claimedDeliveryId` is written instead, and the earlier event is
 * returned); otherwise the event row is inserted too. Records with a null delivery id
 * are never duplicates. `appendAudit` writes rows that hold no replay key (rejections).
 */
export interface WebhookRepository {
  insert(registration: StoredWebhookRegistration): Promise<void>;
  get(tenantId: string, id: string): Promise<StoredWebhookRegistration | null>;
  find(id: string): Promise<StoredWebhookRegistration | null>;
  /** Oldest first, ordered by (createdAt, id). */
  list(tenantId: string, page?: PageRequest & { connectionId?: string }): Promise<Page<StoredWebhookRegistration>>;
  update(tenantId: string, id: string, patch: WebhookRegistrationPatch, updatedAt: string): Promise<StoredWebhookRegistration | null>;
  delete(tenantId: string, id: string): Promise<boolean>;
  /** Registrations whose `expiresAt` is before `before` (watch channels to renew), soonest first. */
  listExpiring(before: string, limit: number): Promise<StoredWebhookRegistration[]>;
  recordDeliveries(records: readonly WebhookIntakeRecord[], enqueue?: WebhookIntakeEnqueue): Promise<WebhookIntakeOutcome[]>;
  appendAudit(rows: readonly (WebhookDelivery & { readonly claimedDeliveryId: string | null })[]): Promise<void>;
  /** Newest first, at most `limit`. */
  recentDeliveries(tenantId: string, registrationId: string, limit: number): Promise<(WebhookDelivery & { readonly claimedDeliveryId: string | null })[]>;
  getEvent(tenantId: string, id: string): Promise<WebhookEvent | null>;
  updateEvent(tenantId: string, id: string, patch: WebhookEventPatch): Promise<boolean>;
  /** Events still `pending` or `processing` received before `before`, oldest first: the recovery sweep. */
  listPendingEvents(before: string, limit: number): Promise<WebhookEvent[]>;
}

// ---------------------------------------------------------------- notifications

/** A notification channel as stored (see notifications/channels.ts for the meaning of each field). */
export interface NotificationChannelRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly kind: 'slack_webhook' | 'slack_app' | 'teams_workflow';
  readonly secretRef: string | null;
  readonly maskedTarget: string | null;
  readonly connectionId: string | null;
  readonly slackChannel: string | null;
  readonly status: 'active' | 'failing' | 'disabled';
  readonly failureCount: number;
  readonly lastError: string | null;
  readonly lastSuccessAt: string | null;
  readonly lastFailureAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Fields of a channel that change; absent fields are left alone. */
export interface NotificationChannelPatch {
  name?: string;
  secretRef?: string | null;
  maskedTarget?: string | null;
  connectionId?: string | null;
  slackChannel?: string | null;
  status?: NotificationChannelRecord['status'];
  failureCount?: number;
  lastError?: string | null;
}

/** A notification rule as stored. `eventTypes` empty means every type. */
export interface NotificationRuleRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly channelId: string;
  readonly name: string;
  readonly eventTypes: readonly string[];
  readonly minSeverity: 'info' | 'warning' | 'critical';
  readonly foldWindowMs: number;
  readonly digestIntervalMs: number | null;
  readonly enabled: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface NotificationRulePatch {
  channelId?: string;
  name?: string;
  eventTypes?: readonly string[];
  minSeverity?: NotificationRuleRecord['minSeverity'];
  foldWindowMs?: number;
  digestIntervalMs?: number | null;
  enabled?: boolean;
}

/** A delivery's outcome for the channel's health; `status` is the channel status to set. */
export type NotificationDeliveryOutcome =
  | { readonly ok: true; readonly at: string }
  | { readonly ok: false; readonly at: string; readonly error: string; readonly status: NotificationChannelRecord['status'] | 'by_count'; readonly failingAfter: number };

/**
 * What `recordOccurrence` decided: `first` (send now; `expired` carries the repeats of
 * a window that ended but was not flushed yet, to send too) or `folded` (counted only).
 */
export type NotificationFoldOutcome =
  | { readonly kind: 'first'; readonly expired: { readonly count: number; readonly since: number; readonly lastEvent: unknown } | null }
  | { readonly kind: 'folded'; readonly count: number };

/** A fold window that ended with repeats to report. */
export interface DueNotificationFold {
  readonly tenantId: string;
  readonly ruleId: string;
  readonly foldKey: string;
  readonly count: number;
  /** Epoch ms the window started (the first event was sent then). */
  readonly since: number;
  readonly lastEvent: unknown;
}

/** A digest whose interval ended: entries keyed by fold key. */
export interface DueNotificationDigest {
  readonly tenantId: string;
  readonly ruleId: string;
  readonly from: number;
  readonly to: number;
  readonly entries: Readonly<Record<string, unknown>>;
}

/** One event as a digest counts it. */
export interface NotificationDigestItem {
  readonly foldKey: string;
  readonly type: string;
  readonly severity: string;
  readonly subject: unknown;
  readonly at: number;
}

/**
 * Notification channels, rules and anti-flood state. Tenant-scoped (a foreign id is
 * absent) except `takeDueFolds` and `takeDueDigests`, the flusher's cross-tenant sweeps.
 * Deleting a channel deletes its rules; deleting a rule drops its fold and digest state.
 * `insertRule` fails with NOT_FOUND when the channel does not exist in that tenant.
 * Each method is atomic on its own: `recordOccurrence`, `recordDelivery`, `addToDigest`
 * and the `take*` sweeps read and write in one step, so concurrent emitters never lose a
 * count and a due window is taken by one sweeper only. Times are epoch ms (anti-flood
 * state) or ISO strings (records), as each signature says.
 */
export interface NotificationRepository {
  insertChannel(channel: NotificationChannelRecord): Promise<void>;
  getChannel(tenantId: string, id: string): Promise<NotificationChannelRecord | null>;
  /** Oldest first; at most 1000. */
  listChannels(tenantId: string): Promise<NotificationChannelRecord[]>;
  updateChannel(tenantId: string, id: string, patch: NotificationChannelPatch, updatedAt: string): Promise<NotificationChannelRecord | null>;
  deleteChannel(tenantId: string, id: string): Promise<boolean>;
  /**
   * Success: failure count 0, status active, lastSuccessAt. Failure: count + 1, lastError,
   * lastFailureAt, and the status given, or with `by_count` 'failing' once the count
   * reaches `failingAfter` (a disabled channel stays disabled). Null when absent.
   */
  recordDelivery(tenantId: string, id: string, outcome: NotificationDeliveryOutcome): Promise<NotificationChannelRecord | null>;
  insertRule(rule: NotificationRuleRecord): Promise<void>;
  getRule(tenantId: string, id: string): Promise<NotificationRuleRecord | null>;
  /** Oldest first; at most 1000. */
  listRules(tenantId: string): Promise<NotificationRuleRecord[]>;
  updateRule(tenantId: string, id: string, patch: NotificationRulePatch, updatedAt: string): Promise<NotificationRuleRecord | null>;
  deleteRule(tenantId: string, id: string): Promise<boolean>;
  /**
   * One occurrence of an event under a rule: opens a window of `windowMs` from `now` when
   * none is open (`first`), or counts it into the open one (`folded`, `lastEvent` kept).
   */
  recordOccurrence(tenantId: string, ruleId: string, foldKey: string, event: unknown, now: number, windowMs: number): Promise<NotificationFoldOutcome>;
  /** Removes every window ended by `now` (at most `limit`) and returns those that counted repeats. */
  takeDueFolds(now: number, limit: number): Promise<DueNotificationFold[]>;
  /** Counts an event into the rule's pending digest, which falls due `intervalMs` after its first event. */
  addToDigest(tenantId: string, ruleId: string, item: NotificationDigestItem, now: number, intervalMs: number): Promise<void>;
  /** Removes and returns the digests due by `now`, at most `limit`. */
  takeDueDigests(now: number, limit: number): Promise<DueNotificationDigest[]>;
}

// ---------------------------------------------------------------- events to the host product

/** A host-product endpoint subscribed to a tenant's events. `eventTypes` empty: every type. */
export interface EventSubscriptionRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly url: string;
  readonly description: string;
  readonly eventTypes: readonly string[];
  /** SecretStore ref of the signing-secret bundle (current + previous during rotation). */
  readonly secretRef: string;
  readonly status: 'active' | 'disabled';
  /** When deliveries started failing without a success since (ISO); null while healthy. */
  readonly failingSince: string | null;
  readonly disabledReason: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface EventSubscriptionPatch {
  url?: string;
  description?: string;
  eventTypes?: readonly string[];
  status?: EventSubscriptionRecord['status'];
  failingSince?: string | null;
  disabledReason?: string | null;
}

/** One attempt of a delivery. */
export interface EventDeliveryAttempt {
  readonly at: string;
  readonly status: number | null;
  readonly error: string | null;
}

/**
 * One message to one subscription: `id` is the Standard Webhooks `webhook-id` (the same on
 * every attempt). `status`: pending (attempts left), delivered, failed (schedule
 * exhausted), stopped (410 or the subscription disabled).
 */
export interface EventDeliveryRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly subscriptionId: string;
  readonly eventType: string;
  /** The JSON body as sent (signed bytes). */
  readonly payload: string;
  readonly status: 'pending' | 'delivered' | 'failed' | 'stopped';
  readonly attempts: readonly EventDeliveryAttempt[];
  readonly nextAttemptAt: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Kept until then; `purgeDeliveries` removes it afterwards (30 days after creation by default). */
  readonly expiresAt: string;
}

/**
 * Event subscriptions and their deliveries, tenant-scoped (a foreign id is absent).
 * Deleting a subscription deletes its deliveries. `recordAttempt` appends an attempt and
 * sets the new status atomically (the attempt list keeps the last 50).
 */
export interface EventSubscriptionRepository {
  insert(subscription: EventSubscriptionRecord): Promise<void>;
  get(tenantId: string, id: string): Promise<EventSubscriptionRecord | null>;
  /** Oldest first; at most 1000. */
  list(tenantId: string): Promise<EventSubscriptionRecord[]>;
  update(tenantId: string, id: string, patch: EventSubscriptionPatch, updatedAt: string): Promise<EventSubscriptionRecord | null>;
  delete(tenantId: string, id: string): Promise<boolean>;
  insertDeliveries(deliveries: readonly EventDeliveryRecord[]): Promise<void>;
  getDelivery(tenantId: string, id: string): Promise<EventDeliveryRecord | null>;
  /** Newest first, at most `limit`. */
  listDeliveries(tenantId: string, subscriptionId: string, limit: number): Promise<EventDeliveryRecord[]>;
  recordAttempt(
    tenantId: string,
    id: string,
    attempt: EventDeliveryAttempt,
    next: { status: EventDeliveryRecord['status']; nextAttemptAt: string | null },
  ): Promise<EventDeliveryRecord | null>;
  /** Sets status and next attempt without an attempt (a replay, a stop). */
  setDeliveryStatus(tenantId: string, id: string, status: EventDeliveryRecord['status'], nextAttemptAt: string | null, updatedAt: string): Promise<EventDeliveryRecord | null>;
  /** Deletes deliveries whose `expiresAt` passed (ISO `now`), at most `limit`; returns how many. */
  purgeDeliveries(now: string, limit: number): Promise<number>;
}
