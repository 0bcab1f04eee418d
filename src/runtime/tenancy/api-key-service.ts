import { TributaryError } from '../../domain/errors.ts';
import { newId } from '../../domain/ids.ts';
import type { Actor, ApiKey } from '../../domain/tenancy.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Store } from '../../ports/store.ts';
import type { Secret } from '../config/index.ts';
import type { ActionContext, AuditService } from './audit-service.ts';
import { generateApiKey, hashApiKey } from './key-material.ts';

/** What may be shown about a key: everything but its hash. */
export type ApiKeyInfo = Omit<ApiKey, 'hash'>;

export interface CreatedApiKey {
  readonly info: ApiKeyInfo;
  /** The full key. Returned once, here; Tributary cannot show it again. */
  readonly plaintext: string;
}

export interface ApiKeyServiceOptions {
  /** The operator key from configuration (TRIBUTARY_ADMIN_KEY), if any. */
  readonly adminKey: Secret | null;
  /** `lastUsedAt` is written at most this often per key, so that reads do not all become writes. */
  readonly touchIntervalMs?: number;
}

/**
 * Issues, checks and revokes API keys. A key with `tenantId` null is an admin key.
 * Keys are stored as SHA-256 hashes (see key-material.ts); the plaintext exists only in
 * the `create` result. Creation and revocation are audited in the same transaction.
 */
export class ApiKeyService {
  readonly #store: Store;
  readonly #audit: AuditService;
  readonly #clock: Clock;
  readonly #adminKey: Secret | null;
  readonly #touchIntervalMs: number;

  constructor(store: Store, audit: AuditService, clock: Clock, options: ApiKeyServiceOptions) {
    this.#store = store;
    this.#audit = audit;
    this.#clock = clock;
    this.#adminKey = options.adminKey;
    this.#touchIntervalMs = options.touchIntervalMs ?? 60_000;
  }

  /**
   * The actor a presented key stands for, or null when it is unknown or revoked.
   * The configured admin key is compared in constant time; stored keys are found by hash.
   */
  async authenticate(presented: string): Promise<Actor | null> {
    if (this.#adminKey?.equals(presented)) return { kind: 'admin', keyId: null, tenantId: null };
    const key = await this.#store.apiKeys.findByHash(hashApiKey(presented));
    if (key === null || key.revokedAt !== null) return null;
    await this.#touch(key);
    return key.tenantId === null ? { kind: 'admin', keyId: key.id, tenantId: null } : { kind: 'tenant', keyId: key.id, tenantId: key.tenantId };
  }

  async create(context: ActionContext, input: { tenantId: string | null; name: string }): Promise<CreatedApiKey> {
    const generated = generateApiKey();
    const key: ApiKey = {
      id: newId('key'),
      tenantId: input.tenantId,
      name: input.name,
      prefix: generated.prefix,
      hash: generated.hash,
      createdAt: new Date(this.#clock.now()).toISOString(),
      lastUsedAt: null,
      revokedAt: null,
    };
    await this.#store.transaction(async (tx) => {
      if (input.tenantId !== null && (await tx.tenants.get(input.tenantId)) === null) {
        throw new TributaryError('NOT_FOUND', `Tenant ${input.tenantId} not found`);
      }
      await tx.apiKeys.insert(key);
      await tx.audit.append(
        this.#audit.entry(context, {
          action: 'api_key.create',
          tenantId: input.tenantId,
          target: key.id,
          details: { name: key.name, prefix: key.prefix },
        }),
      );
    });
    return { info: toInfo(key), plaintext: generated.plaintext };
  }

  /** Keys of one tenant, or the stored admin keys when `tenantId` is null. */
  async list(tenantId: string | null): Promise<ApiKeyInfo[]> {
    return (await this.#store.apiKeys.list(tenantId)).map(toInfo);
  }

  /** Throws NOT_FOUND unless an unrevoked key with this id exists in this scope. */
  async revoke(context: ActionContext, tenantId: string | null, keyId: string): Promise<void> {
    const at = new Date(this.#clock.now()).toISOString();
    await this.#store.transaction(async (tx) => {
      if (!(await tx.apiKeys.revoke(keyId, tenantId, at))) {
        throw new TributaryError('NOT_FOUND', `API key ${keyId} not found or already revoked`);
      }
      await tx.audit.append(this.#audit.entry(context, { action: 'api_key.revoke', tenantId, target: keyId }));
    });
  }

  async #touch(key: ApiKey): Promise<void> {
    const now = this.#clock.now();
    if (key.lastUsedAt !== null && now - Date.parse(key.lastUsedAt) < this.#touchIntervalMs) return;
    try {
      await this.#store.apiKeys.touch(key.id, new Date(now).toISOString());
    } catch {
      // lastUsedAt is a hint for operators; a busy store must not fail the request.
    }
  }
}

function toInfo(key: ApiKey): ApiKeyInfo {
  return {
    id: key.id,
    tenantId: key.tenantId,
    name: key.name,
    prefix: key.prefix,
    createdAt: key.createdAt,
    lastUsedAt: key.lastUsedAt,
    revokedAt: key.revokedAt,
  };
}
