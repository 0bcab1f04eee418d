import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { TributaryError } from '../domain/errors.ts';

/**
 * Envelope encryption of secret values (pure; node:crypto only).
 *
 * Each secret gets a fresh random 32-byte data key that encrypts its value with
 * AES-256-GCM; the data key is itself encrypted ("wrapped") with AES-256-GCM under a
 * versioned master key. Rotating the master key therefore re-wraps 61-byte data keys and
 * never touches the values (`rewrapKey`).
 *
 * Both blobs share one layout, `[format u8][iv 12][tag 16][encrypted bytes]`, where the
 * first byte is the format version so that formats can evolve. Each blob is bound by GCM
 * additional data to what it belongs to, so it cannot be moved and still open:
 * - the value's AAD is a domain label, the tenant id and the secret ref;
 * - the wrapped key's AAD is another label, the master key version, the tenant id and the ref.
 * Fields are length-prefixed, so no two (tenant, ref) pairs encode to the same AAD.
 *
 * Every failure to open (a flipped byte anywhere, another tenant or ref, a wrong or
 * missing master key version, an unknown format) is TributaryError SECRET_DECRYPT_FAILED;
 * messages name the ref and the reason, never key material or plaintext.
 */

/** Bytes in a master key and in a data key (AES-256). */
export const KEY_BYTES = 32;
/** The blob format this module writes; the first byte of every wrapped key and ciphertext. */
export const ENVELOPE_FORMAT_V1 = 0x01;

const IV_BYTES = 12;
const TAG_BYTES = 16;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;
const MAX_KEY_VERSION = 0xffff_ffff;
const VALUE_LABEL = 'tributary/secret-value/v1';
const WRAP_LABEL = 'tributary/data-key/v1';

/** One version of the master key. `key` is 32 secret bytes. */
export interface MasterKey {
  readonly version: number;
  readonly key: Buffer;
}

/** The master keys a process knows: the newest (`current`) wraps new secrets; older ones still open old rows. */
export interface MasterKeyring {
  readonly current: MasterKey;
  get(version: number): MasterKey | undefined;
}

/** What a secret is bound to: opening it under any other tenant or ref fails. */
export interface SecretBinding {
  readonly tenantId: string;
  readonly ref: string;
}

/** The crypto material stored for one secret. */
export interface SealedSecret {
  /** Version of the master key that wrapped `wrappedKey`. */
  readonly keyVersion: number;
  readonly wrappedKey: Buffer;
  readonly ciphertext: Buffer;
}

/** A stored secret as `openSecret` and `rewrapKey` read it (a SecretRow satisfies it). */
export interface StoredSecret extends SecretBinding, SealedSecret {}

/** Encrypts `value` under a fresh data key, wrapped by `masterKey`. */
export function sealSecret(value: string, binding: SecretBinding, masterKey: MasterKey): SealedSecret {
  assertMasterKey(masterKey);
  const dataKey = randomBytes(KEY_BYTES);
  try {
    const plaintext = Buffer.from(value, 'utf8');
    const ciphertext = encrypt(dataKey, plaintext, valueAad(binding));
    plaintext.fill(0);
    const wrappedKey = encrypt(masterKey.key, dataKey, wrapAad(masterKey.version, binding));
    return { keyVersion: masterKey.version, wrappedKey, ciphertext };
  } finally {
    dataKey.fill(0);
  }
}

/**
 * Decrypts a stored secret with the master key version it names, taken from `keyring`.
 * Throws SECRET_DECRYPT_FAILED when the keyring lacks that version or anything fails
 * authentication.
 */
export function openSecret(row: StoredSecret, keyring: MasterKeyring): string {
  const masterKey = keyring.get(row.keyVersion);
  if (masterKey === undefined) {
    throw decryptFailed(row, `master key version ${row.keyVersion} is not in the keyring`, { keyVersion: row.keyVersion });
  }
  const dataKey = unwrap(row, masterKey);
  try {
    const plaintext = decrypt(dataKey, row.ciphertext, valueAad(row), row, 'value');
    const value = plaintext.toString('utf8');
    plaintext.fill(0);
    return value;
  } finally {
    dataKey.fill(0);
  }
}

/**
 * Re-wraps the data key of `row` from `fromKey` (the version that wrapped it) to `toKey`.
 * The value's ciphertext is returned unchanged: rotation never re-encrypts values.
 * Throws SECRET_DECRYPT_FAILED when `fromKey` cannot unwrap it.
 */
export function rewrapKey(row: StoredSecret, fromKey: MasterKey, toKey: MasterKey): SealedSecret {
  assertMasterKey(toKey);
  const dataKey = unwrap(row, fromKey);
  try {
    const wrappedKey = encrypt(toKey.key, dataKey, wrapAad(toKey.version, row));
    return { keyVersion: toKey.version, wrappedKey, ciphertext: row.ciphertext };
  } finally {
    dataKey.fill(0);
  }
}

function unwrap(row: StoredSecret, masterKey: MasterKey): Buffer {
  assertMasterKey(masterKey);
  if (masterKey.version !== row.keyVersion) {
    throw decryptFailed(row, `it is wrapped by master key version ${row.keyVersion}, not ${masterKey.version}`, {
      keyVersion: row.keyVersion,
    });
  }
  const dataKey = decrypt(masterKey.key, row.wrappedKey, wrapAad(row.keyVersion, row), row, 'wrapped key');
  if (dataKey.length !== KEY_BYTES) {
    dataKey.fill(0);
    throw decryptFailed(row, 'the wrapped key has the wrong length');
  }
  return dataKey;
}

function encrypt(key: Buffer, plaintext: Buffer, aad: Buffer): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.of(ENVELOPE_FORMAT_V1), iv, cipher.getAuthTag(), body]);
}

function decrypt(key: Buffer, blob: Buffer, aad: Buffer, binding: SecretBinding, what: string): Buffer {
  if (!Buffer.isBuffer(blob) || blob.length < HEADER_BYTES) throw decryptFailed(binding, `the ${what} is truncated`);
  const format = blob[0];
  if (format !== ENVELOPE_FORMAT_V1) throw decryptFailed(binding, `the ${what} has unknown format version ${String(format)}`);
  const iv = blob.subarray(1, 1 + IV_BYTES);
  const tag = blob.subarray(1 + IV_BYTES, HEADER_BYTES);
  try {
    // authTagLength pins the tag size: without it GCM would accept a truncated tag.
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(blob.subarray(HEADER_BYTES)), decipher.final()]);
  } catch {
    // The cause is dropped on purpose: only "unable to authenticate" can happen here,
    // and nothing about the key may travel with the error.
    throw decryptFailed(binding, `the ${what} failed authentication (tampered data, another tenant or ref, or the wrong master key)`);
  }
}

function valueAad(binding: SecretBinding): Buffer {
  return Buffer.concat([field(VALUE_LABEL), field(binding.tenantId), field(binding.ref)]);
}

function wrapAad(keyVersion: number, binding: SecretBinding): Buffer {
  const version = Buffer.alloc(4);
  version.writeUInt32BE(keyVersion);
  return Buffer.concat([field(WRAP_LABEL), version, field(binding.tenantId), field(binding.ref)]);
}

function field(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

function assertMasterKey(masterKey: MasterKey): void {
  const versionOk = Number.isInteger(masterKey.version) && masterKey.version >= 1 && masterKey.version <= MAX_KEY_VERSION;
  if (!versionOk || !Buffer.isBuffer(masterKey.key) || masterKey.key.length !== KEY_BYTES) {
    throw new TributaryError('MASTER_KEY_INVALID', `A master key must be ${KEY_BYTES} bytes with a version from 1 to ${MAX_KEY_VERSION}`);
  }
}

function decryptFailed(binding: SecretBinding, reason: string, details: Record<string, unknown> = {}): TributaryError {
  return new TributaryError('SECRET_DECRYPT_FAILED', `Secret ${binding.ref} could not be decrypted: ${reason}`, {
    details: { ref: binding.ref, ...details },
  });
}
