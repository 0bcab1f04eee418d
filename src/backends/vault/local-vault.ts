import { openSecret, rewrapKey, sealSecret } from '../../credentials/index.ts';
import type { MasterKey } from '../../credentials/index.ts';
import { TributaryError } from '../../domain/errors.ts';
import { newId } from '../../domain/ids.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Logger } from '../../ports/logger.ts';
import type { SecretInfo, SecretStore } from '../../ports/secret-store.ts';
import type { SecretRow, Store } from '../../ports/store.ts';
import type { LocalKeyring } from './master-keyring.ts';

export interface LocalVaultOptions {
  /** Where the encrypted rows live: the Store (any backend), or anything with its `secrets` and `transaction`. */
  readonly store: Pick<Store, 'secrets' | 'transaction'>;
  readonly keyring: LocalKeyring;
  /** Stamps createdAt / updatedAt. */
  readonly clock: Clock;
  readonly logger?: Logger | undefined;
  /** Rows re-wrapped per store transaction by `rotateMasterKey` (default 100). */
  readonly rotationBatchSize?: number | undefined;
}

/**
 * The embedded and cluster modes' SecretStore: values envelope-encrypted
 * (credentials/envelope.ts) into the Store's `secrets` rows, under master keys from a
 * LocalKeyring (TRIBUTARY_MASTER_KEY or a 0600 key file).
 *
 * Tenancy: rows are looked up by (tenant, ref), and the ciphertext is bound to both, so
 * another tenant's ref is SECRET_NOT_FOUND and a row moved to another tenant fails to
 * decrypt. `delete` is idempotent (deleting a missing ref, or another tenant's, does
 * nothing). A row wrapped by a master key version this process does not know (another
 * process rotated) makes the vault reload the keyring once before giving up.
 *
 * `rotateMasterKey`: a file-backed keyring gets a new version; an env-backed one cannot
 * (the operator adds a version to TRIBUTARY_MASTER_KEY and restarts), so the call then
 * finishes that rotation by re-wrapping to the newest env version. Rows are re-wrapped
 * in batches, each read and rewritten in one store transaction, so a concurrent
 * update is never overwritten with stale material; the loop runs until no row is left
 * under an older version, catching rows written meanwhile. Old versions stay in the
 * keyring, so reads keep working throughout. A row whose data key cannot be unwrapped
 * stops the rotation with SECRET_DECRYPT_FAILED naming its ref (batches before it stay
 * committed); delete or restore that row and run it again.
 */
export class LocalVault implements SecretStore {
  readonly #store: Pick<Store, 'secrets' | 'transaction'>;
  readonly #keyring: LocalKeyring;
  readonly #clock: Clock;
  readonly #logger: Logger | undefined;
  readonly #batchSize: number;

  constructor(options: LocalVaultOptions) {
    this.#store = options.store;
    this.#keyring = options.keyring;
    this.#clock = options.clock;
    this.#logger = options.logger;
    this.#batchSize = options.rotationBatchSize ?? 100;
    if (!Number.isSafeInteger(this.#batchSize) || this.#batchSize < 1) {
      throw new TributaryError('CONFIG_INVALID', 'LocalVault rotationBatchSize must be a positive integer', { field: 'rotationBatchSize' });
    }
  }

  async put(tenantId: string, label: string, value: string): Promise<SecretInfo> {
    checkInput(tenantId, value);
    const ref = newId('sec');
    const now = this.#now();
    const sealed = sealSecret(value, { tenantId, ref }, this.#keyring.current);
    const row: SecretRow = { ref, tenantId, label, ...sealed, createdAt: now, updatedAt: now };
    await this.#store.secrets.insert(row);
    return toInfo(row);
  }

  async get(tenantId: string, ref: string): Promise<string> {
    const row = await this.#find(tenantId, ref);
    if (this.#keyring.get(row.keyVersion) === undefined) await this.#keyring.reload();
    return openSecret(row, this.#keyring);
  }

  async update(tenantId: string, ref: string, value: string): Promise<SecretInfo> {
    checkInput(tenantId, value);
    const existing = await this.#find(tenantId, ref);
    const sealed = sealSecret(value, { tenantId, ref }, this.#keyring.current);
    const row: SecretRow = { ...existing, ...sealed, updatedAt: this.#now() };
    if (!(await this.#store.secrets.replace(row))) throw notFound(ref);
    return toInfo(row);
  }

  async delete(tenantId: string, ref: string): Promise<void> {
    await this.#store.secrets.delete(tenantId, ref);
  }

  async info(tenantId: string, ref: string): Promise<SecretInfo> {
    return toInfo(await this.#find(tenantId, ref));
  }

  async rotateMasterKey(): Promise<{ readonly keyVersion: number; readonly rewrapped: number }> {
    const target = this.#keyring.source === 'file' ? await this.#keyring.rotate() : this.#keyring.current;
    let rewrapped = 0;
    for (;;) {
      const count = await this.#store.transaction(async (tx) => {
        const rows = await tx.secrets.listWrappedBefore(target.version, this.#batchSize);
        for (const row of rows) await tx.secrets.replace({ ...row, ...this.#rewrap(row, target) });
        return rows.length;
      });
      if (count === 0) break;
      rewrapped += count;
    }
    this.#logger?.info({ keyVersion: target.version, rewrapped }, 'secrets re-wrapped under the current master key');
    return { keyVersion: target.version, rewrapped };
  }

  #rewrap(row: SecretRow, target: MasterKey): ReturnType<typeof rewrapKey> {
    const from = this.#keyring.get(row.keyVersion);
    if (from === undefined) {
      throw new TributaryError(
        'SECRET_DECRYPT_FAILED',
        `Secret ${row.ref} is wrapped by master key version ${row.keyVersion}, which the keyring no longer has; put it back to re-wrap the secret`,
        { details: { ref: row.ref, keyVersion: row.keyVersion } },
      );
    }
    return rewrapKey(row, from, target);
  }

  async #find(tenantId: string, ref: string): Promise<SecretRow> {
    const row = await this.#store.secrets.get(tenantId, ref);
    if (row === null) throw notFound(ref);
    return row;
  }

  #now(): string {
    return new Date(this.#clock.now()).toISOString();
  }
}

function toInfo(row: SecretRow): SecretInfo {
  return {
    ref: row.ref,
    tenantId: row.tenantId,
    label: row.label,
    keyVersion: row.keyVersion,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function notFound(ref: string): TributaryError {
  return new TributaryError('SECRET_NOT_FOUND', `No secret ${ref} for this tenant`, { details: { ref } });
}

function checkInput(tenantId: string, value: string): void {
  if (typeof tenantId !== 'string' || tenantId === '') {
    throw new TributaryError('VALIDATION_FAILED', 'A secret needs a tenant id', { field: 'tenantId' });
  }
  if (typeof value !== 'string') throw new TributaryError('VALIDATION_FAILED', 'A secret value must be a string', { field: 'value' });
}
