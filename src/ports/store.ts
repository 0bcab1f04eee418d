import type { Actor, ApiKey, AuditEntry, Tenant } from '../domain/tenancy.ts';
import type { Connection, ConnectionStatus, Credential, TokenRefreshAudit } from '../domain/connection.ts';
import type { Page, PageRequest } from './page.ts';
import type { IntegrationRepository, EntityRepository, SyncRunRepository } from './store-sync.ts';
import type { WebhookRepository } from './store-webhooks.ts';
import type { NotificationRepository, EventSubscriptionRepository } from './store-notifications.ts';
import type { ConflictRepository } from './store-conflicts.ts';
import type { DedupReviewRepository, MergeRepository } from './store-dedup.ts';
import type { LinkSweepRepository } from './store-link-sweep.ts';
import type { OutboxRepository } from './store-push.ts';
import type { RateLimitHistoryRepository } from './store-rate-limits.ts';

export type * from './page.ts';
export type * from './store-sync.ts';
export type * from './store-webhooks.ts';
export type * from './store-notifications.ts';
export type * from './store-conflicts.ts';
export type * from './store-dedup.ts';
export type * from './store-link-sweep.ts';
export type * from './store-push.ts';
export type * from './store-rate-limits.ts';

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

/** How long an appended audit entry is kept. */
export interface AuditRetention {
  /** ISO-8601 time after which `purgeExpired` deletes the entry; null or absent: kept (admin actions). */
  readonly expiresAt?: string | null;
}

/**
 * The admin audit log: append-only; `list` is newest first, ordered by (at, id)
 * descending. An entry appended with an `expiresAt` (credential access, 90 days) is
 * deleted by `Store.purgeExpired` once that time passes; `list` does not hide an expired
 * entry the purge has not reached yet.
 */
export interface AuditRepository {
  append(entry: AuditEntry, retention?: AuditRetention): Promise<void>;
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
  readonly dedupReviews: DedupReviewRepository;
  readonly merges: MergeRepository;
  readonly linkSweep: LinkSweepRepository;
  readonly outbox: OutboxRepository;
  readonly conflicts: ConflictRepository;
  readonly rateLimitHistory: RateLimitHistoryRepository;
}

export interface MigrationStatus {
  /** Highest applied migration version. */
  readonly version: number;
  /** Versions applied by this call (empty when the schema was current). */
  readonly applied: number[];
}

export interface TransactionOptions {
  /**
   * The caller writes only rows whose parents it has seen in this same transaction (the
   * pull writer: entities it inserted or read, the connection it checked), so a backend
   * may skip its own per-row foreign-key checks. Deletes and their cascades are not
   * covered: such a transaction must delete nothing. Backends that check for free ignore it.
   */
  readonly parentsChecked?: boolean;
}

/**
 * Durable state: every container of the reference data model, behind repositories
 * (this file: tenancy, vault rows, connections and credentials; store-sync.ts,
 * store-webhooks.ts and store-notifications.ts: the features' own).
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
  transaction<T>(fn: (tx: Repositories) => Promise<T>, options?: TransactionOptions): Promise<T>;
  /**
   * Delete rows whose TTL passed (`expiresAt <= now`, epoch ms) in every table with a
   * retention (sync results and runs, token refresh, webhook and credential access audits, processed
   * webhook events and outbox rows, rate-limit usage samples); returns how many went. Runs in small batches, so it
   * may be called while the platform serves traffic.
   */
  purgeExpired(now: number): Promise<number>;
  /** Throws STORE_UNAVAILABLE when the backend cannot answer. */
  ping(): Promise<void>;
  /** Waits for work in progress, then releases the backend; later calls fail with STORE_UNAVAILABLE. */
  close(): Promise<void>;
}
