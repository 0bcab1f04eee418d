/**
 * A registration's signing secrets, kept in the SecretStore under the registration's
 * `webhookSecretRef` as one JSON value, so a rotation is a single atomic update:
 * `{ "current": "...", "previous": "...", "previousUntil": epoch ms }`. During the
 * overlap window both verify; afterwards only `current`. Never logged or returned by an
 * API: only `activeSecrets` hands values to a verifier.
 */
import { randomBytes } from 'node:crypto';
import { TributaryError } from '../domain/errors.ts';
import type { SecretStore } from '../ports/secret-store.ts';

export interface SigningSecretBundle {
  readonly current: string;
  readonly previous?: string;
  /** Epoch ms after which `previous` no longer verifies. */
  readonly previousUntil?: number;
}

/** The secrets that verify at `now`: current first, then the previous one within its overlap. */
export function activeSecrets(bundle: SigningSecretBundle | null, now: number): string[] {
  if (bundle === null) return [];
  const secrets = [bundle.current];
  if (bundle.previous !== undefined && (bundle.previousUntil ?? 0) > now) secrets.push(bundle.previous);
  return secrets.filter((secret) => secret !== '');
}

/** A fresh secret for senders we configure (GitHub hooks, Google channel tokens): 32 random bytes, hex. */
export function generateSigningSecret(): string {
  return randomBytes(32).toString('hex');
}

export function parseSecretBundle(value: string): SigningSecretBundle {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    parsed = null;
  }
  const o = parsed as Record<string, unknown> | null;
  if (o === null || typeof o !== 'object' || typeof o['current'] !== 'string') {
    throw new TributaryError('SECRET_DECRYPT_FAILED', 'A webhook signing secret is not in the expected shape');
  }
  return {
    current: o['current'],
    ...(typeof o['previous'] === 'string' ? { previous: o['previous'] } : {}),
    ...(typeof o['previousUntil'] === 'number' ? { previousUntil: o['previousUntil'] } : {}),
  };
}

/** Reads and writes signing-secret bundles through the SecretStore port. */
export class SigningSecrets {
  readonly #secrets: SecretStore;

  constructor(secrets: SecretStore) {
    this.#secrets = secrets;
  }

  async read(tenantId: string, ref: string | null): Promise<SigningSecretBundle | null> {
    if (ref === null) return null;
    return parseSecretBundle(await this.#secrets.get(tenantId, ref));
  }

  /** Stores a new bundle with only `secret`; returns its ref. */
  async create(tenantId: string, registrationId: string, secret: string): Promise<string> {
    const info = await this.#secrets.put(tenantId, `webhook_signing_secret:${registrationId}`, JSON.stringify({ current: secret }));
    return info.ref;
  }

  /** Replaces the whole bundle with only `secret` (a handshake's token). */
  async replace(tenantId: string, ref: string, secret: string): Promise<void> {
    await this.#secrets.update(tenantId, ref, JSON.stringify({ current: secret }));
  }

  /**
   * Makes `next` current and keeps the old current verifying until `now + overlapMs`.
   * A previous secret still in its own overlap is dropped (one overlap at a time).
   */
  async rotate(tenantId: string, ref: string, next: string, now: number, overlapMs: number): Promise<void> {
    const bundle = parseSecretBundle(await this.#secrets.get(tenantId, ref));
    const rotated: SigningSecretBundle = { current: next, previous: bundle.current, previousUntil: now + overlapMs };
    await this.#secrets.update(tenantId, ref, JSON.stringify(rotated));
  }

  delete(tenantId: string, ref: string): Promise<void> {
    return this.#secrets.delete(tenantId, ref);
  }
}
