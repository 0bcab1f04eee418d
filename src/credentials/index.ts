/**
 * The credentials feature's public surface. Other folders import from here only.
 */
export { ENVELOPE_FORMAT_V1, KEY_BYTES, openSecret, rewrapKey, sealSecret } from './envelope.ts';
export type { MasterKey, MasterKeyring, SealedSecret, SecretBinding, StoredSecret } from './envelope.ts';
