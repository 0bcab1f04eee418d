import type { ApiKey, AuditEntry, Tenant } from '../domain/tenancy.ts';

/** One page of a cursor-paginated list. `nextCursor` is null on the last page. */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

export interface PageRequest {
  limit?: number;
  cursor?: string | null;
}

export interface TenantRepository {
  insert(tenant: Tenant): Promise<void>;
  get(id: string): Promise<Tenant | null>;
  list(page?: PageRequest): Promise<Page<Tenant>>;
  update(id: string, patch: { name?: string; metadata?: Record<string, unknown> }, updatedAt: string): Promise<Tenant | null>;
}

export interface ApiKeyRepository {
  insert(key: ApiKey): Promise<void>;
  /** Lookup by the key's hash: the only way a presented key is found. */
  findByHash(hash: string): Promise<ApiKey | null>;
  /** Keys of one tenant, or admin keys when `tenantId` is null. */
  list(tenantId: string | null): Promise<ApiKey[]>;
  /** Returns false when no unrevoked key has this id in this scope. */
  revoke(id: string, tenantId: string | null, at: string): Promise<boolean>;
  touch(id: string, at: string): Promise<void>;
}

export interface AuditFilter extends PageRequest {
  tenantId?: string;
  action?: string;
  since?: string;
}

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

export interface SecretRowRepository {
  insert(row: SecretRow): Promise<void>;
  get(tenantId: string, ref: string): Promise<SecretRow | null>;
  /** Replace a row's crypto material; false when it does not exist. */
  replace(row: SecretRow): Promise<boolean>;
  delete(tenantId: string, ref: string): Promise<boolean>;
  /** Rows not yet wrapped by `keyVersion`, for re-wrapping in batches. */
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
 *
 * `transaction` runs `fn` atomically: every write made through the `tx` repositories
 * commits together or not at all (a throw rolls back and rethrows). Transactions are
 * serialisable with respect to each other. Writes made through the top-level
 * repositories are each atomic on their own. `migrate` applies forward-only, versioned
 * migrations in order, each in its own transaction; it is safe to call from several
 * processes at once. Deliberately left out: cross-tenant queries except where a
 * repository says so, and any SQL in the interface.
 */
export interface Store extends Repositories {
  migrate(): Promise<MigrationStatus>;
  transaction<T>(fn: (tx: Repositories) => Promise<T>): Promise<T>;
  /** Delete rows whose TTL passed (sync results, audits); returns how many went. */
  purgeExpired(now: number): Promise<number>;
  /** Throws STORE_UNAVAILABLE when the backend cannot answer. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
