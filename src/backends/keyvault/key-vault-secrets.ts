import { randomUUID } from 'node:crypto';
import type { TokenCredential } from '@azure/identity';
import { SecretClient, type KeyVaultSecret } from '@azure/keyvault-secrets';
import { TributaryError } from '../../domain/errors.ts';
import type { Clock } from '../../ports/clock.ts';
import type { SecretInfo, SecretStore } from '../../ports/secret-store.ts';

export interface KeyVaultSecretStoreOptions {
  /** `https://<vault>.vault.azure.net`; ignored when `client` is given. */
  readonly vaultUrl?: string;
  /** Managed identity in Azure, DefaultAzureCredential's chain locally (runtime/ chooses). */
  readonly credential?: TokenCredential;
  /** A client the caller made (tests, custom pipeline). */
  readonly client?: SecretClient;
  readonly clock: Clock;
  /** Prepended to every secret name: lets several installs (or test runs) share a vault. Letters, digits, dashes. */
  readonly namePrefix?: string;
}

const REF = /^sec_[0-9a-f]{32}$/;
const PREFIX = /^[0-9A-Za-z-]{0,40}$/;
/** Key Vault refuses an empty value: every value is stored behind this marker. */
const VALUE_MARKER = 'v1:';
/** The secret that carries the current key generation (see rotateMasterKey). */
const GENERATION = 'tributary-key-generation';

/**
 * The SecretStore on Azure Key Vault (@azure/keyvault-secrets). One Key Vault secret per
 * ref, named `<prefix>sec-<32 hex>`; its tags carry the tenant, label, key generation and
 * times, never the value. A ref read under another tenant is SECRET_NOT_FOUND, as the port
 * says. `update` adds a version of the same secret; `delete` starts Key Vault's soft
 * delete (the name is never reused, refs being random).
 *
 * Key Vault encrypts values itself under keys it manages, so there is no data key to
 * re-wrap: `rotateMasterKey` increments a key generation (kept as a secret of its own) and
 * writes a new version of every secret, which Key Vault encrypts under its current key;
 * `keyVersion` is that generation. Limits that the local vault does not have: a value is
 * at most 25 KB, and each call is a network round trip (Key Vault throttles at about 4,000
 * operations per 10 s per vault), so callers cache what they read often.
 */
export class KeyVaultSecretStore implements SecretStore {
  readonly #client: SecretClient;
  readonly #clock: Clock;
  readonly #prefix: string;

  constructor(options: KeyVaultSecretStoreOptions) {
    if (options.namePrefix !== undefined && !PREFIX.test(options.namePrefix)) {
      throw new TributaryError('CONFIG_INVALID', 'Key Vault name prefixes are letters, digits and dashes (at most 40)', { field: 'namePrefix' });
    }
    this.#prefix = options.namePrefix ?? '';
    this.#clock = options.clock;
    if (options.client) {
      this.#client = options.client;
    } else {
      if (!options.vaultUrl || !options.credential) {
        throw new TributaryError('CONFIG_INVALID', 'KeyVaultSecretStore needs a vault URL and a credential, or a client', { field: options.vaultUrl ? 'credential' : 'vaultUrl' });
      }
      this.#client = new SecretClient(options.vaultUrl, options.credential);
    }
  }

  async put(tenantId: string, label: string, value: string): Promise<SecretInfo> {
    const ref = `sec_${randomUUID().replaceAll('-', '')}`;
    const now = new Date(this.#clock.now()).toISOString();
    const info: SecretInfo = { ref, tenantId, label, keyVersion: await this.#generation(), createdAt: now, updatedAt: now };
    await this.#write(info, value);
    return info;
  }

  async get(tenantId: string, ref: string): Promise<string> {
    const secret = await this.#read(tenantId, ref);
    const stored = secret.value ?? '';
    if (!stored.startsWith(VALUE_MARKER)) throw new TributaryError('SECRET_DECRYPT_FAILED', 'A Key Vault secret does not hold a Tributary value', { details: { ref } });
    return stored.slice(VALUE_MARKER.length);
  }

  async update(tenantId: string, ref: string, value: string): Promise<SecretInfo> {
    const current = infoOf(await this.#read(tenantId, ref), ref);
    const info: SecretInfo = { ...current, keyVersion: await this.#generation(), updatedAt: new Date(this.#clock.now()).toISOString() };
    await this.#write(info, value);
    return info;
  }

  async delete(tenantId: string, ref: string): Promise<void> {
    try {
      await this.#read(tenantId, ref);
    } catch (error) {
      if (error instanceof TributaryError && error.code === 'SECRET_NOT_FOUND') return;
      throw error;
    }
    // Starting the soft delete is enough: the secret stops being readable at once.
    await call(() => this.#client.beginDeleteSecret(this.#name(ref)));
  }

  async info(tenantId: string, ref: string): Promise<SecretInfo> {
    return infoOf(await this.#read(tenantId, ref), ref);
  }

  async rotateMasterKey(): Promise<{ readonly keyVersion: number; readonly rewrapped: number }> {
    const keyVersion = (await this.#generation()) + 1;
    await call(() => this.#client.setSecret(`${this.#prefix}${GENERATION}`, String(keyVersion)));
    let rewrapped = 0;
    for await (const properties of this.#client.listPropertiesOfSecrets()) {
      const ref = refOf(properties.name, this.#prefix);
      if (ref === null || properties.enabled === false) continue;
      const secret = await call(() => this.#client.getSecret(properties.name));
      const tags = secret.properties.tags ?? {};
      const current = infoOf(secret, ref);
      if (current.keyVersion >= keyVersion) continue;
      await call(() => this.#client.setSecret(properties.name, secret.value ?? '', { tags: { ...tags, keyVersion: String(keyVersion) }, contentType: 'text/plain' }));
      rewrapped += 1;
    }
    return { keyVersion, rewrapped };
  }

  #name(ref: string): string {
    return `${this.#prefix}${ref.replace('_', '-')}`;
  }

  async #generation(): Promise<number> {
    try {
      const secret = await this.#client.getSecret(`${this.#prefix}${GENERATION}`);
      return Number(secret.value) || 1;
    } catch (error) {
      if (statusOf(error) === 404) return 1;
      throw translate(error);
    }
  }

  async #write(info: SecretInfo, value: string): Promise<void> {
    const tags = { tenantId: info.tenantId, label: info.label, keyVersion: String(info.keyVersion), createdAt: info.createdAt, updatedAt: info.updatedAt };
    await call(() => this.#client.setSecret(this.#name(info.ref), `${VALUE_MARKER}${value}`, { tags, contentType: 'text/plain' }));
  }

  /** The secret when `ref` is well formed, exists, and belongs to `tenantId`; SECRET_NOT_FOUND otherwise. */
  async #read(tenantId: string, ref: string): Promise<KeyVaultSecret> {
    const notFound = new TributaryError('SECRET_NOT_FOUND', 'No secret is stored under this reference', { details: { ref } });
    if (!REF.test(ref)) throw notFound;
    let secret: KeyVaultSecret;
    try {
      secret = await this.#client.getSecret(this.#name(ref));
    } catch (error) {
      if (statusOf(error) === 404) throw notFound;
      throw translate(error);
    }
    if (secret.properties.tags?.tenantId !== tenantId || secret.properties.enabled === false) throw notFound;
    return secret;
  }
}

/** The ref a Key Vault secret name stands for under `prefix`, or null for other secrets. */
export function refOf(name: string, prefix: string): string | null {
  if (!name.startsWith(prefix)) return null;
  const ref = name.slice(prefix.length).replace('-', '_');
  return REF.test(ref) ? ref : null;
}

function infoOf(secret: KeyVaultSecret, ref: string): SecretInfo {
  const tags = secret.properties.tags ?? {};
  return {
    ref,
    tenantId: tags.tenantId ?? '',
    label: tags.label ?? '',
    keyVersion: Number(tags.keyVersion) || 1,
    createdAt: tags.createdAt ?? '',
    updatedAt: tags.updatedAt ?? '',
  };
}

function statusOf(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null && 'statusCode' in error ? (error as { statusCode?: number }).statusCode : undefined;
}

/** Throttling, 5xx and network failures are STORE_UNAVAILABLE (retryable); the rest INTERNAL. Never the value. */
function translate(error: unknown): TributaryError {
  if (error instanceof TributaryError) return error;
  const status = statusOf(error);
  if (status === undefined || status === 429 || status >= 500) {
    return new TributaryError('STORE_UNAVAILABLE', `Azure Key Vault did not answer${status === undefined ? '' : ` (status ${status})`}`);
  }
  return new TributaryError('INTERNAL', `Azure Key Vault refused a request (status ${status})`);
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw translate(error);
  }
}
