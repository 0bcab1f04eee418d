/** A tenant: one customer of the host product, whose data never mixes with another's. */
export interface Tenant {
  readonly id: string;
  readonly name: string;
  /** Free-form key/value the host product attaches (its own account id, plan, ...). */
  readonly metadata: Record<string, unknown>;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * An API key. Only a hash of the secret part is stored; the full key is shown once,
 * at creation. `tenantId` null means an admin key (operator, across tenants).
 */
export interface ApiKey {
  readonly id: string;
  readonly tenantId: string | null;
  readonly name: string;
  /** First characters of the key, safe to show, so a person can tell keys apart. */
  readonly prefix: string;
  readonly hash: string;
  readonly createdAt: string;
  readonly lastUsedAt: string | null;
  readonly revokedAt: string | null;
}

/** Who did something: an admin key, a tenant key, or Tributary itself (CLI, roles). */
export interface Actor {
  readonly kind: 'admin' | 'tenant' | 'system';
  readonly keyId: string | null;
  readonly tenantId: string | null;
}

/** One row of the admin audit log. `details` never holds a secret value. */
export interface AuditEntry {
  readonly id: string;
  readonly at: string;
  readonly actor: Actor;
  /** Dotted verb: `tenant.create`, `api_key.create`, `api_key.revoke`, ... */
  readonly action: string;
  readonly tenantId: string | null;
  readonly target: string | null;
  readonly details: Record<string, unknown>;
  readonly requestId: string | null;
}
