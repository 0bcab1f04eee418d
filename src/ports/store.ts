import type { ApiKey, AuditEntry, Tenant } from '../domain/tenancy.ts';

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

/** The repositories, as seen inside or outside a transaction. */
export interface Repositories {
  readonly tenants: TenantRepository;
  readonly apiKeys: ApiKeyRepository;
  readonly audit: AuditRepository;
  readonly secrets: SecretRowRepository;
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
