import { createHash, randomBytes } from 'node:crypto';

/**
 * API key material. A key reads `trb_<prefix>_<secret>`:
 * - `prefix`: 8 lowercase hex characters, stored in clear so people can tell keys apart
 *   in lists and logs ("trb_1a2b3c4d…");
 * - `secret`: 32 random bytes, base64url (43 characters, 256 bits).
 *
 * Only SHA-256 of the whole key is stored. A fast, unsalted hash is the right tool here,
 * unlike for passwords: slow, salted hashes (bcrypt, scrypt, argon2) exist to make
 * guessing LOW-entropy human secrets expensive, but a key with 256 random bits cannot be
 * guessed at any hashing speed (2^255 tries on average), so slowness buys nothing and
 * would cost every request a few hundred milliseconds of CPU. Being unsalted and
 * deterministic also lets us find a presented key by an indexed lookup on its hash,
 * instead of comparing against every stored key.
 */
export interface GeneratedKey {
  /** The full key: shown once, never stored. */
  readonly plaintext: string;
  /** Safe to show and store: `trb_<prefix>`. */
  readonly prefix: string;
  readonly hash: string;
}

const KEY_PATTERN = /^trb_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/;

export function generateApiKey(random: (size: number) => Buffer = randomBytes): GeneratedKey {
  const prefix = `trb_${random(4).toString('hex')}`;
  const plaintext = `${prefix}_${random(32).toString('base64url')}`;
  return { plaintext, prefix, hash: hashApiKey(plaintext) };
}

/** SHA-256, hex. Used both to store a key and to look up a presented one. */
export function hashApiKey(plaintext: string): string {
  return createHash('sha256').update(plaintext, 'utf8').digest('hex');
}

/** True when `value` has the shape of a key this module generates (no lookup). */
export function looksLikeApiKey(value: string): boolean {
  return KEY_PATTERN.test(value);
}
