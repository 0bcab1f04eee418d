/**
 * The intake's registration lookup: registration and signing secrets by id, cached for
 * a short TTL so a burst of deliveries costs one store read and one decryption. Unknown
 * ids are cached too (briefly), so random URLs cannot turn into a store read each.
 * Concurrent misses for one id share one load. The cache is bounded: past `maxEntries`
 * the oldest entries go. `invalidate` drops an id at once (status change, rotation).
 */
import type { StoredWebhookRegistration } from '../ports/store.ts';
import type { SigningSecretBundle } from './signing-secrets.ts';

export interface CachedRegistration {
  readonly registration: StoredWebhookRegistration;
  readonly secrets: SigningSecretBundle | null;
}

export interface RegistrationCacheOptions {
  readonly ttlMs: number;
  readonly maxEntries: number;
  readonly now: () => number;
  readonly load: (id: string) => Promise<CachedRegistration | null>;
}

interface Entry {
  readonly value: CachedRegistration | null;
  readonly expiresAt: number;
}

export class RegistrationCache {
  readonly #options: RegistrationCacheOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #loading = new Map<string, Promise<CachedRegistration | null>>();

  constructor(options: RegistrationCacheOptions) {
    this.#options = options;
  }

  /** The cached value, or a load (shared with concurrent callers); load failures are not cached. */
  get(id: string): Promise<CachedRegistration | null> {
    const now = this.#options.now();
    const entry = this.#entries.get(id);
    if (entry !== undefined && entry.expiresAt > now) return Promise.resolve(entry.value);
    const pending = this.#loading.get(id);
    if (pending !== undefined) return pending;
    const load = this.#options
      .load(id)
      .then((value) => {
        // Unknown ids are remembered for a fifth of the TTL: long enough to absorb a flood.
        const ttl = value === null ? Math.max(1, Math.floor(this.#options.ttlMs / 5)) : this.#options.ttlMs;
        this.#entries.delete(id);
        this.#entries.set(id, { value, expiresAt: this.#options.now() + ttl });
        if (this.#entries.size > this.#options.maxEntries) {
          const oldest = this.#entries.keys().next().value;
          if (oldest !== undefined) this.#entries.delete(oldest);
        }
        return value;
      })
      .finally(() => this.#loading.delete(id));
    this.#loading.set(id, load);
    return load;
  }

  invalidate(id: string): void {
    this.#entries.delete(id);
  }
}
